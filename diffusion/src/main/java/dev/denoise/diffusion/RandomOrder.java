package dev.denoise.diffusion;

import java.util.SplittableRandom;

/** Uniformly random orders drawn from an explicit generator: the masked sampler's reveal order, the trainers' shuffles. */
public final class RandomOrder {
    private RandomOrder() {
    }

    /** A permutation of 0..n−1 (Fisher-Yates). */
    public static int[] of(int n, SplittableRandom random) {
        int[] order = new int[n];
        for (int i = 0; i < n; i++) {
            order[i] = i;
        }
        for (int i = n - 1; i > 0; i--) {
            int j = random.nextInt(i + 1);
            int swap = order[i];
            order[i] = order[j];
            order[j] = swap;
        }
        return order;
    }
}
