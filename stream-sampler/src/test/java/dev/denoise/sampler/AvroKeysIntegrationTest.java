package dev.denoise.sampler;

import static dev.denoise.sampler.SamplerFixtures.trainedModel;
import static dev.denoise.sampler.SamplerFixtures.weights;
import static org.assertj.core.api.Assertions.assertThat;

import dev.denoise.localstack.StackEndpoints;
import dev.denoise.schemas.SampleRequest;
import dev.denoise.schemas.TopicProvisioner;
import dev.denoise.schemas.Topics;
import dev.denoise.schemas.config.ConnectionSettings;
import dev.denoise.schemas.serde.ConfluentWireFormat;
import dev.denoise.schemas.serde.KeySerde;
import dev.denoise.testsupport.Await;
import dev.denoise.testsupport.KafkaStackTest;
import dev.denoise.trainer.ModelVersionPublisher;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import org.apache.avro.io.DecoderFactory;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.junit.jupiter.api.Test;

/** With DENOISE_KEY_FORMAT=avro the sampler writes image keys as Confluent's AvroConsumer reads them. */
@KafkaStackTest
class AvroKeysIntegrationTest {

    @Test
    void imagesAreKeyedByTheRequestIdAsAnAvroString(StackEndpoints stack) throws Exception {
        ConnectionSettings connection = new ConnectionSettings(stack.bootstrapServers(), stack.schemaRegistryUrl(),
                "avro-keys-" + UUID.randomUUID(), Map.of(KeySerde.KEY_FORMAT, "avro"));
        Topics topics = Topics.of(connection);
        try (Admin admin = Admin.create(Map.of("bootstrap.servers", stack.bootstrapServers()))) {
            TopicProvisioner.ensureTopics(admin, topics, 1, Optional.empty());
        }
        new ModelVersionPublisher(connection).publish(trainedModel(weights(1)));
        SampleRequest request = SampleRequest.newBuilder().setRequestId("avro-key-request").setSeeds(List.of(1L, 2L))
                .setSteps(2).setRequestedAt(Instant.now()).build();
        try (SamplingService sampler = SamplingService.start(connection, SamplerFixtures.settings("avro-keys"));
             KafkaProducer<String, SampleRequest> producer = new KafkaProducer<>(connection.clientConfig(),
                     topics.requests.keySerde().serializer(), topics.requests.valueSerde().serializer())) {
            Await.until("the sampler ready", sampler::ready);
            producer.send(new ProducerRecord<>(topics.requests.name(), request.getRequestId(), request)).get();

            List<byte[]> keys = rawKeys(connection, topics.images.name(), 2);
            assertThat(keys).hasSize(2).allSatisfy(key -> {
                assertThat(key[0]).isEqualTo(ConfluentWireFormat.MAGIC_BYTE);
                assertThat(DecoderFactory.get().binaryDecoder(key, 5, key.length - 5, null).readString())
                        .isEqualTo("avro-key-request");
            });
        }
    }

    private static List<byte[]> rawKeys(ConnectionSettings connection, String topic, int count) throws Exception {
        Map<String, Object> config = new HashMap<>(connection.clientConfig());
        config.put(ConsumerConfig.GROUP_ID_CONFIG, "raw-" + UUID.randomUUID());
        config.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        config.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        List<byte[]> keys = new ArrayList<>();
        try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(config, new ByteArrayDeserializer(),
                new ByteArrayDeserializer())) {
            consumer.subscribe(List.of(topic));
            Await.until(count + " images", () -> {
                for (ConsumerRecord<byte[], byte[]> record : consumer.poll(Duration.ofMillis(200))) {
                    keys.add(record.key());
                }
                return keys.size() >= count;
            });
        }
        return keys;
    }
}
