package dev.denoise.sampler;

import static dev.denoise.sampler.SamplerFixtures.trainedModel;
import static dev.denoise.sampler.SamplerFixtures.weights;
import static org.assertj.core.api.Assertions.assertThat;

import dev.denoise.diffusion.WeightsCodec;
import dev.denoise.diffusion.WeightsPackage;
import dev.denoise.localstack.StackEndpoints;
import dev.denoise.localstack.junit.KafkaStackExtension;
import dev.denoise.schemas.FailureReason;
import dev.denoise.schemas.GeneratedImage;
import dev.denoise.schemas.ModelVersion;
import dev.denoise.schemas.SampleFailure;
import dev.denoise.schemas.SampleRequest;
import dev.denoise.schemas.Topics;
import dev.denoise.schemas.config.ConnectionSettings;
import dev.denoise.trainer.ModelVersionPublisher;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.function.Predicate;
import java.util.stream.Collectors;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.streams.KafkaStreams;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** Hot swap under load and refusal of corrupt versions, on one running sampler. */
@ExtendWith(KafkaStackExtension.class)
class ModelSwapIntegrationTest {

    @Test
    void aNewVersionTakesOverUnderLoadAndCorruptVersionsAreRefused(StackEndpoints stack) throws Exception {
        ConnectionSettings connection = SamplerFixtures.freshTopics(stack, "swap", 2);
        Topics topics = Topics.of(connection);
        ModelVersionPublisher publisher = new ModelVersionPublisher(connection);
        publisher.publish(trainedModel(weights(1)));
        SamplerSettings settings = SamplerFixtures.settings("swap");

        try (StreamSampler sampler = StreamSampler.start(connection, settings);
             KafkaProducer<String, SampleRequest> requests = new KafkaProducer<>(connection.clientConfig(),
                     topics.requests.keySerde().serializer(), topics.requests.valueSerde().serializer())) {
            awaitLatest(sampler, 1);
            List<String> sent = new ArrayList<>();
            List<String> sentAfterSwap = new ArrayList<>();
            for (int i = 0; i < 30; i++) {
                if (i == 10) {
                    publisher.publish(trainedModel(weights(2)));
                }
                boolean swapped = sampler.registry().latestVersions().getOrDefault("mnist", 0) == 2;
                SampleRequest request = request(new long[] {i, i + 1000L, i + 2000L});
                requests.send(new ProducerRecord<>(topics.requests.name(), request.getRequestId(), request)).get();
                sent.add(request.getRequestId());
                if (swapped) {
                    sentAfterSwap.add(request.getRequestId());
                }
                Thread.sleep(100);
            }
            awaitLatest(sampler, 2);

            List<GeneratedImage> images = TopicReader.read(connection, topics.images, i -> sent.contains(i.getRequestId()), 90);
            Map<String, List<GeneratedImage>> byRequest = images.stream()
                    .collect(Collectors.groupingBy(GeneratedImage::getRequestId));
            assertThat(byRequest).as("every request answered").hasSize(30);
            assertThat(byRequest.values()).allSatisfy(list -> assertThat(list).hasSize(3));
            assertThat(sentAfterSwap).as("requests sent after the swap").isNotEmpty();
            assertThat(images).filteredOn(i -> sentAfterSwap.contains(i.getRequestId()))
                    .allSatisfy(i -> assertThat(i.getModelVersion()).isEqualTo(2));
            assertThat(images).extracting(GeneratedImage::getModelVersion).contains(1, 2);
            assertThat(sampler.state()).isEqualTo(KafkaStreams.State.RUNNING);

            // Corrupt versions 3, 4, 5 are refused; version 2 keeps serving.
            WeightsPackage good = weights(3);
            publishRaw(connection, topics, version(3, good.weights(), "0".repeat(64)));
            byte[] truncated = Arrays.copyOf(good.weights(), good.weights().length / 2);
            publishRaw(connection, topics, version(4, truncated, WeightsCodec.sha256Hex(truncated)));
            byte[] nan = good.weights().clone();
            Arrays.fill(nan, nan.length - 4, nan.length, (byte) 0xFF); // the last bias becomes NaN
            publishRaw(connection, topics, version(5, nan, WeightsCodec.sha256Hex(nan)));

            List<SampleFailure> refusals = TopicReader.read(connection, topics.failures,
                    f -> f.getReason() == FailureReason.MODEL_REJECTED, 3);
            assertThat(refusals).hasSize(3);
            assertThat(refusals).extracting(SampleFailure::getMessage).anySatisfy(m -> assertThat(m).contains("hash"))
                    .anySatisfy(m -> assertThat(m).contains("v4"))
                    .anySatisfy(m -> assertThat(m).contains("non-finite"));
            assertThat(sampler.registry().latestVersions()).containsEntry("mnist", 2);

            SampleRequest after = request(new long[] {7});
            requests.send(new ProducerRecord<>(topics.requests.name(), after.getRequestId(), after)).get();
            List<GeneratedImage> served = TopicReader.read(connection, topics.images, i -> i.getRequestId().equals(after.getRequestId()), 1);
            assertThat(served).extracting(GeneratedImage::getModelVersion).containsExactly(2);
        }
    }

    private static void awaitLatest(StreamSampler sampler, int version) throws InterruptedException {
        long deadline = System.currentTimeMillis() + 60_000;
        while (sampler.registry().latestVersions().getOrDefault("mnist", 0) != version || !sampler.ready()) {
            assertThat(System.currentTimeMillis()).as("version %d serving in time", version).isLessThan(deadline);
            Thread.sleep(50);
        }
    }

    private static SampleRequest request(long[] seeds) {
        return SampleRequest.newBuilder()
                .setRequestId(UUID.randomUUID().toString())
                .setSeeds(Arrays.stream(seeds).boxed().toList())
                .setSteps(4)
                .setRequestedAt(Instant.now())
                .build();
    }

    private static ModelVersion version(int number, byte[] weights, String sha256) {
        WeightsPackage shape = weights(0);
        return ModelVersionPublisher.toRecord(trainedModel(new WeightsPackage(shape.architecture(),
                shape.hyperParameters(), weights, sha256)), number, Instant.now());
    }

    private static void publishRaw(ConnectionSettings connection, Topics topics, ModelVersion version) throws Exception {
        Map<String, Object> config = new HashMap<>(connection.clientConfig());
        config.putAll(topics.modelVersions.producerOverrides());
        try (KafkaProducer<String, ModelVersion> producer = new KafkaProducer<>(config,
                topics.modelVersions.keySerde().serializer(), topics.modelVersions.valueSerde().serializer())) {
            producer.send(new ProducerRecord<>(topics.modelVersions.name(), version.getModel(), version)).get();
        }
    }

}
