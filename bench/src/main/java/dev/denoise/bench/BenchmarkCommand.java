package dev.denoise.bench;

import dev.denoise.localstack.StackEndpoints;
import dev.denoise.localstack.StackPortOptions;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code denoise benchmark model|sampler|soak}: speed figures, printed side by side (never timed assertions). */
@Command(name = "benchmark", description = "Measure the models and the serving path (the lab: figures, not tests).",
        subcommands = {BenchmarkCommand.Model.class, BenchmarkCommand.Sampler.class, BenchmarkCommand.Soak.class})
public final class BenchmarkCommand {

    @Command(name = "model", description = "Forward passes/s at batch 1, 8, 64, 256; 40-step samples/s; training images/s; the matmul peak "
            + "and cond-unet (4, 8, 20 ddim steps with guidance) and masked-unet (16, 32, 64 masked steps) beside article-unet "
            + "(40 steps), side by side; then the shipped models' quality-matched table: mnist-fast at 1, 2 and 4 passes beside "
            + "mnist-cond at 8 steps and the article's model at 40, images/s with each one's published Frechet distance.")
    static final class Model implements Callable<Integer> {
        @Option(names = "--threads", defaultValue = "0", description = "PyTorch intra-op threads; 0 for the engine's default.")
        int threads;
        @Option(names = "--torchscript", paramLabel = "FILE", description = "Instead: a TorchScript port of cond-unet "
                + "(tools/torchscript/port_cond_unet.py) against the Java network with the same weights, forward rows/s at "
                + "batch 64 in alternating rounds, and how far their outputs differ.")
        java.nio.file.Path torchScript;
        @Option(names = "--weights", paramLabel = "FILE", defaultValue = "models/mnist-cond.weights",
                description = "The cond-unet weights the port carries (default ${DEFAULT-VALUE}).")
        java.nio.file.Path weights;

        @Override
        public Integer call() throws Exception {
            if (torchScript != null) {
                TorchScriptComparison.run(threads, torchScript, weights);
            } else {
                ModelBenchmark.run(threads);
            }
            return 0;
        }
    }

    @Command(name = "sampler", description = "Images/s of in-process sampling and through Kafka (exactly-once) for the same seeds and steps, "
                    + "in alternating rounds in one sampler, with end-to-end latency; starts the local stack if it is not running and leaves it running (`denoise stack down` stops it).")
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
        @Option(names = "--weights", paramLabel = "FILE", description = "A trained model to serve (its .properties beside "
                + "it), sampled without a label by its default sampler, e.g. models/mnist-fast.weights at --steps 1; "
                + "default an untrained article-unet (speed does not depend on the weights).")
        java.nio.file.Path weights;
        @Mixin
        StackPortOptions ports = new StackPortOptions();

        @Override
        public Integer call() throws Exception {
            StackEndpoints endpoints = ports.stack().up(System.err);
            return new ServingBenchmark(new ServingBenchmark.Options(seeds, steps, perRequest, rounds, warmUpSeconds, weights),
                    System.out).run(endpoints);
        }
    }

    @Command(name = "soak", description = "A long run through Kafka with a hot swap every --swap-every images: images/s, resident "
            + "memory, the JVM's and native memory every --report-every images, and their drift; starts the local stack if "
            + "it is not running and leaves it running (`denoise stack down` stops it).")
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
        StackPortOptions ports = new StackPortOptions();

        @Override
        public Integer call() throws Exception {
            StackEndpoints endpoints = ports.stack().up(System.err);
            new SoakBenchmark(new SoakBenchmark.Options(images, steps, perRequest, inFlight, reportEvery, swapEvery), System.out)
                    .run(endpoints);
            return 0;
        }
    }
}
