package dev.denoise.sampler;

import static dev.denoise.sampler.SamplerFixtures.trainedModel;
import static dev.denoise.sampler.SamplerFixtures.weights;
import static org.assertj.core.api.Assertions.assertThat;

import dev.denoise.localstack.StackEndpoints;
import dev.denoise.schemas.GeneratedImage;
import dev.denoise.schemas.SampleRequest;
import dev.denoise.schemas.Topics;
import dev.denoise.schemas.config.ConnectionSettings;
import dev.denoise.testsupport.KafkaStackTest;
import dev.denoise.trainer.ModelVersionPublisher;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.stream.LongStream;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A sampler in its own JVM is killed with SIGKILL while 2,000 seeds are in flight; a new one
 * starts on the same state directory (a restarted pod with its volume) and finishes the work.
 * A read_committed consumer must see every image exactly once. While seeds wait, the step
 * batcher keeps every slot occupied, so the kill lands with slots mid-trajectory.
 */
@KafkaStackTest
class CrashRecoveryIntegrationTest {
    private static final int REQUESTS = 20;
    private static final int SEEDS_PER_REQUEST = 100;

    @Test
    void aKilledSamplerLosesAndDuplicatesNothing(StackEndpoints stack, @TempDir Path temp) throws Exception {
        ConnectionSettings connection = SamplerFixtures.freshTopics(stack, "crash", 2);
        Topics topics = Topics.of(connection);
        new ModelVersionPublisher(connection).publish(trainedModel(weights(1)));
        String applicationId = "crash-" + UUID.randomUUID();
        Path stateDir = temp.resolve("state");

        Process first = SamplerFixtures.startProcess(stack, connection, applicationId, stateDir, temp.resolve("first.log"));
        try (KafkaProducer<String, SampleRequest> producer = new KafkaProducer<>(connection.clientConfig(),
                topics.requests.keySerde().serializer(), topics.requests.valueSerde().serializer())) {
            for (int r = 0; r < REQUESTS; r++) {
                long from = (long) r * SEEDS_PER_REQUEST;
                SampleRequest request = SampleRequest.newBuilder()
                        .setRequestId("crash-request-" + r)
                        .setSeeds(LongStream.range(from, from + SEEDS_PER_REQUEST).boxed().toList())
                        .setSteps(20)
                        .setRequestedAt(Instant.now())
                        .build();
                producer.send(new ProducerRecord<>(topics.requests.name(), request.getRequestId(), request));
            }
            producer.flush();
        }

        List<GeneratedImage> images = new ArrayList<>();
        Process second = null;
        try (KafkaConsumer<String, GeneratedImage> consumer = TopicReader.committedConsumer(connection, topics.images)) {
            long deadline = System.currentTimeMillis() + 180_000;
            while (images.size() < 300 && System.currentTimeMillis() < deadline && first.isAlive()) {
                poll(consumer, images);
            }
            assertThat(images.size()).as("images before the kill (log: %s)", temp.resolve("first.log"))
                    .isBetween(300, REQUESTS * SEEDS_PER_REQUEST - 1);
            first.destroyForcibly().waitFor(); // SIGKILL: no shutdown hook, no commit, no goodbye

            second = SamplerFixtures.startProcess(stack, connection, applicationId, stateDir, temp.resolve("second.log"));
            while (images.size() < REQUESTS * SEEDS_PER_REQUEST && System.currentTimeMillis() < deadline) {
                poll(consumer, images);
            }
            // Anything beyond the expected count would be a duplicate: give it a moment to show up.
            long quiet = System.currentTimeMillis() + 3_000;
            while (System.currentTimeMillis() < quiet) {
                poll(consumer, images);
            }
        } finally {
            if (second != null) {
                second.destroy();
                second.waitFor();
            }
        }

        Set<String> distinct = new HashSet<>();
        images.forEach(i -> distinct.add(i.getRequestId() + "/" + i.getSeed()));
        assertThat(distinct).as("distinct (request, seed) (log: %s)", temp.resolve("second.log"))
                .hasSize(REQUESTS * SEEDS_PER_REQUEST);
        assertThat(images).as("no duplicates").hasSize(REQUESTS * SEEDS_PER_REQUEST);
    }

    private static void poll(KafkaConsumer<String, GeneratedImage> consumer, List<GeneratedImage> images) {
        for (ConsumerRecord<String, GeneratedImage> record : consumer.poll(Duration.ofMillis(200))) {
            images.add(record.value());
        }
    }
}
