package dev.denoise.trainer;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import dev.denoise.diffusion.ArticleSampler;
import dev.denoise.diffusion.ContactSheet;
import dev.denoise.diffusion.Corruption;
import dev.denoise.diffusion.Denoiser;
import dev.denoise.diffusion.UniformNoise;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.SplittableRandom;

/** What the trainer measures after each epoch: denoising MSE by noise amount, sample sheets. */
final class DenoisingEvaluation {

    static final double[] NOISE_AMOUNTS = {0.1, 0.3, 0.5, 0.7, 0.9};
    static final int[] SHEET_STEPS = {8, 40};
    static final int SHEET_IMAGES = 64;
    private static final int BATCH = 250;
    private static final long NOISE_SEED = 0x5EED_0F_E7A1L;

    private DenoisingEvaluation() {
    }

    /** Mean squared error of the prediction against the clean images, keyed {@code mse@0.1} …. */
    static Map<String, Double> mseByNoise(Denoiser denoiser, MnistDataset heldOut) {
        Map<String, Double> result = new LinkedHashMap<>();
        int pixels = heldOut.pixelsPerImage();
        for (double amount : NOISE_AMOUNTS) {
            // The same noise every epoch, so epochs compare on identical inputs.
            SplittableRandom random = new SplittableRandom(NOISE_SEED);
            double squaredErrors = 0;
            for (int from = 0; from < heldOut.count(); from += BATCH) {
                int n = Math.min(BATCH, heldOut.count() - from);
                float[] clean = new float[n * pixels];
                for (int i = 0; i < n; i++) {
                    heldOut.copyImage(from + i, clean, i * pixels);
                }
                float[] noise = new float[n * pixels];
                UniformNoise.fill(random, noise, 0, noise.length);
                Shape shape = denoiser.architecture().inputShape(n);
                try (NDManager call = denoiser.manager().newSubManager()) {
                    NDArray x = call.create(clean, shape);
                    NDArray a = call.full(new Shape(n, 1, 1, 1), (float) amount);
                    NDArray prediction = denoiser.predict(
                            Corruption.apply(x, a, call.create(noise, shape)));
                    squaredErrors += prediction.sub(x).square().sum().getFloat();
                }
            }
            result.put(mseKey(amount), squaredErrors / ((double) heldOut.count() * pixels));
        }
        return result;
    }

    static String mseKey(double amount) {
        return String.format(Locale.ROOT, "mse@%.1f", amount);
    }

    /** Contact sheets of samples from seeds 0..63 at 8 and 40 steps; returns the files written. */
    static List<Path> writeSampleSheets(Denoiser denoiser, Path dir, String prefix)
            throws IOException {
        long[] seeds = new long[SHEET_IMAGES];
        for (int i = 0; i < seeds.length; i++) {
            seeds[i] = i;
        }
        List<Path> written = new ArrayList<>();
        Shape image = denoiser.architecture().imageShape();
        for (int steps : SHEET_STEPS) {
            List<byte[]> samples = new ArticleSampler().sample(denoiser, seeds, steps);
            Path file = dir.resolve(String.format(Locale.ROOT, "%s-steps-%02d.png", prefix, steps));
            Files.write(file, new ContactSheet(8, 2, 1).renderPng(samples,
                    (int) image.get(2), (int) image.get(1)));
            written.add(file);
        }
        return written;
    }
}
