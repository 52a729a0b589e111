package dev.denoise.diffusion;

/**
 * The cosine noise schedule of Nichol and Dhariwal (2021) over {@code length} discrete timesteps:
 * x_t = √ᾱ_t·x₀ + √(1−ᾱ_t)·ε. Index t = 0 is the least noisy step, t = length−1 almost pure
 * noise; "clean" (ᾱ = 1) is the state after the last step.
 *
 * <p>Why cosine and not DDPM's linear schedule: on 28x28 images the linear one has destroyed
 * nearly all signal a third of the way in, so a few-step sampler spends most of its steps on
 * noise; the cosine one spreads the signal-to-noise ratio evenly in log space.
 */
public final class NoiseSchedule {
    /** Nichol and Dhariwal's offset, so that β at t = 0 is not vanishingly small. */
    private static final double OFFSET = 0.008;
    /** Their clip on β, which keeps the last steps from dividing by ~0. */
    private static final double MAX_BETA = 0.999;

    private final double[] alphaBar;

    private NoiseSchedule(double[] alphaBar) {
        this.alphaBar = alphaBar;
    }

    /** The cosine schedule over {@code length} timesteps. */
    public static NoiseSchedule cosine(int length) {
        if (length < 2) {
            throw new IllegalArgumentException("a schedule needs at least 2 timesteps, not " + length);
        }
        double[] alphaBar = new double[length];
        double product = 1;
        for (int t = 0; t < length; t++) {
            double beta = Math.min(1 - f(t + 1, length) / f(t, length), MAX_BETA);
            product *= 1 - beta;
            alphaBar[t] = product;
        }
        return new NoiseSchedule(alphaBar);
    }

    private static double f(int t, int length) {
        double c = Math.cos((t / (double) length + OFFSET) / (1 + OFFSET) * Math.PI / 2);
        return c * c;
    }

    public int length() {
        return alphaBar.length;
    }

    /** ᾱ at timestep {@code t}; {@code t = -1} is the clean state (ᾱ = 1). */
    public double alphaBar(int t) {
        return t < 0 ? 1.0 : alphaBar[t];
    }

    /**
     * The timesteps a sampler of {@code steps} steps visits, noisiest first, spaced evenly and
     * ending a step above clean ("trailing" spacing, Lin et al. 2024: the first step starts from
     * the schedule's last, almost pure noise timestep, where the sampler's Gaussian start is right).
     */
    public int[] timesteps(int steps) {
        int length = alphaBar.length;
        if (steps < 1 || steps > length) {
            throw new IllegalArgumentException("steps must be 1.." + length + ", not " + steps);
        }
        int[] timesteps = new int[steps];
        for (int i = 0; i < steps; i++) {
            timesteps[i] = (int) Math.round(length - i * (double) length / steps) - 1;
        }
        return timesteps;
    }
}
