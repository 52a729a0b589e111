package dev.denoise.trainer;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import dev.denoise.diffusion.CondUNet;
import dev.denoise.diffusion.Denoiser;
import dev.denoise.diffusion.MaskedSampler;
import dev.denoise.diffusion.MaskedUNet;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
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

    @Override
    public NDArray loss(Denoiser denoiser, NDManager batch, float[] clean, int[] labels, SplittableRandom random) {
        int n = labels.length;
        float[] binary = MaskedElbo.binarise(clean, random);
        float[] levels = MaskedElbo.stratifiedLevels(n, random);
        int[] asked = new int[n];
        for (int i = 0; i < n; i++) {
            asked[i] = random.nextDouble() < GuidedRecipe.LABEL_DROPOUT ? CondUNet.NO_CLASS : labels[i];
        }
        return MaskedElbo.nelbo(denoiser, batch, binary, levels, asked, random).mean().div(MaskedUNet.PIXELS);
    }

    /**
     * The held-out digits' negative ELBO in nats an image, without labels; the same binarisation and
     * masks every epoch.
     */
    @Override
    public Map<String, Double> heldOut(Denoiser denoiser, MnistDataset heldOut) {
        return Map.of("nelbo.nats", MaskedElbo.heldOut(denoiser, heldOut, HELD_OUT_DRAWS).nats());
    }

    /** A row per digit, eight seeds a row, at 16 and 32 steps with the default guidance. */
    @Override
    public List<Path> writeSheets(Denoiser denoiser, Path dir, String prefix) throws IOException {
        return DigitSheets.write(new MaskedSampler(MaskedSampler.RANDOM_ORDER), denoiser, MaskedUNet.DEFAULT_GUIDANCE, SHEET_STEPS, dir, prefix);
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
