package dev.denoise.cli;

import ai.djl.Device;
import dev.denoise.diffusion.ArticleSampler;
import dev.denoise.diffusion.ArticleUNet;
import dev.denoise.diffusion.ComputeDevice;
import dev.denoise.diffusion.ComputeThread;
import dev.denoise.diffusion.Denoiser;
import dev.denoise.diffusion.WeightsPackage;
import dev.denoise.localstack.StackEndpoints;
import dev.denoise.sampler.LoadedModel;
import dev.denoise.sampler.SamplerSettings;
import dev.denoise.sampler.StreamSampler;
import dev.denoise.schemas.GeneratedImage;
import dev.denoise.schemas.SampleRequest;
import dev.denoise.schemas.Topics;
import dev.denoise.schemas.config.ConnectionSettings;
import dev.denoise.trainer.ModelVersionPublisher;
import dev.denoise.trainer.TrainedModel;
import java.io.PrintStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.stream.LongStream;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;

/**
 * In-process sampling against the same seeds through Kafka, in one running stream-sampler:
 * the in-process rounds run batches of 64 back to back on the sampler's own compute thread, with
 * its loaded model, while Streams idles; the Kafka rounds send the seeds as one burst of requests
 * and time it from the first send to the last image a read_committed consumer sees. The paths
 * alternate (in-process first in odd rounds, Kafka first in even ones), so drift in the machine's
 * speed (it reaches several percent here) hits both alike. A warm-up runs both paths first: the JIT compiles the Kafka clients' and Streams' code
 * for the first ~35 s, and on two cores its compiler threads take cycles from the forward passes.
 */
final class SamplerBenchmark {
    private static final int BATCH = 64;
    private static final int WARM_UP_SEEDS = 1024;

    record Options(int seeds, int steps, int seedsPerRequest, int rounds, int warmUpSeconds) {}

    private record Round(double inProcessSeconds, double kafkaSeconds, double forwardSeconds, long[] latenciesMs) {}

    private final Options options;
    private final PrintStream out;

    SamplerBenchmark(Options options, PrintStream out) {
        this.options = options;
        this.out = out;
    }

    /** Runs the benchmark against the stack at {@code endpoints}; 1 if images went missing. */
    int run(StackEndpoints endpoints) throws Exception {
        out.println("Device: " + ComputeDevice.describe());
        ConnectionSettings connection = ConnectionSettings.of(endpoints.bootstrapServers(),
                endpoints.schemaRegistryUrl(), "bench-" + UUID.randomUUID().toString().substring(0, 8));
        TopicsCommand.create(connection, 4);
        WeightsPackage weights; // any weights do: speed does not depend on their values
        try (ComputeThread compute = new ComputeThread("benchmark-init")) { // ends before the sampler's starts
            weights = compute.call(() -> {
                try (Denoiser denoiser = Denoiser.initialized(new ArticleUNet(), Device.cpu(), 1)) {
                    return denoiser.weights();
                }
            });
        }
        new ModelVersionPublisher(connection).publish(new TrainedModel("mnist", weights.architecture(),
                weights.hyperParameters(), weights.weights(), weights.sha256(), "benchmark", 0, 0, 1e-3f, 0, 0, Map.of()));
        SamplerSettings settings = SamplerSettings.defaults().withApplicationId("bench-" + UUID.randomUUID())
                .withStateDir(Files.createTempDirectory("bench-state").toString()).withHttpPort(0);
        long[] seeds = LongStream.range(0, options.seeds()).toArray();
        long[] warmUpSeeds = LongStream.range(-WARM_UP_SEEDS, 0).toArray();
        List<Round> rounds = new ArrayList<>();
        int warmedUp = 0;
        double warmUpTook;
        try (StreamSampler sampler = StreamSampler.start(connection, settings);
             Requests requests = new Requests(connection)) {
            while (!sampler.ready()) {
                Thread.sleep(50);
            }
            long warmUpStart = System.nanoTime();
            do {
                inProcess(sampler, warmUpSeeds);
                requests.burst(warmUpSeeds);
                warmedUp += 2 * WARM_UP_SEEDS;
            } while (System.nanoTime() - warmUpStart < options.warmUpSeconds() * 1_000_000_000L);
            warmUpTook = (System.nanoTime() - warmUpStart) / 1e9;
            for (int r = 0; r < options.rounds(); r++) {
                boolean kafkaFirst = r % 2 == 1; // neither path always runs in the other's wake
                double inProcess = kafkaFirst ? 0 : inProcess(sampler, seeds);
                double forwardBefore = forwardSeconds(sampler.httpPort());
                long start = System.nanoTime();
                long[] latencies = requests.burst(seeds);
                double kafka = (System.nanoTime() - start) / 1e9;
                double forward = forwardSeconds(sampler.httpPort()) - forwardBefore;
                if (kafkaFirst) {
                    inProcess = inProcess(sampler, seeds);
                }
                rounds.add(new Round(inProcess, kafka, forward, latencies));
            }
        }
        return report(rounds, warmedUp, warmUpTook);
    }

    private int report(List<Round> rounds, int warmedUp, double warmUpTook) {
        out.printf(Locale.ROOT, "%n%d seeds a round, %d steps, %d seeds/request, batch up to %d, %s%n",
                options.seeds(), options.steps(), options.seedsPerRequest(), BATCH, ComputeDevice.describe());
        out.printf(Locale.ROOT, "after a warm-up of %d seeds in %.1f s, alternating:%n", warmedUp, warmUpTook);
        out.printf(Locale.ROOT, "%-6s %22s %22s %7s %26s%n", "round", "in-process (images/s)",
                "through Kafka (images/s)", "ratio", "Kafka: forward passes / wall");
        double inProcessTotal = 0;
        double kafkaTotal = 0;
        List<long[]> latencies = new ArrayList<>();
        int received = 0;
        for (int r = 0; r < rounds.size(); r++) {
            Round round = rounds.get(r);
            double inProcess = options.seeds() / round.inProcessSeconds();
            double kafka = round.latenciesMs().length / round.kafkaSeconds();
            out.printf(Locale.ROOT, "%-6d %22.1f %22.1f %6.2fx %18.1f / %.1f s%n", r + 1, inProcess, kafka,
                    kafka / inProcess, round.forwardSeconds(), round.kafkaSeconds());
            inProcessTotal += round.inProcessSeconds();
            kafkaTotal += round.kafkaSeconds();
            latencies.add(round.latenciesMs());
            received += round.latenciesMs().length;
        }
        double inProcess = (double) options.seeds() * rounds.size() / inProcessTotal;
        double kafka = received / kafkaTotal;
        out.printf(Locale.ROOT, "%-6s %22.1f %22.1f %6.2fx%n", "all", inProcess, kafka, kafka / inProcess);
        long[] all = latencies.stream().flatMapToLong(Arrays::stream).sorted().toArray();
        out.printf(Locale.ROOT, "end-to-end latency through Kafka (each round is one burst, so it includes the wait "
                        + "behind it): p50 %d ms, p99 %d ms, max %d ms (%d of %d images)%n",
                percentile(all, 0.50), percentile(all, 0.99), all.length == 0 ? 0 : all[all.length - 1],
                received, (long) options.seeds() * rounds.size());
        return received == (long) options.seeds() * rounds.size() ? 0 : 1;
    }

    /** Seconds to sample {@code seeds} in batches of 64 on the sampler's compute thread with its latest model. */
    private double inProcess(StreamSampler sampler, long[] seeds) {
        ArticleSampler article = new ArticleSampler();
        LoadedModel model = sampler.registry().acquire("mnist", 0).orElseThrow();
        try {
            return sampler.onComputeThread(() -> {
                long start = System.nanoTime();
                for (int from = 0; from < seeds.length; from += BATCH) {
                    article.sample(model.denoiser(), Arrays.copyOfRange(seeds, from, Math.min(from + BATCH, seeds.length)),
                            options.steps());
                }
                return (System.nanoTime() - start) / 1e9;
            });
        } finally {
            sampler.registry().release(model);
        }
    }

    /** The sampler's own account of its time in forward passes, from /metrics. */
    private static double forwardSeconds(int httpPort) throws Exception {
        String metrics = HttpClient.newHttpClient().send(
                HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + httpPort + "/metrics")).build(),
                HttpResponse.BodyHandlers.ofString()).body();
        return metrics.lines().filter(l -> l.startsWith("denoise_sampling_seconds_total "))
                .mapToDouble(l -> Double.parseDouble(l.substring(l.indexOf(' ') + 1))).findFirst().orElse(Double.NaN);
    }

    private static long percentile(long[] sorted, double p) {
        return sorted.length == 0 ? 0 : sorted[Math.min(sorted.length - 1, (int) Math.ceil(p * sorted.length) - 1)];
    }

    /**
     * A request producer and a read_committed image consumer: what {@link LoadTest} does at full
     * speed, minus its producer thread, failures consumer and histograms. This client shares the
     * two cores with the sampler it measures; run through LoadTest, the default case measured
     * 0.90x three times where this one measured 0.94x side by side.
     */
    private final class Requests implements AutoCloseable {
        private final Topics topics;
        private final KafkaProducer<String, SampleRequest> producer;
        private final KafkaConsumer<String, GeneratedImage> consumer;

        Requests(ConnectionSettings connection) {
            topics = Topics.of(connection);
            Map<String, Object> config = new HashMap<>(connection.clientConfig());
            config.put(ConsumerConfig.GROUP_ID_CONFIG, "bench-" + UUID.randomUUID());
            config.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
            config.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
            // It is not polled during in-process rounds; it must not be dropped from its group then.
            config.put(ConsumerConfig.MAX_POLL_INTERVAL_MS_CONFIG, (int) Duration.ofHours(1).toMillis());
            consumer = new KafkaConsumer<>(config, topics.images.keySerde().deserializer(),
                    topics.images.valueSerde().deserializer());
            producer = new KafkaProducer<>(connection.clientConfig(), topics.requests.keySerde().serializer(),
                    topics.requests.valueSerde().serializer());
            consumer.subscribe(List.of(topics.images.name()));
        }

        /**
         * Sends {@code seeds} as requests at once and waits for their images; the latencies of the
         * distinct images (request, index), sorted, so a duplicate cannot stand in for a missing one.
         */
        long[] burst(long[] seeds) {
            Map<String, Long> sentAt = new HashMap<>();
            for (int from = 0; from < seeds.length; from += options.seedsPerRequest()) {
                SampleRequest request = SampleRequest.newBuilder().setRequestId(UUID.randomUUID().toString())
                        .setSeeds(LongStream.of(Arrays.copyOfRange(seeds, from,
                                Math.min(from + options.seedsPerRequest(), seeds.length))).boxed().toList())
                        .setSteps(options.steps()).setRequestedAt(Instant.now()).build();
                sentAt.put(request.getRequestId(), System.currentTimeMillis());
                producer.send(new ProducerRecord<>(topics.requests.name(), request.getRequestId(), request));
            }
            producer.flush();
            long[] latenciesMs = new long[seeds.length];
            Set<String> seen = new HashSet<>();
            int received = 0;
            long deadline = System.currentTimeMillis() + 600_000;
            while (received < seeds.length && System.currentTimeMillis() < deadline) {
                for (ConsumerRecord<String, GeneratedImage> record : consumer.poll(Duration.ofMillis(100))) {
                    Long sent = sentAt.get(record.key());
                    if (sent != null && seen.add(record.key() + "#" + record.value().getIndex())) {
                        latenciesMs[received++] = System.currentTimeMillis() - sent;
                    }
                }
            }
            long[] sorted = Arrays.copyOf(latenciesMs, received);
            Arrays.sort(sorted);
            return sorted;
        }

        @Override
        public void close() {
            producer.close();
            consumer.close();
        }
    }
}
