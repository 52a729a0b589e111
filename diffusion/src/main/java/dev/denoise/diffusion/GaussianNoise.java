package dev.denoise.diffusion;

import java.util.SplittableRandom;

/**
 * Standard normal noise generated in Java from explicit seeds (Box-Muller over {@link
 * UniformNoise}'s generator), so an image's start and its ancestral sampler's per-step noise
 * depend only on its seed and the step: never on the engine, the device or the batch.
 */
public final class GaussianNoise {

    private GaussianNoise() {
    }

    /** A batch: image i's {@code pixelsPerImage} values come from {@code seeds[i]} and {@code stream} alone. */
    public static float[] batch(long[] seeds, long stream, int pixelsPerImage) {
        float[] noise = new float[seeds.length * pixelsPerImage];
        for (int i = 0; i < seeds.length; i++) {
            fill(new SplittableRandom(mix(seeds[i], stream)), noise, i * pixelsPerImage, pixelsPerImage);
        }
        return noise;
    }

    /** One image's {@code pixels} values from {@code seed} and {@code stream}: exactly its part of {@link #batch}. */
    public static float[] image(long seed, long stream, int pixels) {
        float[] noise = new float[pixels];
        fill(new SplittableRandom(mix(seed, stream)), noise, 0, pixels);
        return noise;
    }

    /** Fills {@code length} values of {@code target} from {@code offset} with noise from {@code random}. */
    public static void fill(SplittableRandom random, float[] target, int offset, int length) {
        for (int i = 0; i < length; i += 2) {
            double u = 1.0 - random.nextDouble(); // (0, 1]: the logarithm stays finite
            double radius = Math.sqrt(-2 * Math.log(u));
            double angle = 2 * Math.PI * random.nextDouble();
            target[offset + i] = (float) (radius * Math.cos(angle));
            if (i + 1 < length) {
                target[offset + i + 1] = (float) (radius * Math.sin(angle));
            }
        }
    }

    /** One generator seed per (seed, stream): stream 0 is the start, stream k+1 the noise of step k. */
    private static long mix(long seed, long stream) {
        long z = seed * 0x9E3779B97F4A7C15L + stream * 0xC2B2AE3D27D4EB4FL + 0x165667B19E3779F9L;
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }
}
