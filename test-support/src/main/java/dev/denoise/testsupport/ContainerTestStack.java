package dev.denoise.testsupport;

import dev.denoise.localstack.StackEndpoints;
import java.time.Duration;
import org.testcontainers.containers.GenericContainer;
import org.testcontainers.containers.Network;
import org.testcontainers.containers.wait.strategy.Wait;
import org.testcontainers.kafka.KafkaContainer;
import org.testcontainers.utility.DockerImageName;

/** Where Docker exists: the apache/kafka and Confluent Schema Registry images. */
final class ContainerTestStack implements TestStack {
    static final String KAFKA_IMAGE = "apache/kafka:4.1.0";
    static final String SCHEMA_REGISTRY_IMAGE = "confluentinc/cp-schema-registry:7.9.0";

    private final Network network;
    private final KafkaContainer kafka;
    private final GenericContainer<?> registry;

    private ContainerTestStack(Network network, KafkaContainer kafka, GenericContainer<?> registry) {
        this.network = network;
        this.kafka = kafka;
        this.registry = registry;
    }

    @SuppressWarnings("resource") // closed in close()
    static ContainerTestStack start() {
        Network network = Network.newNetwork();
        KafkaContainer kafka = new KafkaContainer(DockerImageName.parse(KAFKA_IMAGE))
                .withNetwork(network)
                .withListener("kafka:19092")
                .withEnv("KAFKA_MESSAGE_MAX_BYTES", String.valueOf(16 * 1024 * 1024 + 1024));
        kafka.start();
        GenericContainer<?> registry = new GenericContainer<>(DockerImageName.parse(SCHEMA_REGISTRY_IMAGE))
                .withNetwork(network)
                .withExposedPorts(8081)
                .withEnv("SCHEMA_REGISTRY_HOST_NAME", "schema-registry")
                .withEnv("SCHEMA_REGISTRY_LISTENERS", "http://0.0.0.0:8081")
                .withEnv("SCHEMA_REGISTRY_KAFKASTORE_BOOTSTRAP_SERVERS", "PLAINTEXT://kafka:19092")
                .waitingFor(Wait.forHttp("/subjects").forStatusCode(200).withStartupTimeout(Duration.ofMinutes(2)));
        registry.start();
        return new ContainerTestStack(network, kafka, registry);
    }

    @Override
    public StackEndpoints endpoints() {
        return new StackEndpoints(kafka.getBootstrapServers(),
                "http://" + registry.getHost() + ":" + registry.getMappedPort(8081));
    }

    @Override
    public void close() {
        registry.stop();
        kafka.stop();
        network.close();
    }
}
