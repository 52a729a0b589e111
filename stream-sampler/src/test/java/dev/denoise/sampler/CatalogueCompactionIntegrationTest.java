package dev.denoise.sampler;

import static dev.denoise.sampler.SamplerFixtures.trainedModel;
import static dev.denoise.sampler.SamplerFixtures.weights;
import static org.assertj.core.api.Assertions.assertThat;

import dev.denoise.localstack.StackEndpoints;
import dev.denoise.schemas.GeneratedImage;
import dev.denoise.schemas.ModelCatalogue;
import dev.denoise.schemas.ModelVersion;
import dev.denoise.schemas.SampleRequest;
import dev.denoise.schemas.Topics;
import dev.denoise.schemas.config.ConnectionSettings;
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
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.config.TopicConfig;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.junit.jupiter.api.Test;

/**
 * The catalogue topics compacted for real by the broker's log cleaner: every version survives, so a
 * sampler started afterwards serves a request pinned to the oldest, and the newest promotion holds.
 */
@KafkaStackTest
class CatalogueCompactionIntegrationTest {
    /** A segment rolls 100 ms after it opened, and the cleaner takes any log with something to clean. */
    private static final Map<String, String> CLEAN_AT_ONCE = Map.of(TopicConfig.SEGMENT_MS_CONFIG, "100",
            TopicConfig.MIN_CLEANABLE_DIRTY_RATIO_CONFIG, "0.01");

    @Test
    void everyVersionSurvivesCompactionAndTheOldestStillServesPinnedRequests(StackEndpoints stack) throws Exception {
        ConnectionSettings connection = ConnectionSettings.of(stack.bootstrapServers(), stack.schemaRegistryUrl(),
                "compact-" + UUID.randomUUID());
        Topics topics = Topics.of(connection);
        createTopics(stack, topics);
        ModelVersionPublisher publisher = new ModelVersionPublisher(connection);
        for (int v = 1; v <= 3; v++) {
            publisher.publish(trainedModel(weights(v)));
        }
        publisher.promote("mnist", 3);
        // Records the cleaner may remove, each superseded by a record of its key in a later segment
        // that is not the active one (which is never cleaned): v1's first copy and the promotion
        // of v3. The sleeps outlast segment.ms, so each record below opens a segment of its own.
        ModelVersion first = ModelCatalogue.read(connection).version("mnist", 1).orElseThrow();
        for (int copy = 0; copy < 2; copy++) {
            Thread.sleep(200);
            resend(connection, topics.modelVersions, ModelCatalogue.key("mnist", 1), first);
            Thread.sleep(200);
            publisher.promote("mnist", 2);
        }
        Await.until("the log cleaner has compacted both topics (5 and 3 records before)", () -> {
            Thread.sleep(500);
            return records(connection, topics.modelVersions.name()) == 4
                    && records(connection, topics.modelPromotions.name()) == 2;
        });
        ModelCatalogue catalogue = ModelCatalogue.read(connection);
        assertThat(catalogue.versionNumbers("mnist")).containsExactly(1, 2, 3);
        assertThat(catalogue.promotion("mnist")).hasValueSatisfying(p -> assertThat(p.getVersion()).isEqualTo(2));

        try (SamplingService sampler = SamplingService.start(connection, SamplerFixtures.settings("compact"))) {
            Await.until("the sampler ready", sampler::ready);
            assertThat(sampler.registry().latestVersions()).as("the promotion survived").containsEntry("mnist", 2);
            assertThat(imageOf(connection, topics, 1).getModelVersion()).as("pinned to the oldest").isEqualTo(1);
            assertThat(imageOf(connection, topics, null).getModelVersion()).as("unpinned").isEqualTo(2);
        }
    }

    private static void createTopics(StackEndpoints stack, Topics topics) throws Exception {
        try (Admin admin = Admin.create(Map.of("bootstrap.servers", stack.bootstrapServers()))) {
            List<NewTopic> created = new ArrayList<>();
            for (Topics.Topic<?, ?> topic : topics.all()) {
                Map<String, String> config = new HashMap<>(topic.config());
                if (topic == topics.modelVersions || topic == topics.modelPromotions) {
                    config.putAll(CLEAN_AT_ONCE);
                }
                created.add(new NewTopic(topic.name(), Optional.of(1), Optional.empty()).configs(config));
            }
            admin.createTopics(created).all().get();
        }
    }

    private static <V> void resend(ConnectionSettings connection, Topics.Topic<String, V> topic, String key, V value)
            throws Exception {
        Map<String, Object> config = new HashMap<>(connection.clientConfig());
        config.putAll(topic.producerOverrides());
        try (KafkaProducer<String, V> producer = new KafkaProducer<>(config, topic.keySerde().serializer(),
                topic.valueSerde().serializer())) {
            producer.send(new ProducerRecord<>(topic.name(), key, value)).get();
        }
    }

    /** The records on a one-partition topic now. */
    private static int records(ConnectionSettings connection, String topic) {
        Map<String, Object> config = new HashMap<>(connection.clientConfig());
        config.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(config, new ByteArrayDeserializer(),
                new ByteArrayDeserializer())) {
            TopicPartition partition = new TopicPartition(topic, 0);
            consumer.assign(List.of(partition));
            consumer.seekToBeginning(List.of(partition));
            long end = consumer.endOffsets(List.of(partition)).get(partition);
            int count = 0;
            while (consumer.position(partition) < end) {
                count += consumer.poll(Duration.ofMillis(200)).count();
            }
            return count;
        }
    }

    private static GeneratedImage imageOf(ConnectionSettings connection, Topics topics, Integer pinned) throws Exception {
        SampleRequest request = SampleRequest.newBuilder().setRequestId(UUID.randomUUID().toString())
                .setSeeds(List.of(1L)).setSteps(2).setPinnedVersion(pinned).setRequestedAt(Instant.now()).build();
        resend(connection, topics.requests, request.getRequestId(), request);
        return TopicReader.read(connection, topics.images, i -> i.getRequestId().equals(request.getRequestId()), 1).get(0);
    }
}
