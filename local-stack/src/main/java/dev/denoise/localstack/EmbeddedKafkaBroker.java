package dev.denoise.localstack;

import java.nio.file.Path;
import java.util.Properties;
import kafka.server.KafkaConfig;
import kafka.server.KafkaRaftServer;
import org.apache.kafka.common.utils.Time;

/** A real single-node KRaft broker inside this JVM, for tests. */
public final class EmbeddedKafkaBroker implements AutoCloseable {
    private final KafkaRaftServer server;
    private final String bootstrapServers;

    private EmbeddedKafkaBroker(KafkaRaftServer server, String bootstrapServers) {
        this.server = server;
        this.bootstrapServers = bootstrapServers;
    }

    /** Formats {@code dataDir} and starts a broker on free loopback ports. */
    public static EmbeddedKafkaBroker start(Path dataDir) throws Exception {
        // Two ports free at once: two calls of find() may be handed the same port in turn.
        int brokerPort = FreePorts.findBlock(2);
        int controllerPort = brokerPort + 1;
        Properties properties = BrokerConfig.singleNode(dataDir.resolve("data"), brokerPort, controllerPort);
        Path configFile = BrokerConfig.write(properties, dataDir.resolve("server.properties"));
        KafkaStorage.formatIfNeeded(configFile, dataDir.resolve("data"));
        KafkaRaftServer server = new KafkaRaftServer(new KafkaConfig(properties), Time.SYSTEM);
        server.startup();
        String bootstrap = "127.0.0.1:" + brokerPort;
        Readiness.awaitKafka(bootstrap, java.time.Duration.ofSeconds(60));
        return new EmbeddedKafkaBroker(server, bootstrap);
    }

    public String bootstrapServers() {
        return bootstrapServers;
    }

    @Override
    public void close() {
        server.shutdown();
        server.awaitShutdown();
    }
}
