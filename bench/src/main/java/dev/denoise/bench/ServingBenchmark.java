package dev.denoise.bench;

import dev.denoise.diffusion.ComputeDevice;
import dev.denoise.diffusion.ComputeThread;
import dev.denoise.diffusion.Sampler;
import dev.denoise.localstack.StackEndpoints;
import dev.denoise.sampler.LoadedModel;
import dev.denoise.sampler.SamplingService;
import dev.denoise.sampler.ServiceSettings;
import dev.denoise.schemas.config.ConnectionSettings;
import dev.denoise.trainer.TrainedModelFiles;
import java.io.PrintStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.LongStream;

/**
 * In-process sampling against the same seeds through Kafka, in one running stream-sampler:
 * the in-process rounds run batches of 64 back to back on the sampler's own compute thread, with
 * its loaded model, while Streams idles; the Kafka rounds send the seeds as one burst of requests
 * and time it from the first send to the last image a read_committed consumer sees. The paths
 * alternate (in-process first in odd rounds, Kafka first in even ones), so drift in the machine's
 * speed (it reaches several percent here) hits both alike. A warm-up runs both paths first: the JIT compiles the Kafka clients' and Streams' code
 * for the first ~35 s, and on two cores its compiler threads take cycles from the forward passes.
 */
final class ServingBenchmark {
    private static final int BATCH = 64;
    private static final int WARM_UP_SEEDS = 1024;

    /** @param weights a trained model to serve (its .properties beside it); null for an untrained article-unet */
    record Options(int seeds, int steps, int seedsPerRequest, int rounds, int warmUpSeconds, Path weights) {}

    private record Round(double inProcessSeconds, double kafkaSeconds, double forwardSeconds, long[] latenciesMs) {}

    private final Options options;
    private final PrintStream out;

    ServingBenchmark(Options options, PrintStream out) {
        this.options = options;
        this.out = out;
    }

    /** Runs the benchmark against the stack at {@code endpoints}; 1 if images went missing. */
    int run(StackEndpoints endpoints) throws Exception {
        out.println("Device: " + ComputeDevice.describe());
        ConnectionSettings connection = BenchmarkStack.withModel(endpoints,
                options.weights() == null ? null : TrainedModelFiles.read(options.weights()));
        ServiceSettings settings = BenchmarkStack.samplerSettings(Map.of());
        long[] seeds = LongStream.range(0, options.seeds()).toArray();
        long[] warmUpSeeds = LongStream.range(-WARM_UP_SEEDS, 0).toArray();
        List<Round> rounds = new ArrayList<>();
        int warmedUp = 0;
        double warmUpTook;
        // The service's compute thread is shared: model work of this process runs on that one thread.
        try (ComputeThread compute = new ComputeThread("benchmark-compute");
             SamplingService sampler = SamplingService.start(connection, settings, compute);
             BenchmarkClient client = new BenchmarkClient(connection)) {
            while (!sampler.ready()) {
                Thread.sleep(50);
            }
            long warmUpStart = System.nanoTime();
            do {
                inProcess(sampler, compute, warmUpSeeds);
                burst(client, warmUpSeeds);
                warmedUp += 2 * WARM_UP_SEEDS;
            } while (System.nanoTime() - warmUpStart < options.warmUpSeconds() * 1_000_000_000L);
            warmUpTook = (System.nanoTime() - warmUpStart) / 1e9;
            for (int r = 0; r < options.rounds(); r++) {
                boolean kafkaFirst = r % 2 == 1; // neither path always runs in the other's wake
                double inProcess = kafkaFirst ? 0 : inProcess(sampler, compute, seeds);
                double forwardBefore = forwardSeconds(sampler.httpPort());
                long start = System.nanoTime();
                long[] latencies = burst(client, seeds);
                double kafka = (System.nanoTime() - start) / 1e9;
                double forward = forwardSeconds(sampler.httpPort()) - forwardBefore;
                if (kafkaFirst) {
                    inProcess = inProcess(sampler, compute, seeds);
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

    /**
     * Seconds to sample {@code seeds} in batches of 64 on the sampler's compute thread with its latest
     * model and its default sampler, without a label, as the benchmark's requests ask.
     */
    private double inProcess(SamplingService sampler, ComputeThread compute, long[] seeds) {
        LoadedModel model = sampler.registry().acquire("mnist", 0).orElseThrow();
        Sampler chosen = model.denoiser().architecture().family().defaultSampler();
        try {
            return compute.call(() -> {
                long start = System.nanoTime();
                for (int from = 0; from < seeds.length; from += BATCH) {
                    chosen.sample(model.denoiser(), Arrays.copyOfRange(seeds, from, Math.min(from + BATCH, seeds.length)),
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

    /** Sends {@code seeds} as requests at once and waits for their images; the latencies of all of them, sorted. */
    private long[] burst(BenchmarkClient client, long[] seeds) {
        Map<String, Integer> expected = new HashMap<>();
        for (int from = 0; from < seeds.length; from += options.seedsPerRequest()) {
            long[] part = Arrays.copyOfRange(seeds, from, Math.min(from + options.seedsPerRequest(), seeds.length));
            expected.put(client.send(part, options.steps()), part.length);
        }
        return client.await(expected).values().stream().flatMapToLong(Arrays::stream).sorted().toArray();
    }
}
