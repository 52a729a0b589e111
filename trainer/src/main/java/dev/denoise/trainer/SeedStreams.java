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
}
