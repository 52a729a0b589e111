package dev.denoise.trainer;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import dev.denoise.diffusion.ArticleSampler;
import dev.denoise.diffusion.ArticleUNet;
import dev.denoise.diffusion.ComputeDevice;
import dev.denoise.diffusion.Denoiser;
import dev.denoise.diffusion.Layout;
import dev.denoise.diffusion.UniformNoise;
import java.util.Locale;
import java.util.SplittableRandom;

/**
 * Prints throughput of the article's U-Net: forward images/s at batch 1, 8, 64, 256; 40-step
 * samples/s at batch 64; training images/s at batch 128 — per layout, alternating layouts within
 * one JVM because run-to-run noise on a shared 2-core machine is large. Not a test: figures only.
 * Run with the glibc malloc settings; {@code --threads N} sets PyTorch's intra-op threads,
 * {@code --layouts CHANNELS_LAST,CONTIGUOUS} picks layouts.
 */
public final class TrainerBenchmark {

    private static final double MIN_SECONDS = 3.0;

    private TrainerBenchmark() {
    }

    public static void main(String[] args) {
        int threads = 0;
        String layouts = "CHANNELS_LAST,CONTIGUOUS";
        for (int i = 0; i + 1 < args.length; i += 2) {
            switch (args[i]) {
                case "--threads" -> threads = Integer.parseInt(args[i + 1]);
                case "--layouts" -> layouts = args[i + 1];
                default -> throw new IllegalArgumentException("Unknown option " + args[i]);
            }
        }
        ComputeDevice.configureThreads(threads, 0);
        Device device = ComputeDevice.choose();
        System.out.println("# " + ComputeDevice.describe() + ", MALLOC_MMAP_THRESHOLD_="
                + System.getenv("MALLOC_MMAP_THRESHOLD_"));
        for (String name : layouts.split(",")) {
            Layout layout = Layout.valueOf(name.trim());
            try (Denoiser denoiser = Denoiser.initialized(new ArticleUNet(layout), device, 1)) {
                for (int batch : new int[] {1, 8, 64, 256}) {
                    report("forward", batch, layout, forward(denoiser, batch));
                }
                report("sample-40-steps", 64, layout, sampling(denoiser, 64, 40));
                report("train", 128, layout, training(denoiser, 128));
            }
        }
    }

    private static void report(String what, int batch, Layout layout, double imagesPerSecond) {
        System.out.printf(Locale.ROOT, "%-16s batch %3d  %8.1f images/s  threads=%d layout=%s%n",
                what, batch, imagesPerSecond, ComputeDevice.threads(), layout);
    }

    private static double forward(Denoiser denoiser, int batch) {
        float[] input = UniformNoise.image(1, batch * 784);
        Runnable pass = () -> {
            try (NDManager call = denoiser.manager().newSubManager()) {
                NDArray x = call.create(input, denoiser.architecture().inputShape(batch));
                denoiser.predict(x).toFloatArray();
            }
        };
        return batch / secondsPerCall(pass);
    }

    private static double sampling(Denoiser denoiser, int batch, int steps) {
        long[] seeds = new long[batch];
        ArticleSampler sampler = new ArticleSampler();
        return batch / secondsPerCall(() -> sampler.sample(denoiser, seeds, steps));
    }

    private static double training(Denoiser denoiser, int batch) {
        denoiser.requireGradients(true);
        Adam adam = new Adam(denoiser.block(), denoiser.manager(), 1e-3f);
        TrainingStep step = new TrainingStep(denoiser, Recipe.of(denoiser.architecture()), adam, null);
        float[] clean = new float[batch * 784];
        UniformNoise.fill(new SplittableRandom(1), clean, 0, clean.length);
        int[] labels = new int[batch];
        double seconds = secondsPerCall(() -> step.run(clean, labels, new SplittableRandom(2)));
        denoiser.requireGradients(false);
        return batch / seconds;
    }

    /** Warms up, then times calls until MIN_SECONDS have passed. */
    private static double secondsPerCall(Runnable call) {
        long warmUpEnd = System.nanoTime() + 1_000_000_000L;
        int warmUps = 0;
        while (warmUps < 3 || System.nanoTime() < warmUpEnd) {
            call.run();
            warmUps++;
        }
        long start = System.nanoTime();
        int calls = 0;
        while (calls < 3 || System.nanoTime() - start < MIN_SECONDS * 1e9) {
            call.run();
            calls++;
        }
        return (System.nanoTime() - start) / 1e9 / calls;
    }
}
