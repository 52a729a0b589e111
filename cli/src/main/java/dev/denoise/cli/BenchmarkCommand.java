package dev.denoise.cli;

import ai.djl.Device;
import dev.denoise.diffusion.ArticleSampler;
import dev.denoise.diffusion.ArticleUNet;
import dev.denoise.diffusion.ComputeDevice;
import dev.denoise.diffusion.Denoiser;
import dev.denoise.diffusion.WeightsPackage;
import dev.denoise.localstack.StackEndpoints;
import dev.denoise.sampler.SamplerSettings;
import dev.denoise.sampler.StreamSampler;
import dev.denoise.schemas.GeneratedImage;
import dev.denoise.schemas.SampleRequest;
import dev.denoise.schemas.Topics;
import dev.denoise.schemas.config.ConnectionSettings;
import dev.denoise.trainer.ModelVersionPublisher;
import dev.denoise.trainer.TrainedModel;
import dev.denoise.trainer.TrainerBenchmark;
import java.nio.file.Files;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.Callable;
import java.util.stream.LongStream;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code denoise benchmark model|sampler}: speed figures, printed side by side (never timed assertions). */
@Command(name = "benchmark", mixinStandardHelpOptions = true, description = "Measure the model and the serving path.",
        subcommands = {BenchmarkCommand.Model.class, BenchmarkCommand.Sampler.class})
final class BenchmarkCommand {

    @Command(name = "model", mixinStandardHelpOptions = true,
            description = "Forward passes/s at batch 1, 8, 64, 256; 40-step samples/s; training images/s.")
    static final class Model implements Callable<Integer> {
        @Override
        public Integer call() {
            TrainerBenchmark.main(new String[0]);
            return 0;
        }
    }

    @Command(name = "sampler", mixinStandardHelpOptions = true,
            description = "Images/s of the in-process sampler and through Kafka (exactly-once) for the same seeds and steps, "
                    + "with end-to-end latency; starts the local stack if it is not running.")
    static final class Sampler implements Callable<Integer> {
        @Option(names = "--seeds", defaultValue = "2048", description = "Seeds in total (default ${DEFAULT-VALUE}).")
        int seeds;
        @Option(names = "--steps", defaultValue = "8", description = "Denoising steps (default ${DEFAULT-VALUE}).")
        int steps;
        @Option(names = "--seeds-per-request", defaultValue = "64", description = "Seeds per request (default ${DEFAULT-VALUE}).")
        int perRequest;
        @Mixin
        StackCommand.PortOptions ports = new StackCommand.PortOptions();

        @Override
        public Integer call() throws Exception {
            System.out.println("Device: " + ComputeDevice.describe());
            WeightsPackage weights;
            try (Denoiser denoiser = Denoiser.initialized(new ArticleUNet(), Device.cpu(), 1)) {
                weights = denoiser.weights();
            }
            long[] allSeeds = LongStream.range(0, seeds).toArray();
            // The stack runs during both measurements, so both share the machine with an idle broker.
            StackEndpoints endpoints = ports.stack().up(System.err);
            double inProcess = inProcess(weights, allSeeds);

            ConnectionSettings connection = ConnectionSettings.of(endpoints.bootstrapServers(),
                    endpoints.schemaRegistryUrl(), "bench-" + UUID.randomUUID().toString().substring(0, 8));
            TopicsCommand.create(connection, 4);
            new ModelVersionPublisher(connection).publish(new TrainedModel("mnist", weights.architecture(),
                    weights.hyperParameters(), weights.weights(), weights.sha256(), "benchmark", 0, 0, 1e-3f, 0, 0, Map.of()));
            SamplerSettings settings = SamplerSettings.defaults().withApplicationId("bench-" + UUID.randomUUID())
                    .withStateDir(Files.createTempDirectory("bench-state").toString()).withHttpPort(0);
            try (StreamSampler sampler = StreamSampler.start(connection, settings)) {
                while (!sampler.ready()) {
                    Thread.sleep(50);
                }
                throughKafka(connection, allSeeds, inProcess);
                System.out.printf(Locale.ROOT, "time inside the sampler's forward passes: %.1f s%n",
                        samplingSeconds(sampler.httpPort()));
                System.out.printf(Locale.ROOT, "in-process again, sampler idle: %.1f images/s%n", inProcess(weights, allSeeds));
            }
            return 0;
        }

        private double inProcess(WeightsPackage weights, long[] allSeeds) {
            ArticleSampler sampler = new ArticleSampler();
            try (Denoiser denoiser = Denoiser.load(weights, Device.cpu())) {
                sampler.sample(denoiser, Arrays.copyOf(allSeeds, 64), steps); // warm-up
                long start = System.nanoTime();
                for (int from = 0; from < allSeeds.length; from += 64) {
                    sampler.sample(denoiser, Arrays.copyOfRange(allSeeds, from, Math.min(from + 64, allSeeds.length)), steps);
                }
                return allSeeds.length / ((System.nanoTime() - start) / 1e9);
            }
        }

        private void throughKafka(ConnectionSettings connection, long[] allSeeds, double inProcess) throws Exception {
            Topics topics = Topics.of(connection);
            Map<String, Object> config = new HashMap<>(connection.clientConfig());
            config.put(ConsumerConfig.GROUP_ID_CONFIG, "bench-" + UUID.randomUUID());
            config.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
            config.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
            long[] latenciesMs = new long[allSeeds.length];
            int received = 0;
            try (KafkaConsumer<String, GeneratedImage> consumer = new KafkaConsumer<>(config,
                    topics.images.keySerde().deserializer(), topics.images.valueSerde().deserializer());
                 KafkaProducer<String, SampleRequest> producer = new KafkaProducer<>(connection.clientConfig(),
                         topics.requests.keySerde().serializer(), topics.requests.valueSerde().serializer())) {
                consumer.subscribe(java.util.List.of(topics.images.name()));
                consumer.poll(Duration.ofMillis(500)); // join before the clock starts
                long start = System.nanoTime();
                Map<String, Long> sentAt = new HashMap<>();
                for (int from = 0; from < allSeeds.length; from += perRequest) {
                    SampleRequest request = SampleRequest.newBuilder().setRequestId(UUID.randomUUID().toString())
                            .setSeeds(LongStream.of(Arrays.copyOfRange(allSeeds, from, Math.min(from + perRequest, allSeeds.length)))
                                    .boxed().toList())
                            .setSteps(steps).setRequestedAt(Instant.now()).build();
                    sentAt.put(request.getRequestId(), System.currentTimeMillis());
                    producer.send(new ProducerRecord<>(topics.requests.name(), request.getRequestId(), request));
                }
                producer.flush();
                long deadline = System.currentTimeMillis() + 600_000;
                while (received < allSeeds.length && System.currentTimeMillis() < deadline) {
                    for (ConsumerRecord<String, GeneratedImage> record : consumer.poll(Duration.ofMillis(100))) {
                        Long sent = sentAt.get(record.key());
                        if (sent != null && received < latenciesMs.length) {
                            latenciesMs[received++] = System.currentTimeMillis() - sent;
                        }
                    }
                }
                double kafka = received / ((System.nanoTime() - start) / 1e9);
                long[] sorted = Arrays.copyOf(latenciesMs, received);
                Arrays.sort(sorted);
                System.out.printf(Locale.ROOT, "%n%d seeds, %d steps, %d seeds/request, batch up to 64, %s%n",
                        allSeeds.length, steps, perRequest, ComputeDevice.describe());
                System.out.printf(Locale.ROOT, "%-34s %10s%n", "path", "images/s");
                System.out.printf(Locale.ROOT, "%-34s %10.1f%n", "in-process sampler (batch 64)", inProcess);
                System.out.printf(Locale.ROOT, "%-34s %10.1f   (%.2fx in-process)%n", "through Kafka (exactly-once)",
                        kafka, kafka / inProcess);
                System.out.printf(Locale.ROOT, "wall time through Kafka: %.1f s%n", (System.nanoTime() - start) / 1e9);
                System.out.printf(Locale.ROOT, "end-to-end latency: p50 %d ms, p99 %d ms, max %d ms (%d of %d images)%n",
                        percentile(sorted, 0.50), percentile(sorted, 0.99), sorted.length == 0 ? 0 : sorted[sorted.length - 1],
                        received, allSeeds.length);
            }
        }

        /** The sampler's own account of its sampling time, from /metrics. */
        private static double samplingSeconds(int httpPort) throws Exception {
            String metrics = java.net.http.HttpClient.newHttpClient().send(
                    java.net.http.HttpRequest.newBuilder(java.net.URI.create("http://127.0.0.1:" + httpPort + "/metrics")).build(),
                    java.net.http.HttpResponse.BodyHandlers.ofString()).body();
            return metrics.lines().filter(l -> l.startsWith("denoise_sampling_seconds_total "))
                    .mapToDouble(l -> Double.parseDouble(l.substring(l.indexOf(' ') + 1))).findFirst().orElse(Double.NaN);
        }

        private static long percentile(long[] sorted, double p) {
            return sorted.length == 0 ? 0 : sorted[Math.min(sorted.length - 1, (int) Math.ceil(p * sorted.length) - 1)];
        }
    }
}
