package dev.denoise.diffusion;

/**
 * diffusers' {@code DPMSolverMultistepScheduler} as DPM-Solver++(2M) (Lu et al., 2022): in
 * λ = −log σ (σ = √((1−ᾱ)/ᾱ)), from σ_s to the next timestep's σ_t (0 after the last), with
 * h = λ_t − λ_s, x = (σ'_t/σ'_s)·x − α_t·(e^−h − 1)·D, where σ' = σ·α and α = 1/√(σ²+1);
 * D = x̂₀ on the first and last steps, else the midpoint rule's x̂₀ + (x̂₀ − x̂₀')/(2r) with
 * r = h'/h from the previous step. The last step lands on x̂₀.
 */
final class DpmSolverTrajectory extends DiffusersTrajectory {
    /** The previous step's clean-image estimate and σ, once there was a previous step. */
    private float[] previousX0;
    private double previousSigma;

    DpmSolverTrajectory(long seed, int steps, int label, float scale, float[] start, DiffusersSchedule schedule,
                        int noClass) {
        super(seed, steps, label, scale, start, schedule, noClass, schedule.dpmSolverTimesteps(steps));
    }

    @Override
    void move(float[] output) {
        int i = step();
        double sigmaS = schedule.sigma(timesteps[i]);
        boolean last = i + 1 == steps();
        double sigmaT = last ? 0 : schedule.sigma(timesteps[i + 1]);
        estimate(output, schedule.alphaBar(timesteps[i]));
        if (sigmaT == 0) {
            System.arraycopy(x0, 0, x, 0, x.length);
        } else {
            double alphaT = 1 / Math.sqrt(sigmaT * sigmaT + 1);
            double alphaS = 1 / Math.sqrt(sigmaS * sigmaS + 1);
            double h = Math.log(sigmaS) - Math.log(sigmaT);
            float ratio = (float) (sigmaT * alphaT / (sigmaS * alphaS));
            float dScale = (float) (alphaT * (Math.exp(-h) - 1));
            boolean secondOrder = previousX0 != null;
            float current = 1f;
            float previous = 0f;
            if (secondOrder) {
                double r = (Math.log(previousSigma) - Math.log(sigmaS)) / h;
                current = (float) (1 + 0.5 / r);
                previous = (float) (0.5 / r);
            }
            for (int p = 0; p < x.length; p++) {
                float d = secondOrder ? current * x0[p] - previous * previousX0[p] : x0[p];
                x[p] = ratio * x[p] - dScale * d;
            }
        }
        previousX0 = previousX0 == null ? x0.clone() : copy(x0, previousX0);
        previousSigma = sigmaS;
    }

    private static float[] copy(float[] from, float[] to) {
        System.arraycopy(from, 0, to, 0, from.length);
        return to;
    }
}
