package dev.denoise.cli;

import dev.denoise.localstack.StackEndpoints;
import dev.denoise.trainer.TrainerBenchmark;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code denoise benchmark model|sampler}: speed figures, printed side by side (never timed assertions). */
@Command(name = "benchmark", description = "Measure the model and the serving path.",
        subcommands = {BenchmarkCommand.Model.class, BenchmarkCommand.Sampler.class})
final class BenchmarkCommand {

    @Command(name = "model", description = "Forward passes/s at batch 1, 8, 64, 256; 40-step samples/s; training images/s; the matmul peak "
            + "and cond-unet (4, 8, 20 ddim steps with guidance) beside article-unet (40 steps), side by side.")
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
}
