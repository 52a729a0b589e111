package dev.denoise.localstack;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;

/**
 * Apicurio Registry 2.x, which runs on Java 17 and serves the Confluent Schema Registry API at
 * {@code /apis/ccompat/v7}. Its distribution comes from Maven Central with the build (see
 * {@code apicurio.properties}) and is unpacked once into a tools folder.
 */
public final class ApicurioRegistry {
    public static final String CCOMPAT_PATH = "/apis/ccompat/v7";

    private ApicurioRegistry() {}

    public static String url(int port) {
        return url(port, false);
    }

    /** The Confluent-compatible API's address, over TLS when {@code tls}. */
    static String url(int port, boolean tls) {
        return (tls ? "https" : "http") + "://127.0.0.1:" + port + CCOMPAT_PATH;
    }

    /**
     * The command that runs the registry on loopback.
     *
     * @param dataDir where its H2 database lives; null keeps everything in memory (tests)
     */
    public static List<String> command(Path toolsDir, int port, Path dataDir) {
        return command(toolsDir, port, dataDir, List.of());
    }

    /** @param options more JVM options, e.g. the TLS settings of {@link StackSecurity#registryTlsOptions} */
    static List<String> command(Path toolsDir, int port, Path dataDir, List<String> options) {
        List<String> command = new ArrayList<>(List.of(JavaCommand.java(),
                "-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC", "-Xmx384m",
                "-Dquarkus.http.host=127.0.0.1",
                "-Dquarkus.http.port=" + port));
        command.addAll(options);
        if (dataDir != null) {
            command.add("-Dquarkus.datasource.jdbc.url=jdbc:h2:file:" + dataDir.toAbsolutePath().resolve("registry"));
        }
        command.add("-jar");
        command.add(runnerJar(toolsDir).toString());
        return command;
    }

    /** The registry's runnable jar, unpacked from the Maven-provided archive on first use. */
    static synchronized Path runnerJar(Path toolsDir) {
        Properties distribution = distribution();
        String version = distribution.getProperty("version");
        Path home = toolsDir.resolve("apicurio-registry-app-" + version);
        Path jar = home.resolve("apicurio-registry-app-" + version + "-runner.jar");
        if (Files.exists(jar)) {
            return jar;
        }
        Path archive = Path.of(distribution.getProperty("archive"));
        if (!Files.exists(archive)) {
            throw new IllegalStateException("Apicurio Registry archive not found at " + archive
                    + ": build the project with ./mvnw so Maven downloads io.apicurio:apicurio-registry-app:"
                    + version + ":tar.gz:all");
        }
        try {
            Files.createDirectories(toolsDir);
            Path unpacking = Files.createTempDirectory(toolsDir, "apicurio-unpacking-");
            Process tar = new ProcessBuilder("tar", "-xzf", archive.toString(), "-C", unpacking.toString())
                    .redirectErrorStream(true).start();
            String output = new String(tar.getInputStream().readAllBytes());
            if (tar.waitFor() != 0) {
                throw new IllegalStateException("Unpacking " + archive + " failed: " + output);
            }
            // Whole or not at all: a half-unpacked folder never looks like a distribution.
            Files.move(unpacking, home, StandardCopyOption.ATOMIC_MOVE);
            return jar;
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot unpack Apicurio Registry into " + toolsDir, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("Interrupted while unpacking Apicurio Registry", e);
        }
    }

    private static Properties distribution() {
        Properties properties = new Properties();
        try (InputStream in = ApicurioRegistry.class.getResourceAsStream("apicurio.properties")) {
            properties.load(in);
        } catch (IOException | NullPointerException e) {
            throw new IllegalStateException("apicurio.properties missing from the local-stack jar: rebuild with ./mvnw", e);
        }
        return properties;
    }
}
