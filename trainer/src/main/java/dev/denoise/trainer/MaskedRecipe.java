package dev.denoise.trainer;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import dev.denoise.diffusion.CondUNet;
import dev.denoise.diffusion.ContactSheet;
import dev.denoise.diffusion.Denoiser;
import dev.denoise.diffusion.MaskedSampler;
import dev.denoise.diffusion.MaskedUNet;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * The recipe of {@link MaskedUNet}, masked diffusion on binarised digits (MDLM, Sahoo et al.,
 * 2024): each image is binarised afresh every time it is drawn (white with its grey level's
 * probability: dynamic binarisation), a masking level t is drawn per image, each token is masked
 * with probability t, and the loss is the continuous-time ELBO: the cross-entropy of the masked
 * tokens weighted by 1/t. Labels are dropped for {@link GuidedRecipe#LABEL_DROPOUT} of the images
 * as for the guided models, and the weights published as their moving average. Judged by the
 * ELBO on the held-out digits in nats an image, and by samples at 32 steps.
 */
final class MaskedRecipe implements Recipe {
    static final int[] SHEET_STEPS = {16, 32};
    static final int QUALITY_STEPS = 32;
    /** Masking levels drawn per held-out digit for the ELBO estimate. */
    static final int HELD_OUT_DRAWS = 4;
    private static final int BATCH = 250;
    private static final long HELD_OUT_SEED = 0x5EED_0F_E1B0L;

    @Override
    public NDArray loss(Denoiser denoiser, NDManager batch, float[] clean, int[] labels, SplittableRandom random) {
        int n = labels.length;
        float[] binary = binarise(clean, random);
        float[] levels = stratifiedLevels(n, random);
        int[] asked = new int[n];
        for (int i = 0; i < n; i++) {
            asked[i] = random.nextDouble() < GuidedRecipe.LABEL_DROPOUT ? CondUNet.NO_CLASS : labels[i];
        }
        return nelbo(denoiser, batch, binary, levels, asked, random).mean().div(MaskedUNet.PIXELS);
    }

    /** Tokens with some masked, and each token's weight in the ELBO: 1/t where masked at level t, else 0. */
    record Masking(float[] tokens, float[] weights) {
        /** Masks each token of image i with probability {@code levels[i]}, drawing from {@code random}. */
        static Masking of(float[] binary, float[] levels, SplittableRandom random) {
            int pixels = binary.length / levels.length;
            float[] tokens = new float[binary.length];
            float[] weights = new float[binary.length];
            for (int p = 0; p < binary.length; p++) {
                float level = levels[p / pixels];
                boolean masked = random.nextDouble() < level;
                tokens[p] = masked ? MaskedUNet.MASK : binary[p];
                weights[p] = masked ? 1f / level : 0f;
            }
            return new Masking(tokens, weights);
        }
    }

    /**
     * Each image's negative ELBO term at masking level {@code levels[i]} (Sahoo et al., 2024, eq. 10
     * with α_t = 1 − t): Σ over the masked tokens of −log p(token)/t, in nats; shape (n).
     */
    static NDArray nelbo(Denoiser denoiser, NDManager batch, float[] binary, float[] levels, int[] labels,
                         SplittableRandom random) {
        Masking masking = Masking.of(binary, levels, random);
        Shape plane = new Shape(levels.length, 1, 28, 28);
        NDArray logits = denoiser.predict(MaskedUNet.inputs(batch.create(masking.tokens(), plane), labels), true);
        return weightedCrossEntropy(logits, batch.create(binary, plane), batch.create(masking.weights(), plane));
    }

    /**
     * Σ over each image's pixels of weight × −log p(target), for logits (N,2,H,W) over black and
     * white and targets and weights (N,1,H,W); shape (N).
     */
    static NDArray weightedCrossEntropy(NDArray logits, NDArray targets, NDArray weights) {
        NDArray logProbabilities = logits.logSoftmax(1);
        NDArray black = logProbabilities.get(":, 0:1");
        NDArray white = logProbabilities.get(":, 1:2");
        NDArray crossEntropy = black.mul(targets.neg().add(1)).add(white.mul(targets)).neg();
        return crossEntropy.mul(weights).sum(new int[] {1, 2, 3});
    }

    /** Each pixel white with its grey level's probability. */
    static float[] binarise(float[] grey, SplittableRandom random) {
        float[] binary = new float[grey.length];
        for (int p = 0; p < grey.length; p++) {
            binary[p] = random.nextDouble() < grey[p] ? 1f : 0f;
        }
        return binary;
    }

    /** n masking levels in (0, 1], one in each of n equal strata from one random offset: a lower-variance loss. */
    static float[] stratifiedLevels(int n, SplittableRandom random) {
        double offset = random.nextDouble();
        float[] levels = new float[n];
        for (int i = 0; i < n; i++) {
            levels[i] = (float) (1 - (offset + i) / n % 1.0);
        }
        return levels;
    }

    /**
     * The held-out digits' negative ELBO, a bound on −log p(x) in nats an image, without labels (so
     * comparable with unconditional likelihood models); binarised and masked with the same draws every epoch.
     */
    @Override
    public Map<String, Double> heldOut(Denoiser denoiser, MnistDataset heldOut) {
        SplittableRandom random = new SplittableRandom(HELD_OUT_SEED);
        int pixels = heldOut.pixelsPerImage();
        double sum = 0;
        for (int from = 0; from < heldOut.count(); from += BATCH) {
            int n = Math.min(BATCH, heldOut.count() - from);
            float[] grey = new float[n * pixels];
            int[] unconditional = new int[n];
            Arrays.fill(unconditional, CondUNet.NO_CLASS);
            for (int i = 0; i < n; i++) {
                heldOut.copyImage(from + i, grey, i * pixels);
            }
            float[] binary = binarise(grey, random);
            for (int draw = 0; draw < HELD_OUT_DRAWS; draw++) {
                float[] levels = stratifiedLevels(n, random);
                try (NDManager call = denoiser.manager().newSubManager()) {
                    sum += nelbo(denoiser, call, binary, levels, unconditional, random).sum().getFloat();
                }
            }
        }
        return Map.of("nelbo.nats", sum / HELD_OUT_DRAWS / heldOut.count());
    }

    /** A row per digit, eight seeds a row, at 16 and 32 steps with the default guidance. */
    @Override
    public List<Path> writeSheets(Denoiser denoiser, Path dir, String prefix) throws IOException {
        long[] seeds = new long[80];
        int[] labels = new int[80];
        for (int i = 0; i < seeds.length; i++) {
            seeds[i] = i;
            labels[i] = i / 8;
        }
        List<Path> written = new ArrayList<>();
        for (int steps : SHEET_STEPS) {
            List<byte[]> samples = new MaskedSampler(MaskedSampler.RANDOM_ORDER)
                    .sample(denoiser, seeds, labels, MaskedUNet.DEFAULT_GUIDANCE, steps);
            Path file = dir.resolve(String.format(Locale.ROOT, "%s-steps-%02d.png", prefix, steps));
            Files.write(file, new ContactSheet(8, 2, 1).renderPng(samples, 28, 28));
            written.add(file);
        }
        return written;
    }

    @Override
    public List<byte[]> qualitySamples(Denoiser denoiser, long[] seeds, int[] labels) {
        return new MaskedSampler(MaskedSampler.RANDOM_ORDER).sample(denoiser, seeds, labels,
                MaskedUNet.DEFAULT_GUIDANCE, QUALITY_STEPS);
    }

    @Override
    public String qualityDescription() {
        return QUALITY_STEPS + " masked steps, guidance " + MaskedUNet.DEFAULT_GUIDANCE;
    }

    @Override
    public boolean labelled() {
        return true;
    }

    @Override
    public float averageDecay() {
        return GuidedRecipe.AVERAGE_DECAY;
    }
}
