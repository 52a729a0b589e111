package dev.denoise.trainer;

import java.util.SplittableRandom;

/**
 * Independent random streams derived from the run's seed and a position (epoch, batch, …), so
 * any batch's shuffling and noise can be regenerated on resume without replaying the run.
 */
final class SeedStreams {

    private SeedStreams() {
    }

    static SplittableRandom stream(long seed, long... position) {
        long state = seed;
        for (long p : position) {
            state = new SplittableRandom(state ^ (p * 0x9E3779B97F4A7C15L)).nextLong();
        }
        return new SplittableRandom(state);
    }

    /** A permutation of 0..n-1 (Fisher–Yates). */
    static int[] permutation(int n, SplittableRandom random) {
        int[] order = new int[n];
        for (int i = 0; i < n; i++) {
            order[i] = i;
        }
        for (int i = n - 1; i > 0; i--) {
            int j = random.nextInt(i + 1);
            int t = order[i];
            order[i] = order[j];
            order[j] = t;
        }
        return order;
    }
}
