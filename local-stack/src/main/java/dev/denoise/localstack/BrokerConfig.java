package dev.denoise.localstack;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Properties;
import java.util.stream.Collectors;
import java.util.stream.IntStream;

/**
 * The configuration of a KRaft node on loopback, broker and controller in one process. One node
 * has replication factors of 1 throughout: with Kafka's defaults of 3, Streams hangs in
 * REBALANCING and transactional producers never finish initTransactions. A cluster of three
 * (three controllers, a quorum of three voters) replicates every topic three times by default
 * with {@code min.insync.replicas=2}, Kafka's internal topics and Streams' (whose
 * {@code replication.factor} of -1 takes the broker's default) alike: any one node may fail.
 */
public final class BrokerConfig {
    /** Model versions carry ~1.2 MB of weights; the topic allows 16 MiB, the broker a little more. */
    public static final int MESSAGE_MAX_BYTES = 16 * 1024 * 1024 + 1024;

    private BrokerConfig() {}

    public static Properties singleNode(Path dataDir, int brokerPort, int controllerPort) {
        return clusterNode(dataDir, 0, List.of(brokerPort), List.of(controllerPort));
    }

    /**
     * Node {@code index} (0-based; node id index+1) of a cluster whose node i listens on
     * {@code brokerPorts.get(i)} and {@code controllerPorts.get(i)}.
     */
    public static Properties clusterNode(Path dataDir, int index, List<Integer> brokerPorts, List<Integer> controllerPorts) {
        int nodes = brokerPorts.size();
        String replicas = String.valueOf(Math.min(nodes, 3));
        String minInSync = nodes >= 3 ? "2" : "1";
        Properties p = new Properties();
        p.setProperty("process.roles", "broker,controller");
        p.setProperty("node.id", String.valueOf(index + 1));
        p.setProperty("controller.quorum.voters", IntStream.range(0, nodes)
                .mapToObj(i -> (i + 1) + "@127.0.0.1:" + controllerPorts.get(i)).collect(Collectors.joining(",")));
        p.setProperty("listeners", "PLAINTEXT://127.0.0.1:" + brokerPorts.get(index) + ",CONTROLLER://127.0.0.1:"
                + controllerPorts.get(index));
        p.setProperty("advertised.listeners", "PLAINTEXT://127.0.0.1:" + brokerPorts.get(index));
        p.setProperty("controller.listener.names", "CONTROLLER");
        p.setProperty("inter.broker.listener.name", "PLAINTEXT");
        p.setProperty("listener.security.protocol.map", "PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT");
        p.setProperty("log.dirs", dataDir.toAbsolutePath().toString());
        p.setProperty("num.partitions", "1");
        p.setProperty("default.replication.factor", replicas);
        p.setProperty("min.insync.replicas", minInSync);
        p.setProperty("offsets.topic.replication.factor", replicas);
        p.setProperty("transaction.state.log.replication.factor", replicas);
        p.setProperty("transaction.state.log.min.isr", minInSync);
        p.setProperty("share.coordinator.state.topic.replication.factor", replicas);
        p.setProperty("share.coordinator.state.topic.min.isr", minInSync);
        // One partition each instead of 50: Streams starts in ~0.6 s instead of ~5 s on one broker.
        p.setProperty("offsets.topic.num.partitions", "1");
        p.setProperty("transaction.state.log.num.partitions", "1");
        p.setProperty("group.initial.rebalance.delay.ms", "0");
        p.setProperty("message.max.bytes", String.valueOf(MESSAGE_MAX_BYTES));
        p.setProperty("replica.fetch.max.bytes", String.valueOf(MESSAGE_MAX_BYTES));
        p.setProperty("auto.create.topics.enable", "false");
        return p;
    }

    public static Path write(Properties properties, Path file) throws IOException {
        return PropertiesFiles.write(properties, file, "KRaft node written by denoise-stream's local stack");
    }
}
