package dev.denoise.diffusion;

/**
 * diffusers' {@code DDIMScheduler} with η = 0: from timestep t to t − length/steps (integer
 * division, whatever the spacing), x = √ᾱ_prev·x̂₀ + √(1−ᾱ_prev)·ε̂; past timestep 0 ᾱ_prev is 1
 * ({@code set_alpha_to_one}) or ᾱ at 0.
 */
final class DdimTrajectory extends DiffusersTrajectory {

    DdimTrajectory(long seed, int steps, int label, float scale, float[] start, DiffusersSchedule schedule, int noClass) {
        super(seed, steps, label, scale, start, schedule, noClass, schedule.timesteps(steps));
    }

    @Override
    void move(float[] output) {
        int t = timesteps[step()];
        int previous = t - schedule.length() / steps();
        double alphaBarPrevious = previous >= 0 ? schedule.alphaBar(previous)
                : schedule.config().setAlphaToOne() ? 1.0 : schedule.alphaBar(0);
        estimate(output, schedule.alphaBar(t));
        clipEstimate();
        float alpha = (float) Math.sqrt(alphaBarPrevious);
        float sigma = (float) Math.sqrt(1 - alphaBarPrevious);
        for (int p = 0; p < x.length; p++) {
            x[p] = alpha * x0[p] + sigma * noise[p];
        }
    }
}
