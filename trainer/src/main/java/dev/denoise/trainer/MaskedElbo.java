package dev.denoise.trainer;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import dev.denoise.diffusion.CondUNet;
import dev.denoise.diffusion.Denoiser;
import dev.denoise.diffusion.MaskedUNet;
import java.util.Arrays;
import java.util.SplittableRandom;

/**
 * The masked-diffusion ELBO (Sahoo et al., 2024, MDLM, with the linear schedule α_t = 1 − t): for a
 * binarised image x, −log p(x) ≤ E_t[ Σ over the tokens masked at level t of −log p(token)/t ], in
 * nats. The training loss is its Monte Carlo estimate; {@link #heldOut} its estimate on held-out digits.
 */
public final class MaskedElbo {
    private static final int BATCH = 250;
    private static final long BINARISATION_SEED = 0x5EED_0F_B1AL;
    private static final long MASKING_SEED = 0x5EED_0F_E1B0L;

    private MaskedElbo() {
    }

    /** The mean over the digits and its standard error (over the digits' own estimates), in nats an image. */
    public record Estimate(double nats, double standardError, int digits, int draws) {}

    /**
     * The digits' negative ELBO without labels (so comparable with unconditional likelihood models):
     * each digit binarised once (its grey levels as probabilities, from a fixed seed) and masked at
     * {@code draws} levels, one in each of {@code draws} equal strata of (0, 1] from an offset of its
     * own, so each digit's mean is an estimate of its own bound; the same draws on every call.
     */
    public static Estimate heldOut(Denoiser denoiser, MnistDataset digits, int draws) {
        SplittableRandom binarisation = new SplittableRandom(BINARISATION_SEED);
        SplittableRandom masking = new SplittableRandom(MASKING_SEED);
        int pixels = digits.pixelsPerImage();
        double[] perDigit = new double[digits.count()];
        for (int from = 0; from < digits.count(); from += BATCH) {
            int n = Math.min(BATCH, digits.count() - from);
            float[] grey = new float[n * pixels];
            for (int i = 0; i < n; i++) {
                digits.copyImage(from + i, grey, i * pixels);
            }
            float[] binary = binarise(grey, binarisation);
            int[] unconditional = new int[n];
            Arrays.fill(unconditional, CondUNet.NO_CLASS);
            double[] offsets = new double[n];
            for (int i = 0; i < n; i++) {
                offsets[i] = masking.nextDouble();
            }
            for (int draw = 0; draw < draws; draw++) {
                float[] levels = new float[n];
                for (int i = 0; i < n; i++) {
                    levels[i] = stratum(draw, offsets[i], draws);
                }
                try (NDManager call = denoiser.manager().newSubManager()) {
                    float[] nats = nelbo(denoiser, call, binary, levels, unconditional, masking).toFloatArray();
                    for (int i = 0; i < n; i++) {
                        perDigit[from + i] += nats[i] / draws;
                    }
                }
            }
        }
        double mean = Arrays.stream(perDigit).average().orElse(Double.NaN);
        double variance = Arrays.stream(perDigit).map(v -> (v - mean) * (v - mean)).sum() / (perDigit.length - 1);
        return new Estimate(mean, Math.sqrt(variance / perDigit.length), perDigit.length, draws);
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

    /** Each image's term at masking level {@code levels[i]}, masks drawn from {@code random}: shape (n), nats. */
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
        return MaskedUNet.crossEntropy(logits, targets).mul(weights).sum(new int[] {1, 2, 3});
    }

    /** Each pixel white with its grey level's probability (dynamic binarisation when drawn afresh). */
    static float[] binarise(float[] grey, SplittableRandom random) {
        float[] binary = new float[grey.length];
        for (int p = 0; p < grey.length; p++) {
            binary[p] = random.nextDouble() < grey[p] ? 1f : 0f;
        }
        return binary;
    }

    /**
     * n masking levels, one in each of n equal strata of (0, 1] from one random offset: a
     * lower-variance estimate over a batch (the images of a batch are shuffled every epoch, so no
     * image keeps a stratum).
     */
    static float[] stratifiedLevels(int n, SplittableRandom random) {
        double offset = random.nextDouble();
        float[] levels = new float[n];
        for (int i = 0; i < n; i++) {
            levels[i] = stratum(i, offset, n);
        }
        return levels;
    }

    /** The level in stratum k of n equal strata of (0, 1] at {@code offset} ∈ [0, 1) within it: above 0, at most 1. */
    private static float stratum(int k, double offset, int n) {
        return (float) (1 - (k + offset) / n);
    }
}
