package dev.denoise.bench;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import dev.denoise.diffusion.ArticleSampler;
import dev.denoise.diffusion.ArticleUNet;
import dev.denoise.diffusion.ComputeDevice;
import dev.denoise.diffusion.CondUNet;
import dev.denoise.diffusion.Denoiser;
import dev.denoise.diffusion.DistilledUNet;
import dev.denoise.diffusion.FlowMapSampler;
import dev.denoise.diffusion.MaskedSampler;
import dev.denoise.diffusion.MaskedUNet;
import dev.denoise.diffusion.NoiseScheduleSampler;
import dev.denoise.diffusion.Prediction;
import dev.denoise.diffusion.UniformNoise;
import dev.denoise.localstack.ProjectHome;
import dev.denoise.trainer.TrainedModel;
import dev.denoise.trainer.TrainedModelFiles;
import dev.denoise.trainer.TrainingStep;
import java.io.IOException;
import java.util.Locale;
import java.util.SplittableRandom;

/**
 * Prints throughput of the article's U-Net: forward images/s at batch 1, 8, 64, 256; 40-step
 * samples/s at batch 64; training images/s at batch 128. Then, in the same JVM (run-to-run noise
 * on a shared 2-core machine is large, so figures are compared within one run), the machine's
 * float32 matrix-multiply peak through the engine and sampling images/s at batch 64 of cond-unet
 * (ddim with guidance at 4, 8 and 20 steps) and masked-unet beside article-unet at 40, each with
 * the fraction of the network's FLOP limit it reaches; last, the quality-matched table of the
 * shipped models (the distilled student at 1, 2 and 4 passes beside its teacher at 8 steps and the
 * article's model at 40). Not a test: figures only. Run with the
 * glibc malloc settings (the launcher sets them).
 */
public final class ModelBenchmark {

    private static final double MIN_SECONDS = 3.0;

    private ModelBenchmark() {
    }

    /** @param threads PyTorch's intra-op threads; 0 for the engine's default */
    static void run(int threads) throws IOException {
        ComputeDevice.configureThreads(threads, 0);
        Device device = ComputeDevice.choose();
        System.out.println("# " + ComputeDevice.describe() + ", MALLOC_MMAP_THRESHOLD_="
                + System.getenv("MALLOC_MMAP_THRESHOLD_"));
        try (Denoiser denoiser = Denoiser.initialized(new ArticleUNet(), device, 1)) {
            for (int batch : new int[] {1, 8, 64, 256}) {
                report("forward", batch, forward(denoiser, batch));
            }
            report("sample-40-steps", 64, sampling(denoiser, 64, 40));
            report("train", 128, training(denoiser, 128));
        }
        samplingComparison(device);
        qualityMatched(device);
    }

    /**
     * The quality-matched table: images/s at batch 64 of the shipped models at the settings they are
     * judged at, side by side in this JVM, beside the Fréchet distance published with each, where
     * its version carries one ({@code denoise evaluate} measures any of them).
     */
    private static void qualityMatched(Device device) throws IOException {
        TrainedModel article = shipped(ProjectHome.SHIPPED_ARTICLE);
        TrainedModel cond = shipped(ProjectHome.SHIPPED_CONDITIONED);
        TrainedModel fast = shipped(ProjectHome.SHIPPED_FAST);
        long[] seeds = new long[64];
        int[] labels = new int[64];
        for (int i = 0; i < seeds.length; i++) {
            seeds[i] = i;
            labels[i] = i % 10;
        }
        System.out.println("quality-matched, batch 64 (Frechet distance as published; floor: two real sets "
                + String.format(Locale.ROOT, "%.1f", cond.metrics().get("classifier.frechet-distance-real")) + ")");
        try (Denoiser articleNet = Denoiser.load(article.weightsPackage(), device);
             Denoiser condNet = Denoiser.load(cond.weightsPackage(), device);
             Denoiser fastNet = Denoiser.load(fast.weightsPackage(), device)) {
            NoiseScheduleSampler ddim = new NoiseScheduleSampler(NoiseScheduleSampler.DDIM);
            FlowMapSampler flowMap = new FlowMapSampler();
            double condRate = 64 / secondsPerCall(() -> ddim.sample(condNet, seeds, labels, CondUNet.DEFAULT_GUIDANCE, 8));
            reportMatched("mnist-cond ddim", 8, Prediction.passes(8, CondUNet.DEFAULT_GUIDANCE), condRate, condRate,
                    cond.metrics().get("classifier.frechet-distance"));
            for (int passes : DistilledUNet.PASSES) {
                double rate = 64 / secondsPerCall(() -> flowMap.sample(fastNet, seeds, labels, CondUNet.DEFAULT_GUIDANCE,
                        passes));
                String suffix = passes == DistilledUNet.FAMILY.defaultSteps() ? "" : DistilledUNet.passesSuffix(passes);
                reportMatched("mnist-fast flow-map", passes, passes, rate, condRate,
                        fast.metrics().get("classifier.frechet-distance" + suffix));
            }
            double articleRate = sampling(articleNet, 64, 40);
            reportMatched("mnist article", 40, 40, articleRate, condRate, null);
        }
    }

    private static TrainedModel shipped(String file) throws IOException {
        return TrainedModelFiles.read(ProjectHome.root().resolve(file));
    }

    private static void reportMatched(String what, int steps, int passes, double imagesPerSecond, double condRate,
                                      Double frechet) {
        System.out.printf(Locale.ROOT, "%-20s %2d steps (%2d passes)  %7.1f images/s  %5.2fx mnist-cond@8  Frechet %s%n",
                what, steps, passes, imagesPerSecond, imagesPerSecond / condRate,
                frechet == null ? "-" : String.format(Locale.ROOT, "%.1f", frechet));
    }

    /** Images/s of each model at its step counts, side by side, against the measured matmul peak. */
    private static void samplingComparison(Device device) {
        double peak = matmulGflops(device);
        System.out.printf(Locale.ROOT, "matmul-peak      2048x2048 float32  %8.1f GFLOP/s%n", peak);
        try (Denoiser article = Denoiser.initialized(new ArticleUNet(), device, 1);
             Denoiser cond = Denoiser.initialized(new CondUNet(), device, 1);
             Denoiser masked = Denoiser.initialized(new MaskedUNet(), device, 1)) {
            long[] seeds = new long[64];
            int[] labels = new int[64];
            for (int i = 0; i < labels.length; i++) {
                labels[i] = i % 10;
            }
            double articleRate = sampling(article, 64, 40);
            reportSampling("article-unet article", 40, articleRate, ARTICLE_MFLOP, 40, peak);
            NoiseScheduleSampler ddim = new NoiseScheduleSampler(NoiseScheduleSampler.DDIM);
            for (int steps : new int[] {4, 8, 20}) {
                double rate = 64 / secondsPerCall(() -> ddim.sample(cond, seeds, labels, CondUNet.DEFAULT_GUIDANCE, steps));
                reportSampling("cond-unet ddim+guidance", steps, rate, uNetMflop(1, 1),
                        Prediction.passes(steps, CondUNet.DEFAULT_GUIDANCE), peak);
                if (steps == 8) {
                    System.out.printf(Locale.ROOT, "cond-unet at 8 steps / article-unet at 40: %.2fx images/s%n",
                            rate / articleRate);
                }
            }
            MaskedSampler unmasking = new MaskedSampler(MaskedSampler.RANDOM_ORDER);
            for (int steps : new int[] {16, 32, 64}) {
                double rate = 64 / secondsPerCall(() -> unmasking.sample(masked, seeds, labels, MaskedUNet.DEFAULT_GUIDANCE, steps));
                reportSampling("masked-unet masked", steps, rate, uNetMflop(3, 2),
                        MaskedSampler.passes(steps, labels[0], MaskedUNet.DEFAULT_GUIDANCE), peak);
            }
        }
    }

    /** 62.7 MFLOP: 2·k²·Cin·Cout·H·W summed over the six 5x5 convolutions. */
    static final double ARTICLE_MFLOP = 2.0 * 25 * (1 * 32 * 784 + 32 * 64 * 196 + 64 * 64 * 49
            + 64 * 64 * 49 + 64 * 32 * 196 + 32 * 1 * 784) / 1e6;

    /**
     * The convolutions of cond-unet's network at 32/64/128 channels with {@code in} channels in
     * and {@code out} out (cond-unet 1 and 1, masked-unet 3 and 2); norms, activations and the
     * small linear layers left out.
     */
    static double uNetMflop(int in, int out) {
        int c0 = 32;
        int c1 = 64;
        int c2 = 128;
        double flops = conv(3, in, c0, 784) // stem
                + residual(c0, c0, 784) + residual(c0, c1, 196) + residual(c1, c2, 49) + residual(c2, c2, 49)
                + residual(2 * c2, c1, 49) + residual(2 * c1, c0, 196) + residual(2 * c0, c0, 784)
                + conv(3, c0, out, 784); // out
        return flops / 1e6;
    }

    private static double residual(int in, int out, int pixels) {
        return conv(3, in, out, pixels) + conv(3, out, out, pixels) + (in == out ? 0 : conv(1, in, out, pixels));
    }

    private static double conv(int kernel, int in, int out, int pixels) {
        return 2.0 * kernel * kernel * in * out * pixels;
    }

    private static void reportSampling(String what, int steps, double imagesPerSecond, double mflop,
                                       int passes, double peakGflops) {
        double gflops = imagesPerSecond * passes * mflop / 1e3;
        System.out.printf(Locale.ROOT, "%-24s %2d steps (%2d passes) batch 64  %7.1f images/s  %5.1f GFLOP/s = %4.1f %% of peak%n",
                what, steps, passes, imagesPerSecond, gflops, 100 * gflops / peakGflops);
    }

    /** The float32 matrix-multiply rate of {@code device} through the engine (2048x2048), in GFLOP/s: the machine's measured peak. */
    static double matmulGflops(Device device) {
        int n = 2048;
        try (NDManager manager = NDManager.newBaseManager(device)) {
            NDArray a = manager.randomUniform(-1, 1, new Shape(n, n));
            NDArray b = manager.randomUniform(-1, 1, new Shape(n, n));
            double seconds = secondsPerCall(() -> {
                try (NDManager call = manager.newSubManager()) {
                    NDArray product = a.matMul(b);
                    product.attach(call);
                    product.getFloat(0, 0);
                }
            });
            return 2.0 * n * n * n / seconds / 1e9;
        }
    }

    private static void report(String what, int batch, double imagesPerSecond) {
        System.out.printf(Locale.ROOT, "%-16s batch %3d  %8.1f images/s  threads=%d%n",
                what, batch, imagesPerSecond, ComputeDevice.threads());
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
        TrainingStep step = TrainingStep.withAdam(denoiser, 1e-3f);
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
