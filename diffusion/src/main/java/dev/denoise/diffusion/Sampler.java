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
}
