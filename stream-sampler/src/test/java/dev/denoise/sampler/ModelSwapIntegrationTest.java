package dev.denoise.sampler;

import static dev.denoise.sampler.SamplerFixtures.trainedModel;
import static dev.denoise.sampler.SamplerFixtures.weights;
import static org.assertj.core.api.Assertions.assertThat;

import dev.denoise.diffusion.WeightsCodec;
import dev.denoise.diffusion.WeightsPackage;
import dev.denoise.localstack.StackEndpoints;
import dev.denoise.schemas.FailureReason;
import dev.denoise.schemas.GeneratedImage;
import dev.denoise.schemas.ModelVersion;
import dev.denoise.schemas.SampleFailure;
import dev.denoise.schemas.SampleRequest;
import dev.denoise.schemas.Topics;
import dev.denoise.schemas.config.ConnectionSettings;
import dev.denoise.testsupport.Await;
import dev.denoise.testsupport.KafkaStackTest;
import dev.denoise.trainer.ModelVersionPublisher;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.streams.KafkaStreams;
import org.junit.jupiter.api.Test;

/** Hot swap under load and refusal of corrupt versions, on one running sampler. */
@KafkaStackTest
class ModelSwapIntegrationTest {
    private static final AtomicLong SEEDS = new AtomicLong();

    @Test
    void aNewVersionTakesOverUnderLoadAndCorruptVersionsAreRefused(StackEndpoints stack) throws Exception {
        ConnectionSettings connection = SamplerFixtures.freshTopics(stack, "swap", 2);
        Topics topics = Topics.of(connection);
        ModelVersionPublisher publisher = new ModelVersionPublisher(connection);
        publisher.publish(trainedModel(weights(1)));
        ServiceSettings settings = SamplerFixtures.settings("swap");

        try (SamplingService sampler = SamplingService.start(connection, settings);
             KafkaProducer<String, SampleRequest> requests = new KafkaProducer<>(connection.clientConfig(),
                     topics.requests.keySerde().serializer(), topics.requests.valueSerde().serializer())) {
            awaitLatest(sampler, 1);
            List<String> before = send(requests, topics, 10);
            List<GeneratedImage> beforeImages = imagesOf(connection, topics, before);

            // Requests keep coming while version 2 is published, loaded and checked, until it serves.
            publisher.publish(trainedModel(weights(2)));
            List<String> during = new ArrayList<>();
            Await.until("version 2 serving", () -> {
                during.addAll(send(requests, topics, 1));
                return sampler.registry().latestVersions().getOrDefault("mnist", 0) == 2 && sampler.ready();
            });
            List<String> afterSwap = send(requests, topics, 10);

            assertThat(beforeImages).as("answered before the swap").hasSize(30)
                    .allSatisfy(i -> assertThat(i.getModelVersion()).isEqualTo(1));
            assertThat(imagesOf(connection, topics, during)).as("every request sent during the swap answered")
                    .hasSize(3 * during.size());
            assertThat(imagesOf(connection, topics, afterSwap)).as("requests sent after the swap").hasSize(30)
                    .allSatisfy(i -> assertThat(i.getModelVersion()).isEqualTo(2));
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

    /**
     * Under load, a model's Java-built version gives way to a TorchScript one (another network,
     * another image shape): every request is answered once per seed, none twice; TorchScript
     * versions that break their contract are refused with their reasons while it keeps serving.
     */
    @Test
    void aTorchScriptVersionTakesOverFromAJavaBuiltOneUnderLoad(StackEndpoints stack) throws Exception {
        ConnectionSettings connection = SamplerFixtures.freshTopics(stack, "swap-torchscript", 2);
        Topics topics = Topics.of(connection);
        ModelVersionPublisher publisher = new ModelVersionPublisher(connection);
        publisher.publish(trainedModel(weights(1)));

        try (SamplingService sampler = SamplingService.start(connection, SamplerFixtures.settings("swap-torchscript"));
             KafkaProducer<String, SampleRequest> requests = new KafkaProducer<>(connection.clientConfig(),
                     topics.requests.keySerde().serializer(), topics.requests.valueSerde().serializer())) {
            awaitLatest(sampler, 1);
            List<String> before = send(requests, topics, 5);
            publisher.publish(SamplerFixtures.torchScriptModel("mnist", "tiny-unet.pt"));
            List<String> during = new ArrayList<>();
            Await.until("the TorchScript version serving", () -> {
                during.addAll(send(requests, topics, 1));
                return sampler.registry().latestVersions().getOrDefault("mnist", 0) == 2 && sampler.ready();
            });
            List<String> after = send(requests, topics, 5);

            List<String> all = new ArrayList<>(before);
            all.addAll(during);
            all.addAll(after);
            List<GeneratedImage> images = imagesOf(connection, topics, all);
            assertThat(images.stream().map(i -> i.getRequestId() + "#" + i.getIndex()).distinct())
                    .as("one image per seed of every request").hasSize(3 * all.size());
            assertThat(TopicReader.read(connection, topics.images, i -> all.contains(i.getRequestId()), 3 * all.size() + 1,
                    java.time.Duration.ofSeconds(5))).as("none twice (a duplicate would show up by now)").hasSize(3 * all.size());
            assertThat(images).filteredOn(i -> after.contains(i.getRequestId())).hasSize(15).allSatisfy(image -> {
                assertThat(image.getModelVersion()).isEqualTo(2);
                assertThat(image.getChannels()).isEqualTo(3);
                assertThat(image.getWidth()).isEqualTo(16);
                assertThat(image.getSampler()).isEqualTo("dpm-solver");
            });
            assertThat(images).filteredOn(i -> i.getModelVersion() == 1)
                    .allSatisfy(image -> assertThat(image.getChannels()).isEqualTo(1));

            publishRaw(connection, topics, ModelVersionPublisher.toRecord(
                    SamplerFixtures.torchScriptModel("mnist", "wrong-shape.pt"), 3, Instant.now()));
            publishRaw(connection, topics, ModelVersionPublisher.toRecord(
                    SamplerFixtures.torchScriptModel("mnist", "nan-output.pt"), 4, Instant.now()));
            List<SampleFailure> refusals = TopicReader.read(connection, topics.failures,
                    f -> f.getReason() == FailureReason.MODEL_REJECTED, 2);
            assertThat(refusals).extracting(SampleFailure::getMessage)
                    .anySatisfy(m -> assertThat(m).contains("mnist v3 refused", "gave shape (4, 3, 8, 8)"))
                    .anySatisfy(m -> assertThat(m).contains("mnist v4 refused", "non-finite output"));
            assertThat(sampler.registry().latestVersions()).containsEntry("mnist", 2);
            assertThat(sampler.state()).isEqualTo(KafkaStreams.State.RUNNING);
        }
    }

    private static void awaitLatest(SamplingService sampler, int version) throws Exception {
        Await.until("version " + version + " serving",
                () -> sampler.registry().latestVersions().getOrDefault("mnist", 0) == version && sampler.ready());
    }

    /** {@code count} requests of three seeds each, sent one after another; their ids. */
    private static List<String> send(KafkaProducer<String, SampleRequest> producer, Topics topics, int count) throws Exception {
        List<String> sent = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            long seed = SEEDS.getAndAdd(3);
            SampleRequest request = request(new long[] {seed, seed + 1, seed + 2});
            producer.send(new ProducerRecord<>(topics.requests.name(), request.getRequestId(), request)).get();
            sent.add(request.getRequestId());
        }
        return sent;
    }

    private static List<GeneratedImage> imagesOf(ConnectionSettings connection, Topics topics, List<String> requestIds) {
        return TopicReader.read(connection, topics.images, i -> requestIds.contains(i.getRequestId()), 3 * requestIds.size());
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
