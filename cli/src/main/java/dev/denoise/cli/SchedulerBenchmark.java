package dev.denoise.cli;

import dev.denoise.diffusion.ComputeDevice;
import dev.denoise.diffusion.ComputeThread;
import dev.denoise.localstack.StackEndpoints;
import dev.denoise.sampler.SamplerSettings;
import dev.denoise.sampler.Scheduling;
import dev.denoise.sampler.StreamSampler;
import dev.denoise.schemas.config.ConnectionSettings;
import dev.denoise.trainer.TrainerBenchmark;
import java.io.PrintStream;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.LongStream;

/**
 * Continuous (step-level) scheduling against the whole-batch design it replaced, side by side in
 * one JVM on one stack: each round starts a sampler of each policy in turn (which goes first
 * alternates), each on topics of its own with the same untrained article-unet (speed does not
 * depend on the weights), and measures
 * <ol>
 *   <li>head of line: a request for 1,024 seeds at 40 steps, then one second later 4 seeds at 8
 *       steps; the small request's latency beside the burst's own time and images/s;</li>
 *   <li>a mixed load at a share of saturation: per class p50/p99 and images/s. Saturation is the
 *       whole-batch sampler's images/s on the same mix sent as fast as possible, measured first.</li>
 * </ol>
 */
final class SchedulerBenchmark {
    record Options(int burstSeeds, int burstSteps, int smallSeeds, int smallSteps, Mix mix, int mixSeeds, double load,
                   int rounds, int warmUpSeconds) {}

    private record HeadOfLine(double burstSeconds, long smallMs) {}

    private record Run(int round, Scheduling scheduling, HeadOfLine headOfLine, LoadTest.Result mix) {}

    private final Options options;
    private final PrintStream out;

    SchedulerBenchmark(Options options, PrintStream out) {
        this.options = options;
        this.out = out;
    }

    int run(StackEndpoints endpoints) throws Exception {
        out.println("Device: " + ComputeDevice.describe());
        double peak;
        try (ComputeThread compute = new ComputeThread("benchmark-peak")) { // ends before a sampler's starts
            peak = compute.call(() -> TrainerBenchmark.matmulGflops(ComputeDevice.choose()));
        }
        out.printf(Locale.ROOT, "matmul peak (2048x2048 float32): %.1f GFLOP/s%n", peak);
        double saturation = saturation(endpoints);
        double rate = options.load() * saturation / options.mix().meanSeedsPerRequest();
        out.printf(Locale.ROOT, "saturation of the mix %s (whole-batch, sent at once): %.1f images/s; "
                + "load %.0f %% = %.3f requests/s%n", options.mix(), saturation, 100 * options.load(), rate);
        List<Run> runs = new ArrayList<>();
        for (int round = 0; round < options.rounds(); round++) {
            List<Scheduling> order = new ArrayList<>(List.of(Scheduling.WHOLE_BATCH, Scheduling.CONTINUOUS));
            if (round % 2 == 1) {
                Collections.reverse(order);
            }
            for (Scheduling scheduling : order) {
                try (Sampler sampler = new Sampler(endpoints, scheduling)) {
                    SamplerCounters start = sampler.counters();
                    HeadOfLine headOfLine = sampler.headOfLine();
                    String headCounters = sampler.counters().since(start).describe();
                    out.printf(Locale.ROOT, "round %d %-11s head of line: small %d ms, burst %.1f s (%.1f images/s)%n",
                            round + 1, scheduling.settingValue(), headOfLine.smallMs(), headOfLine.burstSeconds(),
                            options.burstSeeds() / headOfLine.burstSeconds());
                    out.printf(Locale.ROOT, "round %d %-11s head of line: %s%n", round + 1, scheduling.settingValue(),
                            headCounters);
                    SamplerCounters before = sampler.counters();
                    LoadTest.Result mix = sampler.mix(rate);
                    out.printf(Locale.ROOT, "round %d %-11s mix: %.1f images/s, missing %d%s%n", round + 1,
                            scheduling.settingValue(), mix.imagesPerSecond(), mix.missing(), classes(mix));
                    out.printf(Locale.ROOT, "round %d %-11s mix: %s%n", round + 1, scheduling.settingValue(),
                            sampler.counters().since(before).describe());
                    runs.add(new Run(round, scheduling, headOfLine, mix));
                }
            }
        }
        return report(runs, peak);
    }

    /**
     * The whole-batch sampler's images/s on the mix sent as fast as possible, after a warm-up: the
     * JIT compiles the Kafka clients' and Streams' code for the first half minute or so, and on two
     * cores its compiler threads take cycles from the forward passes.
     */
    private double saturation(StackEndpoints endpoints) throws Exception {
        try (Sampler sampler = new Sampler(endpoints, Scheduling.WHOLE_BATCH)) {
            long start = System.nanoTime();
            while (System.nanoTime() - start < options.warmUpSeconds() * 1_000_000_000L) {
                sampler.warmUp();
            }
            return sampler.mix(0).imagesPerSecond();
        }
    }

    private static String classes(LoadTest.Result result) {
        StringBuilder text = new StringBuilder();
        for (LoadTest.ClassResult c : result.classes()) {
            text.append(String.format(Locale.ROOT, "; %d steps x %d: p50 %d ms, p99 %d ms (%d images)",
                    c.requestClass().steps(), c.requestClass().seedsPerRequest(), c.latency().p50(), c.latency().p99(),
                    c.received()));
        }
        return text.toString();
    }

    private int report(List<Run> runs, double peak) {
        out.printf(Locale.ROOT, "%nSummary (medians over %d rounds; matmul peak %.1f GFLOP/s)%n", options.rounds(), peak);
        for (Scheduling scheduling : List.of(Scheduling.WHOLE_BATCH, Scheduling.CONTINUOUS)) {
            List<Run> of = runs.stream().filter(r -> r.scheduling() == scheduling).toList();
            double small = median(of.stream().mapToDouble(r -> r.headOfLine().smallMs()).toArray());
            double burst = median(of.stream().mapToDouble(r -> r.headOfLine().burstSeconds()).toArray());
            double p99 = median(of.stream().mapToDouble(r -> r.mix().classes().get(0).latency().p99()).toArray());
            double images = median(of.stream().mapToDouble(r -> r.mix().imagesPerSecond()).toArray());
            out.printf(Locale.ROOT, "%-11s small request %6.0f ms = %5.1f %% of the burst's %5.1f s (%.1f images/s); "
                            + "mix: first class p99 %6.0f ms, %.1f images/s%n", scheduling.settingValue(), small,
                    small / (burst * 10), burst, options.burstSeeds() / burst, p99, images);
        }
        // Ratios within each round, whose two runs are back to back, then their median: the host's
        // speed swings between rounds by more than the differences measured.
        double[][] ratios = new double[options.rounds()][];
        for (int round = 0; round < options.rounds(); round++) {
            int r = round;
            Run before = runs.stream().filter(x -> x.round() == r && x.scheduling() == Scheduling.WHOLE_BATCH).findFirst().orElseThrow();
            Run after = runs.stream().filter(x -> x.round() == r && x.scheduling() == Scheduling.CONTINUOUS).findFirst().orElseThrow();
            ratios[round] = new double[] {
                    (double) after.headOfLine().smallMs() / before.headOfLine().smallMs(),
                    before.headOfLine().burstSeconds() / after.headOfLine().burstSeconds(),
                    (double) after.mix().classes().get(0).latency().p99() / before.mix().classes().get(0).latency().p99(),
                    after.mix().imagesPerSecond() / before.mix().imagesPerSecond()};
            out.printf(Locale.ROOT, "round %d continuous / whole-batch: small-request latency %.3fx, burst images/s %.3fx, "
                    + "first-class p99 %.3fx, mix images/s %.3fx%n", round + 1, ratios[round][0], ratios[round][1],
                    ratios[round][2], ratios[round][3]);
        }
        double[] median = new double[4];
        for (int i = 0; i < 4; i++) {
            int index = i;
            median[i] = median(Arrays.stream(ratios).mapToDouble(r -> r[index]).toArray());
        }
        out.printf(Locale.ROOT, "continuous / whole-batch, median of the rounds' ratios: small-request latency %.3fx, "
                + "burst images/s %.3fx, first-class p99 %.3fx, mix images/s %.3fx%n", median[0], median[1], median[2],
                median[3]);
        boolean missing = runs.stream().anyMatch(r -> r.mix().missing() > 0);
        return missing ? 1 : 0;
    }

    private static double median(double[] values) {
        double[] sorted = values.clone();
        Arrays.sort(sorted);
        int n = sorted.length;
        return n % 2 == 1 ? sorted[n / 2] : (sorted[n / 2 - 1] + sorted[n / 2]) / 2;
    }

    /** A stream-sampler of one policy on topics of its own, warmed up, with a client. */
    private final class Sampler implements AutoCloseable {
        private final ConnectionSettings connection;
        private final StreamSampler sampler;
        private final BenchmarkClient client;

        Sampler(StackEndpoints endpoints, Scheduling scheduling) throws Exception {
            connection = BenchmarkStack.withArticleModel(endpoints);
            SamplerSettings settings = BenchmarkStack.samplerSettings(
                    Map.of(SamplerSettings.SCHEDULING.flag(), scheduling.settingValue()));
            sampler = StreamSampler.start(connection, settings);
            client = new BenchmarkClient(connection);
            while (!sampler.ready()) {
                Thread.sleep(50);
            }
            warmUp();
        }

        /** 256 seeds at the small request's steps, through the whole path. */
        void warmUp() {
            long[] seeds = LongStream.range(-256, 0).toArray();
            client.await(Map.of(client.send(seeds, options.smallSteps()), seeds.length));
        }

        HeadOfLine headOfLine() throws InterruptedException {
            long[] burst = LongStream.range(0, options.burstSeeds()).toArray();
            long[] small = LongStream.range(options.burstSeeds(), options.burstSeeds() + options.smallSeeds()).toArray();
            String burstId = client.send(burst, options.burstSteps());
            client.flush();
            Thread.sleep(1000);
            String smallId = client.send(small, options.smallSteps());
            Map<String, long[]> latencies = client.await(Map.of(burstId, burst.length, smallId, small.length));
            long[] burstMs = latencies.get(burstId);
            long[] smallMs = latencies.get(smallId);
            if (burstMs.length < burst.length || smallMs.length < small.length) {
                throw new IllegalStateException("images missing: " + burstMs.length + " of " + burst.length + " and "
                        + smallMs.length + " of " + small.length);
            }
            return new HeadOfLine(burstMs[burstMs.length - 1] / 1000.0, smallMs[smallMs.length - 1]);
        }

        SamplerCounters counters() throws Exception {
            return SamplerCounters.read(sampler.httpPort());
        }

        /** The mix through {@link LoadTest} at {@code requestsPerSecond} (0: as fast as possible). */
        LoadTest.Result mix(double requestsPerSecond) throws Exception {
            return new LoadTest(connection, options.mix(), 1, Duration.ofMinutes(10))
                    .run(options.mixSeeds(), requestsPerSecond, (done, total) -> { });
        }

        @Override
        public void close() {
            client.close();
            sampler.close();
        }
    }
}
