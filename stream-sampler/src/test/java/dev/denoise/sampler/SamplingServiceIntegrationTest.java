package dev.denoise.sampler;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.Device;
import dev.denoise.diffusion.ArticleSampler;
import dev.denoise.diffusion.CondUNet;
import dev.denoise.diffusion.Denoiser;
import dev.denoise.diffusion.MaskedSampler;
import dev.denoise.diffusion.MaskedUNet;
import dev.denoise.diffusion.NoiseScheduleSampler;
import dev.denoise.diffusion.WeightsPackage;
import dev.denoise.localstack.StackEndpoints;
import dev.denoise.schemas.FailureReason;
import dev.denoise.schemas.GeneratedImage;
import dev.denoise.schemas.SampleFailure;
import dev.denoise.schemas.SampleRequest;
import dev.denoise.schemas.Topics;
import dev.denoise.schemas.config.ConnectionSettings;
import dev.denoise.testsupport.Await;
import dev.denoise.testsupport.KafkaStackTest;
import dev.denoise.trainer.ModelVersionPublisher;
import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.function.Predicate;
import java.util.stream.LongStream;
import javax.imageio.ImageIO;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.KafkaStreams;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The sampler end to end on a real broker and registry, with a model published by the trainer's code. */
@KafkaStackTest
class SamplingServiceIntegrationTest {
    private static ConnectionSettings connection;
    private static Topics topics;
    private static SamplingService sampler;
    private static WeightsPackage firstWeights;
    private static WeightsPackage condWeights;
    private static WeightsPackage maskedWeights;

    @BeforeAll
    static void startSampler(StackEndpoints stack) throws Exception {
        connection = SamplerFixtures.freshTopics(stack, "sampler", 2);
        topics = Topics.of(connection);
        firstWeights = SamplerFixtures.weights(1);
        new ModelVersionPublisher(connection).publish(SamplerFixtures.trainedModel(firstWeights));
        condWeights = SamplerFixtures.condWeights(2);
        new ModelVersionPublisher(connection).publish(SamplerFixtures.trainedModel("mnist-cond", condWeights));
        maskedWeights = SamplerFixtures.maskedWeights(3);
        new ModelVersionPublisher(connection).publish(SamplerFixtures.trainedModel("mnist-masked", maskedWeights));
        ServiceSettings settings = SamplerFixtures.settings("sampler",
                Map.of(ServiceSettings.NO_MODEL_WAIT_MS.flag(), "2000"));
        sampler = SamplingService.start(connection, settings);
        Await.until("the three models loaded", () -> sampler.ready()
                && sampler.registry().latestVersions().keySet().containsAll(List.of("mnist", "mnist-cond", "mnist-masked")));
    }

    @AfterAll
    static void stopSampler() throws Exception {
        if (sampler != null) {
            sampler.close();
        }
    }

    @Test
    void sixteenSeedsGiveSixteenImagesIdenticalToInProcessSampling() throws Exception {
        long[] seeds = LongStream.range(100, 116).toArray();
        SampleRequest request = request(seeds, 8, null);
        produce(request);

        List<GeneratedImage> images = imagesOf(request.getRequestId(), 16);

        assertThat(images).hasSize(16);
        List<byte[]> expected;
        try (Denoiser denoiser = Denoiser.load(firstWeights, Device.cpu())) {
            expected = new ArticleSampler().sample(denoiser, seeds, 8);
        }
        for (GeneratedImage image : images) {
            assertThat(image.getWidth()).isEqualTo(28);
            assertThat(image.getHeight()).isEqualTo(28);
            assertThat(image.getSeed()).isEqualTo(seeds[image.getIndex()]);
            assertThat(pixels(image)).as("seed %d", image.getSeed()).isEqualTo(expected.get(image.getIndex()));
            assertThat(image.getModel()).isEqualTo("mnist");
            assertThat(image.getSteps()).isEqualTo(8);
        }
    }

    @Test
    void aClassConditionedModelDrawsTheAskedDigitWithItsSamplerAndGuidanceLikeInProcessSampling() throws Exception {
        long[] seeds = LongStream.range(200, 208).toArray();
        SampleRequest asked = request(UUID.randomUUID().toString(), seeds, 4, null, NoiseScheduleSampler.DPM_SOLVER);
        asked.setModel("mnist-cond");
        asked.setClassLabel(3);
        asked.setGuidanceScale(1.5f);
        produce(asked);

        List<GeneratedImage> images = imagesOf(asked.getRequestId(), 8);
        List<byte[]> expected;
        int[] threes = new int[seeds.length];
        java.util.Arrays.fill(threes, 3);
        try (Denoiser denoiser = Denoiser.load(condWeights, Device.cpu())) {
            expected = new NoiseScheduleSampler(NoiseScheduleSampler.DPM_SOLVER).sample(denoiser, seeds, threes, 1.5f, 4);
        }
        assertThat(images).hasSize(8).allSatisfy(image -> {
            assertThat(image.getClassLabel()).isEqualTo(3);
            assertThat(image.getGuidanceScale()).isEqualTo(1.5f);
            assertThat(image.getSampler()).isEqualTo("dpm-solver");
            assertThat(pixels(image)).as("seed %d", image.getSeed()).isEqualTo(expected.get(image.getIndex()));
        });
        // Sent only now: its rows beside the 16 above would have changed their passes' batch size,
        // and the CPU kernels round differently at other batch sizes.
        SampleRequest defaults = request(UUID.randomUUID().toString(), new long[] {7}, null, null, null);
        defaults.setModel("mnist-cond");
        produce(defaults);
        assertThat(imagesOf(defaults.getRequestId(), 1)).singleElement().satisfies(image -> {
            assertThat(image.getSampler()).as("the architecture's default sampler").isEqualTo("ddim");
            assertThat(image.getSteps()).as("the family's default steps").isEqualTo(CondUNet.FAMILY.defaultSteps());
            assertThat(image.getClassLabel()).isNull();
            assertThat(image.getGuidanceScale()).isEqualTo(CondUNet.DEFAULT_GUIDANCE);
        });
    }

    @Test
    void aMaskedModelGivesBinaryImagesIdenticalToInProcessSampling() throws Exception {
        long[] seeds = LongStream.range(300, 364).toArray();
        SampleRequest request = request(UUID.randomUUID().toString(), seeds, 16, null, null);
        request.setModel("mnist-masked");
        request.setClassLabel(5);
        // One row a seed, so the 64 seeds fill the sampler's passes (DENOISE_MAX_BATCH 64) exactly as they
        // fill the in-process one: the CPU kernels round differently at other batch sizes.
        request.setGuidanceScale(1f);
        produce(request);

        List<GeneratedImage> images = imagesOf(request.getRequestId(), 64);
        int[] fives = new int[seeds.length];
        java.util.Arrays.fill(fives, 5);
        List<byte[]> expected;
        try (Denoiser denoiser = Denoiser.load(maskedWeights, Device.cpu())) {
            expected = new MaskedSampler(MaskedSampler.RANDOM_ORDER).sample(denoiser, seeds, fives, 1f, 16);
        }
        assertThat(images).hasSize(64).allSatisfy(image -> {
            assertThat(image.getSampler()).as("the architecture's default sampler").isEqualTo(MaskedSampler.RANDOM_ORDER);
            assertThat(image.getGuidanceScale()).isEqualTo(1f);
            byte[] pixels = pixels(image);
            for (byte pixel : pixels) {
                assertThat(pixel & 0xFF).as("seed %d: a binary image", image.getSeed()).isIn(0, 255);
            }
            assertThat(pixels).as("seed %d", image.getSeed()).isEqualTo(expected.get(image.getIndex()));
        });
        assertThat(expected.stream().map(java.util.Arrays::hashCode).distinct()).as("64 different images").hasSize(64);
        // Sent only now: a seed of it in a slot would have taken one of the 64 rows above.
        SampleRequest defaults = request(UUID.randomUUID().toString(), new long[] {7}, 4, null, null);
        defaults.setModel("mnist-masked");
        defaults.setClassLabel(2);
        produce(defaults);
        assertThat(imagesOf(defaults.getRequestId(), 1)).singleElement().satisfies(image -> {
            assertThat(image.getSampler()).as("the architecture's default sampler").isEqualTo(MaskedSampler.RANDOM_ORDER);
            assertThat(image.getGuidanceScale()).isEqualTo(MaskedUNet.DEFAULT_GUIDANCE);
        });
    }

    @Test
    void labelsSamplersAndGuidanceAModelCannotTakeBecomeFailureRecords() throws Exception {
        String tag = UUID.randomUUID().toString();
        SampleRequest outOfRange = request("label-range-" + tag, new long[] {1}, 4, null, null);
        outOfRange.setModel("mnist-cond");
        outOfRange.setClassLabel(12);
        SampleRequest labelForArticle = request("label-article-" + tag, new long[] {1}, 4, null, null);
        labelForArticle.setClassLabel(4);
        SampleRequest ddimForArticle = request("sampler-article-" + tag, new long[] {1}, 4, null, NoiseScheduleSampler.DDIM);
        SampleRequest articleForCond = request("sampler-cond-" + tag, new long[] {1}, 4, null, "article");
        articleForCond.setModel("mnist-cond");
        SampleRequest negativeGuidance = request("guidance-" + tag, new long[] {1}, 4, null, null);
        negativeGuidance.setModel("mnist-cond");
        negativeGuidance.setGuidanceScale(-1f);
        SampleRequest maskedForCond = request("masked-cond-" + tag, new long[] {1}, 4, null, MaskedSampler.RANDOM_ORDER);
        maskedForCond.setModel("mnist-cond");
        SampleRequest ddimForMasked = request("ddim-masked-" + tag, new long[] {1}, 4, null, NoiseScheduleSampler.DDIM);
        ddimForMasked.setModel("mnist-masked");
        SampleRequest moreStepsThanTokens = request("steps-masked-" + tag, new long[] {1}, 785, null, null);
        moreStepsThanTokens.setModel("mnist-masked");
        for (SampleRequest request : List.of(outOfRange, labelForArticle, ddimForArticle, articleForCond, negativeGuidance,
                maskedForCond, ddimForMasked, moreStepsThanTokens)) {
            produce(request);
        }

        List<SampleFailure> failures = failures(f -> f.getRequestId() != null && f.getRequestId().endsWith(tag), 8);

        assertThat(failures).extracting(f -> f.getRequestId().replace("-" + tag, ""), SampleFailure::getReason)
                .containsExactlyInAnyOrder(
                        org.assertj.core.groups.Tuple.tuple("label-range", FailureReason.INVALID_LABEL),
                        org.assertj.core.groups.Tuple.tuple("label-article", FailureReason.INVALID_LABEL),
                        org.assertj.core.groups.Tuple.tuple("sampler-article", FailureReason.UNKNOWN_SAMPLER),
                        org.assertj.core.groups.Tuple.tuple("sampler-cond", FailureReason.UNKNOWN_SAMPLER),
                        org.assertj.core.groups.Tuple.tuple("guidance", FailureReason.INVALID_GUIDANCE),
                        org.assertj.core.groups.Tuple.tuple("masked-cond", FailureReason.UNKNOWN_SAMPLER),
                        org.assertj.core.groups.Tuple.tuple("ddim-masked", FailureReason.UNKNOWN_SAMPLER),
                        org.assertj.core.groups.Tuple.tuple("steps-masked", FailureReason.INVALID_STEPS));
        assertThat(failures).filteredOn(f -> f.getRequestId().startsWith("ddim-masked")).singleElement()
                .extracting(SampleFailure::getMessage).asString().contains("[masked, masked-confidence]");
        assertThat(failures).filteredOn(f -> f.getRequestId().startsWith("sampler-cond")).singleElement()
                .extracting(SampleFailure::getMessage).asString().contains("[ddim, ddpm, dpm-solver]");
        assertThat(sampler.state()).isEqualTo(KafkaStreams.State.RUNNING);
    }

    @Test
    void badInputBecomesFailureRecordsAndTheAppKeepsRunning() throws Exception {
        String tag = UUID.randomUUID().toString();
        produceRaw("garbage-" + tag, "not avro at all".getBytes());
        produceRaw("unknown-id-" + tag, new byte[] {0, 0x7f, 0x7f, 0x7f, 0x7f, 1, 2, 3});
        produce(request("steps-" + tag, new long[] {1}, 0, null, "article"));
        produce(request("seeds-" + tag, new long[0], 8, null, "article"));
        produce(request("sampler-" + tag, new long[] {1}, 8, null, "no-such-sampler"));
        produce(request("version-" + tag, new long[] {1}, 8, 99, "article"));
        SampleRequest unknownModel = request("model-" + tag, new long[] {1}, 8, null, "article");
        unknownModel.setModel("no-such-model");
        produce(unknownModel);
        SampleRequest noPriority = request("priority-" + tag, new long[] {1}, 8, null, "article");
        noPriority.setPriority(0);
        produce(noPriority);
        SampleRequest noDeadline = request("deadline-" + tag, new long[] {1}, 8, null, "article");
        noDeadline.setDeadlineMs(0L);
        produce(noDeadline);
        SampleRequest late = request("late-" + tag, new long[] {1, 2}, 8, null, "article");
        late.setRequestedAt(Instant.now().minusSeconds(3600).truncatedTo(ChronoUnit.MILLIS));
        late.setDeadlineMs(1000L);
        produce(late);

        List<SampleFailure> failures = failures(f -> f.getRequestId() == null
                ? f.getSource() != null && new String(bytes(f.getSource().getKey())).endsWith(tag)
                : f.getRequestId().endsWith(tag), 10);

        assertThat(failures).extracting(SampleFailure::getReason).containsExactlyInAnyOrder(
                FailureReason.UNDECODABLE, FailureReason.UNDECODABLE, FailureReason.INVALID_STEPS,
                FailureReason.INVALID_SEEDS, FailureReason.UNKNOWN_SAMPLER, FailureReason.UNKNOWN_VERSION,
                FailureReason.UNKNOWN_MODEL, FailureReason.INVALID_PRIORITY, FailureReason.INVALID_DEADLINE,
                FailureReason.DEADLINE_EXCEEDED);
        SampleFailure garbage = failures.stream()
                .filter(f -> f.getSource() != null && new String(bytes(f.getSource().getKey())).equals("garbage-" + tag))
                .findFirst().orElseThrow();
        assertThat(new String(bytes(garbage.getSource().getValue()))).isEqualTo("not avro at all");
        assertThat(garbage.getSource().getTopic()).isEqualTo(topics.requests.name());
        assertThat(garbage.getMessage()).contains("magic byte");
        assertThat(failures).filteredOn(f -> f.getReason() == FailureReason.UNKNOWN_MODEL).singleElement()
                .extracting(SampleFailure::getMessage).asString()
                .as("an unknown model's failure names the models there are")
                .contains("'no-such-model'", "models served: [mnist, mnist-cond, mnist-masked]");
        assertThat(sampler.state()).isEqualTo(KafkaStreams.State.RUNNING);
    }

    @Test
    void healthReadinessAndMetricsAnswerOverHttp() throws Exception {
        HttpClient http = HttpClient.newHttpClient();
        String base = "http://127.0.0.1:" + sampler.httpPort();

        HttpResponse<String> health = http.send(HttpRequest.newBuilder(URI.create(base + "/health")).build(),
                HttpResponse.BodyHandlers.ofString());
        HttpResponse<String> ready = http.send(HttpRequest.newBuilder(URI.create(base + "/ready")).build(),
                HttpResponse.BodyHandlers.ofString());
        HttpResponse<String> metrics = http.send(HttpRequest.newBuilder(URI.create(base + "/metrics")).build(),
                HttpResponse.BodyHandlers.ofString());

        assertThat(health.statusCode()).isEqualTo(200);
        assertThat(ready.statusCode()).isEqualTo(200);
        assertThat(metrics.statusCode()).isEqualTo(200);
        assertThat(metrics.body()).contains("denoise_model_version{model=\"mnist\"} 1",
                "denoise_batch_size_bucket{le=\"64\"}", "denoise_failures_total{reason=\"UNDECODABLE\"}",
                "denoise_pending_seeds", "denoise_images_total");
    }

    private static SampleRequest request(long[] seeds, int steps, Integer pinned) {
        return request(UUID.randomUUID().toString(), seeds, steps, pinned, "article");
    }

    private static SampleRequest request(String id, long[] seeds, Integer steps, Integer pinned, String samplerName) {
        return SampleRequest.newBuilder()
                .setRequestId(id)
                .setSeeds(LongStream.of(seeds).boxed().toList())
                .setSteps(steps)
                .setSampler(samplerName)
                .setPinnedVersion(pinned)
                .setRequestedAt(Instant.now())
                .build();
    }

    private static void produce(SampleRequest request) throws Exception {
        try (KafkaProducer<String, SampleRequest> producer = new KafkaProducer<>(connection.clientConfig(),
                topics.requests.keySerde().serializer(), topics.requests.valueSerde().serializer())) {
            producer.send(new ProducerRecord<>(topics.requests.name(), request.getRequestId(), request)).get();
        }
    }

    private static void produceRaw(String key, byte[] value) throws Exception {
        try (KafkaProducer<String, byte[]> producer = new KafkaProducer<>(connection.clientConfig(),
                new StringSerializer(), new ByteArraySerializer())) {
            producer.send(new ProducerRecord<>(topics.requests.name(), key, value)).get();
        }
    }

    private static List<GeneratedImage> imagesOf(String requestId, int count) {
        return TopicReader.read(connection, topics.images, i -> i.getRequestId().equals(requestId), count);
    }

    private static List<SampleFailure> failures(Predicate<SampleFailure> filter, int count) {
        return TopicReader.read(connection, topics.failures, filter, count);
    }


    private static byte[] pixels(GeneratedImage image) throws java.io.IOException {
        BufferedImage png = ImageIO.read(new ByteArrayInputStream(bytes(image.getPng())));
        assertThat(png.getWidth()).isEqualTo(28);
        assertThat(png.getHeight()).isEqualTo(28);
        return (byte[]) png.getRaster().getDataElements(0, 0, 28, 28, null);
    }

    private static byte[] bytes(ByteBuffer buffer) {
        ByteBuffer copy = buffer.duplicate();
        byte[] bytes = new byte[copy.remaining()];
        copy.get(bytes);
        return bytes;
    }
}
