package dev.denoise.localstack;

import java.io.IOException;
import java.io.Writer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Properties;

/**
 * The configuration of a single-node KRaft Kafka (broker and controller in one process) on
 * loopback. Replication factors are 1 throughout: with Kafka's defaults of 3, Streams hangs in
 * REBALANCING and transactional producers never finish initTransactions.
 */
public final class BrokerConfig {
    /** Model versions carry ~1.2 MB of weights; the topic allows 16 MiB, the broker a little more. */
    public static final int MESSAGE_MAX_BYTES = 16 * 1024 * 1024 + 1024;

    private BrokerConfig() {}

    public static Properties singleNode(Path dataDir, int brokerPort, int controllerPort) {
        Properties p = new Properties();
        p.setProperty("process.roles", "broker,controller");
        p.setProperty("node.id", "1");
        p.setProperty("controller.quorum.voters", "1@127.0.0.1:" + controllerPort);
        p.setProperty("listeners", "PLAINTEXT://127.0.0.1:" + brokerPort + ",CONTROLLER://127.0.0.1:" + controllerPort);
        p.setProperty("advertised.listeners", "PLAINTEXT://127.0.0.1:" + brokerPort);
        p.setProperty("controller.listener.names", "CONTROLLER");
        p.setProperty("inter.broker.listener.name", "PLAINTEXT");
        p.setProperty("listener.security.protocol.map", "PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT");
        p.setProperty("log.dirs", dataDir.toAbsolutePath().toString());
        p.setProperty("num.partitions", "1");
        p.setProperty("default.replication.factor", "1");
        p.setProperty("min.insync.replicas", "1");
        p.setProperty("offsets.topic.replication.factor", "1");
        p.setProperty("transaction.state.log.replication.factor", "1");
        p.setProperty("transaction.state.log.min.isr", "1");
        p.setProperty("share.coordinator.state.topic.replication.factor", "1");
        p.setProperty("share.coordinator.state.topic.min.isr", "1");
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
        Files.createDirectories(file.getParent());
        try (Writer out = Files.newBufferedWriter(file)) {
            properties.store(out, "single-node KRaft broker written by denoise-stream's local stack");
        }
        return file;
    }
}
