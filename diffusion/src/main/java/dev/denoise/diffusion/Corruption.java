package dev.denoise.diffusion;

import ai.djl.ndarray.NDArray;

/**
 * The article's forward process: x' = x·(1−a) + n·a, with a noise amount a per image in [0,1]
 * and noise n ~ U[0,1) per pixel. a = 0 leaves the image, a = 1 leaves only noise.
 */
public final class Corruption {

    private Corruption() {
    }

    /**
     * @param clean  images (N,C,H,W)
     * @param amount noise amounts, shape (N,1,1,1) (broadcast over each image)
     * @param noise  per-pixel noise, same shape as {@code clean}
     */
    public static NDArray apply(NDArray clean, NDArray amount, NDArray noise) {
        return clean.mul(amount.neg().add(1f)).add(noise.mul(amount));
    }

    /** The same arithmetic on one value, for checks outside the engine. */
    public static float apply(float clean, float amount, float noise) {
        return clean * (1f - amount) + noise * amount;
    }
}
