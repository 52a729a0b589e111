package dev.denoise.localstack;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.apache.kafka.common.Uuid;

/** Formats a KRaft log directory, as {@code kafka-storage.sh format} does, without leaving the JVM. */
public final class KafkaStorage {
    private KafkaStorage() {}

    /** Formats {@code dataDir} for the broker configured in {@code configFile}, unless already formatted. */
    public static void formatIfNeeded(Path configFile, Path dataDir) throws Exception {
        formatIfNeeded(configFile, dataDir, Uuid.randomUuid().toString());
    }

    /** As {@link #formatIfNeeded(Path, Path)}, for a node of cluster {@code clusterId}: every node of a cluster shares it. */
    public static void formatIfNeeded(Path configFile, Path dataDir, String clusterId) throws Exception {
        formatIfNeeded(configFile, dataDir, clusterId, List.of());
    }

    /** As above, with more arguments to {@code format}, e.g. {@code --add-scram} credentials. */
    static void formatIfNeeded(Path configFile, Path dataDir, String clusterId, List<String> more) throws Exception {
        if (Files.exists(dataDir.resolve("meta.properties"))) {
            return;
        }
        ByteArrayOutputStream output = new ByteArrayOutputStream();
        try (PrintStream print = new PrintStream(output, true, StandardCharsets.UTF_8)) {
            // execute(), not main(): main() calls System.exit.
            kafka.tools.StorageTool.execute(
                    Stream.concat(Stream.of("format", "-t", clusterId, "-c", configFile.toString()), more.stream())
                            .toArray(String[]::new), print);
        } catch (Exception e) {
            throw new IllegalStateException("Formatting Kafka storage in " + dataDir + " failed: " + e.getMessage()
                    + System.lineSeparator() + output.toString(StandardCharsets.UTF_8), e);
        }
    }
}
