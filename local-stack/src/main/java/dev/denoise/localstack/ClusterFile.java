package dev.denoise.localstack;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import java.util.Properties;
import org.apache.kafka.common.Uuid;

/**
 * What a local stack's Kafka was made as, kept beside its data: how many nodes, and the cluster id
 * every node's storage is formatted with. A stack keeps its node count: the nodes' data knows its
 * quorum, so changing it means a new stack folder.
 */
final class ClusterFile {
    private static final String NAME = "cluster.properties";

    private ClusterFile() {}

    /** The node count the stack in {@code home} was made with, if it was made. */
    static Optional<Integer> brokers(Path home) {
        return read(home).map(p -> Integer.parseInt(p.getProperty("brokers")));
    }

    /** Whether the stack in {@code home} was made secured, if it was made. */
    static Optional<Boolean> secure(Path home) {
        return read(home).map(p -> Boolean.parseBoolean(p.getProperty("secure", "false")));
    }

    /** Records {@code brokers} and {@code secure} for a new stack, or fails if the stack was made otherwise. */
    static void check(Path home, int brokers, boolean secure) throws IOException {
        Optional<Integer> made = brokers(home);
        if (made.isPresent() && made.get() != brokers) {
            throw new IllegalStateException("The stack in " + home + " was made with " + made.get() + " broker(s), not "
                    + brokers + "; `denoise stack down` and remove " + home + " to make another");
        }
        if (made.isPresent() && secure(home).orElse(false) != secure) {
            throw new IllegalStateException("The stack in " + home + " was made " + (secure ? "without" : "with")
                    + " --secure; `denoise stack down` and remove " + home + " to make another");
        }
        if (made.isEmpty() && Files.exists(home.resolve("kafka").resolve("data").resolve("meta.properties"))) {
            // A stack made before this file existed: one node, its own cluster id.
            if (brokers != 1 || secure) {
                throw new IllegalStateException("The stack in " + home + " was made with 1 broker, unsecured; "
                        + "`denoise stack down` and remove " + home + " to make another");
            }
            return;
        }
        if (made.isEmpty()) {
            Properties p = new Properties();
            p.setProperty("brokers", String.valueOf(brokers));
            p.setProperty("secure", String.valueOf(secure));
            p.setProperty("cluster.id", Uuid.randomUuid().toString());
            PropertiesFiles.write(p, home.resolve(NAME), "the local stack's Kafka cluster");
        }
    }

    /** The cluster id to format a node's storage with (a fresh one for a stack made before this file existed). */
    static String clusterId(Path home) {
        return read(home).map(p -> p.getProperty("cluster.id")).orElseGet(() -> Uuid.randomUuid().toString());
    }

    private static Optional<Properties> read(Path home) {
        Path file = home.resolve(NAME);
        return Files.exists(file) ? Optional.of(PropertiesFiles.read(file)) : Optional.empty();
    }
}
