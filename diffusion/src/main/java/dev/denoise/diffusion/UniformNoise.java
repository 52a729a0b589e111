package dev.denoise.diffusion;

import java.util.SplittableRandom;

/**
 * U[0,1) noise generated in Java from explicit seeds, so a value depends only on its seed: never
 * on the engine's global generator, thread count, device, or the other images in a batch.
 */
public final class UniformNoise {

    private UniformNoise() {
    }

    /** One float in [0,1) with 24 random bits (exactly representable, never 1.0). */
    public static float nextUnit(SplittableRandom random) {
        return (random.nextInt() >>> 8) * 0x1.0p-24f;
    }

    /** Fills {@code length} values of {@code target} from {@code offset} with noise from {@code random}. */
    public static void fill(SplittableRandom random, float[] target, int offset, int length) {
        for (int i = offset; i < offset + length; i++) {
            target[i] = nextUnit(random);
        }
    }

    /** One image's noise from its own seed. */
    public static float[] image(long seed, int pixels) {
        float[] noise = new float[pixels];
        fill(new SplittableRandom(seed), noise, 0, pixels);
        return noise;
    }

    /** A batch: image i gets exactly {@link #image(long, int)} of {@code seeds[i]}. */
    public static float[] batch(long[] seeds, int pixelsPerImage) {
        float[] noise = new float[seeds.length * pixelsPerImage];
        for (int i = 0; i < seeds.length; i++) {
            fill(new SplittableRandom(seeds[i]), noise, i * pixelsPerImage, pixelsPerImage);
        }
        return noise;
    }
}
