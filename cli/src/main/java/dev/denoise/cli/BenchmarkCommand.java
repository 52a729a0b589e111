package dev.denoise.cli;

import dev.denoise.localstack.StackEndpoints;
import dev.denoise.trainer.TrainerBenchmark;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code denoise benchmark model|sampler|scheduler|soak}: speed figures, printed side by side (never timed assertions). */
@Command(name = "benchmark", description = "Measure the model and the serving path.",
        subcommands = {BenchmarkCommand.Model.class, BenchmarkCommand.Sampler.class, BenchmarkCommand.Scheduler.class,
                BenchmarkCommand.Soak.class})
final class BenchmarkCommand {

    @Command(name = "model", description = "Forward passes/s at batch 1, 8, 64, 256; 40-step samples/s; training images/s; the matmul peak "
            + "and cond-unet (4, 8, 20 ddim steps with guidance) and masked-unet (16, 32, 64 masked steps) beside article-unet "
            + "(40 steps), side by side.")
    static final class Model implements Callable<Integer> {
        @Override
        public Integer call() {
            TrainerBenchmark.main(new String[0]);
            return 0;
        }
    }

    @Command(name = "sampler", description = "Images/s of in-process sampling and through Kafka (exactly-once) for the same seeds and steps, "
                    + "in alternating rounds in one sampler, with end-to-end latency; starts the local stack if it is not running.")
    static final class Sampler implements Callable<Integer> {
        @Option(names = "--seeds", defaultValue = "4096", description = "Seeds a round (default ${DEFAULT-VALUE}).")
        int seeds;
        @Option(names = "--steps", defaultValue = "8", description = "Denoising steps (default ${DEFAULT-VALUE}).")
        int steps;
        @Option(names = "--seeds-per-request", defaultValue = "64", description = "Seeds per request (default ${DEFAULT-VALUE}).")
        int perRequest;
        @Option(names = "--rounds", defaultValue = "4", description = "Rounds of each path (default ${DEFAULT-VALUE}).")
        int rounds;
        @Option(names = "--warm-up-s", defaultValue = "40",
                description = "Seconds of both paths before the rounds (default ${DEFAULT-VALUE}).")
        int warmUpSeconds;
        @Mixin
        StackCommand.PortOptions ports = new StackCommand.PortOptions();

        @Override
        public Integer call() throws Exception {
            StackEndpoints endpoints = ports.stack().up(System.err);
            return new SamplerBenchmark(new SamplerBenchmark.Options(seeds, steps, perRequest, rounds, warmUpSeconds),
                    System.out).run(endpoints);
        }
    }

    @Command(name = "scheduler", description = "Continuous (step-level) scheduling against whole batches, a sampler of each in "
            + "turn: a small request sent 1 s behind a burst, and a mixed load at a share of saturation; starts the local "
            + "stack if it is not running.")
    static final class Scheduler implements Callable<Integer> {
        @Option(names = "--burst", defaultValue = "1024:40", paramLabel = "SEEDS:STEPS",
                description = "The burst (default ${DEFAULT-VALUE}).")
        String burst;
        @Option(names = "--small", defaultValue = "4:8", paramLabel = "SEEDS:STEPS",
                description = "The request sent 1 s behind it (default ${DEFAULT-VALUE}).")
        String small;
        @Option(names = "--mix", defaultValue = "8:4:0.8,40:256:0.2", converter = Mix.Converter.class,
                paramLabel = "STEPS:SEEDS_PER_REQUEST:SHARE,...", description = "The mixed load (default ${DEFAULT-VALUE}).")
        Mix mix;
        @Option(names = "--mix-seeds", defaultValue = "3000", description = "Seeds of each mixed run (default ${DEFAULT-VALUE}).")
        int mixSeeds;
        @Option(names = "--load", defaultValue = "0.8", description = "Share of saturation the mix is sent at (default ${DEFAULT-VALUE}).")
        double load;
        @Option(names = "--rounds", defaultValue = "2", description = "Rounds of each policy (default ${DEFAULT-VALUE}).")
        int rounds;
        @Option(names = "--warm-up-s", defaultValue = "40",
                description = "Seconds of sampling through Kafka before the figures (default ${DEFAULT-VALUE}).")
        int warmUpSeconds;
        @Mixin
        StackCommand.PortOptions ports = new StackCommand.PortOptions();

        @Override
        public Integer call() throws Exception {
            int[] b = seedsAndSteps(burst);
            int[] s = seedsAndSteps(small);
            StackEndpoints endpoints = ports.stack().up(System.err);
            return new SchedulerBenchmark(new SchedulerBenchmark.Options(b[0], b[1], s[0], s[1], mix, mixSeeds, load, rounds,
                    warmUpSeconds),
                    System.out).run(endpoints);
        }

        private static int[] seedsAndSteps(String text) {
            String[] parts = text.split(":");
            if (parts.length != 2) {
                throw new IllegalArgumentException("'" + text + "' is not SEEDS:STEPS");
            }
            return new int[] {Integer.parseInt(parts[0].trim()), Integer.parseInt(parts[1].trim())};
        }
    }

    @Command(name = "soak", description = "A long run through Kafka with a hot swap every --swap-every images: images/s, resident "
            + "memory, the JVM's and native memory every --report-every images, and their drift; starts the local stack if "
            + "it is not running.")
    static final class Soak implements Callable<Integer> {
        @Option(names = "--images", defaultValue = "100000", description = "Images in all (default ${DEFAULT-VALUE}).")
        int images;
        @Option(names = "--steps", defaultValue = "8", description = "Denoising steps (default ${DEFAULT-VALUE}).")
        int steps;
        @Option(names = "--seeds-per-request", defaultValue = "64", description = "Seeds per request (default ${DEFAULT-VALUE}).")
        int perRequest;
        @Option(names = "--in-flight", defaultValue = "8", description = "Requests sent before waiting for their images "
                + "(default ${DEFAULT-VALUE}).")
        int inFlight;
        @Option(names = "--report-every", defaultValue = "10000", description = "Images between reports (default ${DEFAULT-VALUE}).")
        int reportEvery;
        @Option(names = "--swap-every", defaultValue = "10000", description = "Images between hot swaps (default ${DEFAULT-VALUE}).")
        int swapEvery;
        @Mixin
        StackCommand.PortOptions ports = new StackCommand.PortOptions();

        @Override
        public Integer call() throws Exception {
            StackEndpoints endpoints = ports.stack().up(System.err);
            new SoakBenchmark(new SoakBenchmark.Options(images, steps, perRequest, inFlight, reportEvery, swapEvery), System.out)
                    .run(endpoints);
            return 0;
        }
    }
}
