package dev.denoise.diffusion;

/**
 * diffusers' {@code DDPMScheduler} with its default fixed-small variance: from timestep t to the
 * next visited one (clean after the last), x = the posterior mean of x̂₀ and x, plus noise of
 * the posterior's variance except on the step from t = 0. The noise comes from the image's seed
 * and the step, so an image stays a function of its seed.
 */
final class DdpmTrajectory extends DiffusersTrajectory {

    DdpmTrajectory(long seed, int steps, int label, float scale, float[] start, DiffusersSchedule schedule, int noClass) {
        super(seed, steps, label, scale, start, schedule, noClass, schedule.timesteps(steps));
    }

    @Override
    void move(float[] output) {
        int i = step();
        int t = timesteps[i];
        double alphaBar = schedule.alphaBar(t);
        double alphaBarPrevious = i + 1 < steps() ? schedule.alphaBar(timesteps[i + 1]) : 1.0;
        double alphaNow = alphaBar / alphaBarPrevious;
        double betaNow = 1 - alphaNow;
        estimate(output, alphaBar);
        clipEstimate();
        float x0Coefficient = (float) (Math.sqrt(alphaBarPrevious) * betaNow / (1 - alphaBar));
        float xCoefficient = (float) (Math.sqrt(alphaNow) * (1 - alphaBarPrevious) / (1 - alphaBar));
        float deviation = t > 0 ? (float) Math.sqrt(Math.max(1e-20, (1 - alphaBarPrevious) / (1 - alphaBar) * betaNow)) : 0f;
        float[] z = deviation > 0 ? GaussianNoise.image(seed(), i + 1, x.length) : null;
        for (int p = 0; p < x.length; p++) {
            x[p] = x0Coefficient * x0[p] + xCoefficient * x[p] + (z == null ? 0f : deviation * z[p]);
        }
    }
}
