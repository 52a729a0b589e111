package dev.denoise.diffusion;

import java.util.List;

/** Turns seeds into images with a trained {@link Denoiser}. */
public interface Sampler {

    /** Stable identifier, e.g. {@code article}. */
    String name();

    /**
     * One image per seed, each as 8-bit grey pixels in row-major order (H·W bytes, 0 = black).
     * An image depends only on its seed, the step count and the weights, not on its batch-mates.
     */
    List<byte[]> sample(Denoiser denoiser, long[] seeds, int steps);

    /**
     * As above, asking a class-conditioned model for {@code labels[i]} (0-9, or {@link
     * CondUNet#NO_CLASS}) in image i, with classifier-free guidance {@code scale}; the image also
     * depends on its label and the scale. Samplers of unconditioned models do not take labels.
     */
    default List<byte[]> sample(Denoiser denoiser, long[] seeds, int[] labels, float scale, int steps) {
        throw new UnsupportedOperationException("Sampler " + name() + " takes no labels");
    }
}
