package dev.denoise.trainer;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import dev.denoise.diffusion.CondUNet;
import dev.denoise.diffusion.Denoiser;
import dev.denoise.diffusion.GaussianNoise;
import dev.denoise.diffusion.NoiseScheduleSampler;
import dev.denoise.diffusion.Prediction;
import java.io.IOException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * The recipe of the class-conditioned models: images scaled to [-1, 1], a timestep drawn
 * uniformly per image, x_t = α·x₀ + σ·ε on {@link Prediction#SCHEDULE}, MSE against v = α·ε − σ·x₀;
 * the label is replaced by "no class" for {@link #LABEL_DROPOUT} of the images, so that one
 * network also predicts unconditionally and classifier-free guidance works. The weights are
 * published as their exponential moving average. Judged by held-out v-MSE by timestep and by
 * 8-step DDIM samples with the default guidance.
 */
final class GuidedRecipe implements Recipe {
    static final double LABEL_DROPOUT = 0.1;
    static final float AVERAGE_DECAY = 0.995f;
    static final int[] HELD_OUT_TIMESTEPS = {100, 300, 500, 700, 900};
    static final int[] SHEET_STEPS = {8, 20};
    static final int QUALITY_STEPS = 8;
    private static final int BATCH = 250;
    private static final long NOISE_SEED = 0x5EED_0F_C0D1L;

    @Override
    public NDArray loss(Denoiser denoiser, NDManager batch, float[] clean, int[] labels, SplittableRandom random) {
        int n = labels.length;
        int[] timesteps = new int[n];
        int[] asked = new int[n];
        for (int i = 0; i < n; i++) {
            timesteps[i] = random.nextInt(Prediction.SCHEDULE_LENGTH);
            asked[i] = random.nextDouble() < LABEL_DROPOUT ? CondUNet.NO_CLASS : labels[i];
        }
        float[] noise = new float[clean.length];
        GaussianNoise.fill(random, noise, 0, noise.length);
        return vLoss(denoiser, batch, clean, timesteps, asked, noise);
    }

    /** MSE of the predicted v at the given timesteps, labels and noise; the inputs are built here in Java. */
    private static NDArray vLoss(Denoiser denoiser, NDManager batch, float[] clean, int[] timesteps, int[] labels,
                                 float[] noise) {
        int n = timesteps.length;
        int pixels = clean.length / n;
        float[] noisy = new float[clean.length];
        float[] target = new float[clean.length];
        for (int i = 0; i < n; i++) {
            double alphaBar = Prediction.SCHEDULE.alphaBar(timesteps[i]);
            float alpha = (float) Math.sqrt(alphaBar);
            float sigma = (float) Math.sqrt(1 - alphaBar);
            for (int p = i * pixels; p < (i + 1) * pixels; p++) {
                float x0 = 2 * clean[p] - 1;
                noisy[p] = alpha * x0 + sigma * noise[p];
                target[p] = alpha * noise[p] - sigma * x0;
            }
        }
        Shape shape = denoiser.architecture().inputShape(n);
        NDArray prediction = denoiser.predict(CondUNet.inputs(batch.create(noisy, shape), timesteps, labels), true);
        return prediction.sub(batch.create(target, shape)).square().mean();
    }

    @Override
    public Map<String, Double> heldOut(Denoiser denoiser, MnistDataset heldOut) {
        Map<String, Double> result = new LinkedHashMap<>();
        int pixels = heldOut.pixelsPerImage();
        for (int t : HELD_OUT_TIMESTEPS) {
            SplittableRandom random = new SplittableRandom(NOISE_SEED); // the same noise every epoch
            double sum = 0;
            for (int from = 0; from < heldOut.count(); from += BATCH) {
                int n = Math.min(BATCH, heldOut.count() - from);
                float[] clean = new float[n * pixels];
                int[] labels = new int[n];
                int[] timesteps = new int[n];
                for (int i = 0; i < n; i++) {
                    heldOut.copyImage(from + i, clean, i * pixels);
                    labels[i] = heldOut.labels()[from + i];
                    timesteps[i] = t;
                }
                float[] noise = new float[clean.length];
                GaussianNoise.fill(random, noise, 0, noise.length);
                try (NDManager call = denoiser.manager().newSubManager()) {
                    sum += vLoss(denoiser, call, clean, timesteps, labels, noise).getFloat() * n;
                }
            }
            result.put(String.format(Locale.ROOT, "vmse@t%d", t), sum / heldOut.count());
        }
        return result;
    }

    /** A row per digit, eight seeds a row, at 8 and 20 DDIM steps with the default guidance. */
    @Override
    public List<Path> writeSheets(Denoiser denoiser, Path dir, String prefix) throws IOException {
        return DigitSheets.write(new NoiseScheduleSampler(NoiseScheduleSampler.DDIM), denoiser, CondUNet.DEFAULT_GUIDANCE, SHEET_STEPS, dir, prefix);
    }

    @Override
    public List<byte[]> qualitySamples(Denoiser denoiser, long[] seeds, int[] labels) {
        return new NoiseScheduleSampler(NoiseScheduleSampler.DDIM).sample(denoiser, seeds, labels, CondUNet.DEFAULT_GUIDANCE,
                QUALITY_STEPS);
    }

    @Override
    public String qualityDescription() {
        return QUALITY_STEPS + " ddim steps, guidance " + CondUNet.DEFAULT_GUIDANCE;
    }

    @Override
    public boolean labelled() {
        return true;
    }

    @Override
    public float averageDecay() {
        return AVERAGE_DECAY;
    }
}
