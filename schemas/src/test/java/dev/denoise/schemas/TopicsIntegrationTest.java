package dev.denoise.schemas;

import static org.assertj.core.api.Assertions.assertThat;

import dev.denoise.localstack.StackEndpoints;
import dev.denoise.schemas.config.ConnectionSettings;
import dev.denoise.schemas.registry.RegistryClientConfig;
import dev.denoise.schemas.registry.SchemaRegistryClient;
import dev.denoise.schemas.serde.AvroSerializer;
import dev.denoise.schemas.serde.KeySerde;
import dev.denoise.testsupport.KafkaStackTest;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.UUID;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.Config;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.config.ConfigResource;
import org.junit.jupiter.api.Test;

@KafkaStackTest
class TopicsIntegrationTest {

    @Test
    void provisioningRegistersEveryContractSoAClientThatNeverRegistersCanProduce(StackEndpoints stack) throws Exception {
        String prefix = "contracts-" + UUID.randomUUID();
        ConnectionSettings settings = new ConnectionSettings(stack.bootstrapServers(), stack.schemaRegistryUrl(), prefix,
                Map.of(KeySerde.KEY_FORMAT, "avro"));

        TopicProvisioner.ensureTopics(settings, 1);

        String subjects = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                URI.create(stack.schemaRegistryUrl() + "/subjects")).build(), HttpResponse.BodyHandlers.ofString()).body();
        for (String topic : List.of("sample-requests", "generated-images", "sample-failures", "model-versions",
                "model-promotions")) {
            assertThat(subjects).as("the registry's subjects").contains("\"" + prefix + "." + topic + "-value\"")
                    .contains("\"" + prefix + "." + topic + "-key\"");
        }
        // As a Confluent client in production runs: it looks schemas up and never registers one.
        Map<String, Object> config = new HashMap<>(settings.clientConfig());
        config.put(AvroSerializer.AUTO_REGISTER_SCHEMAS, false);
        Topics lookupOnly = new Topics(prefix, new SchemaRegistryClient(RegistryClientConfig.from(config)), config);
        SampleRequest request = SampleRequest.newBuilder().setRequestId("r1").setSeeds(List.of(1L)).setSteps(8)
                .setRequestedAt(Instant.now().truncatedTo(ChronoUnit.MILLIS)).build();
        try (KafkaProducer<String, SampleRequest> producer = new KafkaProducer<>(config,
                lookupOnly.requests.keySerde().serializer(), lookupOnly.requests.valueSerde().serializer())) {
            assertThat(producer.send(new ProducerRecord<>(lookupOnly.requests.name(), "r1", request)).get().offset())
                    .isZero();
        }
    }

    @Test
    void provisioningCreatesEveryTopicOnceWithItsConfiguration(StackEndpoints stack) throws Exception {
        Topics topics = Topics.of(ConnectionSettings.of(stack.bootstrapServers(), stack.schemaRegistryUrl(),
                "provision-" + UUID.randomUUID()));
        try (Admin admin = Admin.create(Map.of("bootstrap.servers", stack.bootstrapServers()))) {
            List<String> first = TopicProvisioner.ensureTopics(admin, topics, 3, Optional.empty());
            List<String> second = TopicProvisioner.ensureTopics(admin, topics, 3, Optional.empty());

            assertThat(first).containsExactlyInAnyOrder(topics.requests.name(), topics.images.name(),
                    topics.modelVersions.name(), topics.modelPromotions.name(), topics.failures.name());
            assertThat(second).as("second run is a no-op").isEmpty();
            var descriptions = admin.describeTopics(first).allTopicNames().get();
            assertThat(descriptions.get(topics.requests.name()).partitions()).hasSize(3);
            assertThat(descriptions.get(topics.modelVersions.name()).partitions()).hasSize(1);
            assertThat(descriptions.get(topics.modelPromotions.name()).partitions()).hasSize(1);

            ConfigResource resource = new ConfigResource(ConfigResource.Type.TOPIC, topics.modelVersions.name());
            Config config = admin.describeConfigs(List.of(resource)).all().get().get(resource);
            assertThat(config.get("cleanup.policy").value()).isEqualTo("compact");
            assertThat(config.get("max.message.bytes").value()).isEqualTo(String.valueOf(16 * 1024 * 1024));
            ConfigResource promotions = new ConfigResource(ConfigResource.Type.TOPIC, topics.modelPromotions.name());
            assertThat(admin.describeConfigs(List.of(promotions)).all().get().get(promotions).get("cleanup.policy").value())
                    .isEqualTo("compact");
        }
    }

    @Test
    void aModelVersionLargerThanKafkasDefaultLimitRoundTrips(StackEndpoints stack) throws Exception {
        Topics topics = Topics.of(ConnectionSettings.of(stack.bootstrapServers(), stack.schemaRegistryUrl(),
                "big-" + UUID.randomUUID()));
        byte[] weights = new byte[3 * 1024 * 1024];
        new Random(7).nextBytes(weights);
        ModelVersion version = ModelVersion.newBuilder()
                .setModel("mnist").setVersion(1).setArchitecture("article-unet")
                .setHyperParameters(Map.of("channels", "32,64,64"))
                .setWeights(ByteBuffer.wrap(weights)).setWeightsSha256("00")
                .setTraining(TrainingInfo.newBuilder().setDataset("mnist-test").setEpochs(1).setBatchSize(128)
                        .setLearningRate(1e-3).setSeed(0).setFinalLoss(0.1).setMetrics(Map.of("mse@0.5", 0.02)).build())
                .setCreatedAt(Instant.now().truncatedTo(ChronoUnit.MILLIS))
                .build();
        try (Admin admin = Admin.create(Map.of("bootstrap.servers", stack.bootstrapServers()))) {
            TopicProvisioner.ensureTopics(admin, topics, 1, Optional.empty());
        }

        Map<String, Object> producerConfig = new HashMap<>(topics.modelVersions.producerOverrides());
        producerConfig.put("bootstrap.servers", stack.bootstrapServers());
        try (KafkaProducer<String, ModelVersion> producer = new KafkaProducer<>(producerConfig,
                topics.modelVersions.keySerde().serializer(), topics.modelVersions.valueSerde().serializer())) {
            producer.send(new ProducerRecord<>(topics.modelVersions.name(), "mnist", version)).get();
        }

        Map<String, Object> consumerConfig = Map.of(
                ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, stack.bootstrapServers(),
                ConsumerConfig.GROUP_ID_CONFIG, "big-" + UUID.randomUUID(),
                ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        try (KafkaConsumer<String, ModelVersion> consumer = new KafkaConsumer<>(consumerConfig,
                topics.modelVersions.keySerde().deserializer(), topics.modelVersions.valueSerde().deserializer())) {
            consumer.subscribe(List.of(topics.modelVersions.name()));
            ConsumerRecord<String, ModelVersion> record = null;
            long deadline = System.currentTimeMillis() + 30_000;
            while (record == null && System.currentTimeMillis() < deadline) {
                var batch = consumer.poll(Duration.ofMillis(200));
                if (!batch.isEmpty()) {
                    record = batch.iterator().next();
                }
            }
            assertThat(record).isNotNull();
            assertThat(record.key()).isEqualTo("mnist");
            assertThat(record.value()).isEqualTo(version);
        }
    }
}
