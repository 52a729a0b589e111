package dev.denoise.bench;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import dev.denoise.diffusion.ComputeDevice;
import dev.denoise.diffusion.CondUNet;
import dev.denoise.diffusion.Denoiser;
import dev.denoise.diffusion.SchedulerConfig;
import dev.denoise.diffusion.TorchScriptArchitecture;
import dev.denoise.diffusion.UniformNoise;
import dev.denoise.diffusion.WeightsPackage;
import dev.denoise.trainer.TrainedModelFiles;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;

/**
 * The same network served two ways, side by side in one JVM: cond-unet as the project's Java
 * block with the shipped weights, and as a TorchScript archive of a PyTorch port carrying the same
 * weights. Forward rows/s at batch 64 in alternating rounds (so a noisy neighbour hits both), the
 * ratio per round, and the largest difference between their outputs on the same inputs (the
 * proof that the port is the same network).
 */
final class TorchScriptComparison {
    private static final int BATCH = 64;
    private static final int ROUNDS = 3;

    private TorchScriptComparison() {
    }

    static void run(int threads, Path archive, Path weights) throws Exception {
        ComputeDevice.configureThreads(threads, 0);
        Device device = ComputeDevice.choose();
        System.out.println("# " + ComputeDevice.describe());
        System.out.printf(Locale.ROOT, "matmul-peak 2048x2048 float32 %.1f GFLOP/s%n", ModelBenchmark.matmulGflops(device));
        // cond-unet's contract in diffusers' words: its cosine schedule and v-prediction (only the shape and classes matter here).
        TorchScriptArchitecture contract = new TorchScriptArchitecture(new Shape(1, 28, 28), 10, CondUNet.NO_CLASS, List.of(),
                SchedulerConfig.parseJson("{\"beta_schedule\": \"squaredcos_cap_v2\", \"prediction_type\": \"v_prediction\"}",
                        w -> { }), 8, CondUNet.DEFAULT_GUIDANCE);
        byte[] bytes = Files.readAllBytes(archive);
        try (Denoiser java = Denoiser.load(TrainedModelFiles.read(weights).weightsPackage(), device);
             Denoiser torchScript = Denoiser.load(contract, WeightsPackage.of(contract, bytes), device)) {
            System.out.printf(Locale.ROOT, "largest |difference| of outputs, batch %d: %.2e (outputs' mean |value| %.3f)%n",
                    BATCH, difference(java, torchScript), meanMagnitude(java));
            for (int round = 1; round <= ROUNDS; round++) {
                double javaRate = rowsPerSecond(java);
                double scriptRate = rowsPerSecond(torchScript);
                System.out.printf(Locale.ROOT, "round %d  forward batch %d  java %7.1f rows/s  torchscript %7.1f rows/s  "
                        + "torchscript/java %.2fx%n", round, BATCH, javaRate, scriptRate, scriptRate / javaRate);
            }
        }
    }

    private static float[] output(Denoiser denoiser) {
        try (NDManager call = denoiser.manager().newSubManager()) {
            NDArray x = call.create(UniformNoise.image(1, BATCH * 784), denoiser.architecture().inputShape(BATCH));
            return denoiser.predict(denoiser.architecture().forwardInputs(x, timesteps(), labels()), false).toFloatArray();
        }
    }

    private static double difference(Denoiser a, Denoiser b) {
        float[] x = output(a);
        float[] y = output(b);
        double worst = 0;
        for (int i = 0; i < x.length; i++) {
            worst = Math.max(worst, Math.abs(x[i] - y[i]));
        }
        return worst;
    }

    private static double meanMagnitude(Denoiser denoiser) {
        double sum = 0;
        float[] values = output(denoiser);
        for (float v : values) {
            sum += Math.abs(v);
        }
        return sum / values.length;
    }

    private static int[] timesteps() {
        int[] timesteps = new int[BATCH];
        for (int i = 0; i < BATCH; i++) {
            timesteps[i] = (i * 997) % 1000;
        }
        return timesteps;
    }

    private static int[] labels() {
        int[] labels = new int[BATCH];
        for (int i = 0; i < BATCH; i++) {
            labels[i] = i % 11;
        }
        return labels;
    }

    private static double rowsPerSecond(Denoiser denoiser) {
        float[] input = UniformNoise.image(2, BATCH * 784);
        int[] timesteps = timesteps();
        int[] labels = labels();
        Runnable pass = () -> {
            try (NDManager call = denoiser.manager().newSubManager()) {
                NDArray x = call.create(input, denoiser.architecture().inputShape(BATCH));
                denoiser.predict(denoiser.architecture().forwardInputs(x, timesteps, labels), false).toFloatArray();
            }
        };
        long warmUpEnd = System.nanoTime() + 1_000_000_000L;
        while (System.nanoTime() < warmUpEnd) {
            pass.run();
        }
        long start = System.nanoTime();
        int calls = 0;
        while (calls < 3 || System.nanoTime() - start < 3e9) {
            pass.run();
            calls++;
        }
        return BATCH * calls / ((System.nanoTime() - start) / 1e9);
    }
}
