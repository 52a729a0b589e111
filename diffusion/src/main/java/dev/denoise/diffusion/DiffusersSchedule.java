package dev.denoise.diffusion;

/**
 * The arithmetic diffusers' schedulers derive from a {@link SchedulerConfig}: ᾱ for every training
 * timestep (computed in float32, as diffusers does in torch, so the samplers here walk the same
 * numbers) and the timesteps a sampler of a given step count visits. Rounding follows numpy's
 * (half to even), which decides some trailing timesteps.
 */
public final class DiffusersSchedule {
    /** diffusers' cap on β for the cosine schedule. */
    private static final double MAX_BETA = 0.999;

    private final SchedulerConfig config;
    private final float[] alphasCumprod;

    public DiffusersSchedule(SchedulerConfig config) {
        this.config = config;
        this.alphasCumprod = alphasCumprod(config);
    }

    public SchedulerConfig config() {
        return config;
    }

    public int length() {
        return alphasCumprod.length;
    }

    /** ᾱ at training timestep {@code t} (0 ≤ t < length). */
    public double alphaBar(int t) {
        return alphasCumprod[t];
    }

    /**
     * The timesteps DDIM and DDPM visit in {@code steps} steps, noisiest first (diffusers'
     * {@code set_timesteps} of those schedulers).
     */
    public int[] timesteps(int steps) {
        int n = length();
        checkSteps(steps, n);
        int[] timesteps = new int[steps];
        for (int i = 0; i < steps; i++) {
            timesteps[i] = switch (config.timestepSpacing()) {
                case LINSPACE -> (int) Math.rint((steps - 1 - i) * (double) (n - 1) / Math.max(1, steps - 1));
                case LEADING -> (steps - 1 - i) * (n / steps) + config.stepsOffset();
                case TRAILING -> (int) Math.rint(n - i * ((double) n / steps)) - 1;
            };
        }
        return checked(timesteps, n);
    }

    /**
     * The timesteps DPM-Solver visits in {@code steps} steps (diffusers'
     * {@code DPMSolverMultistepScheduler.set_timesteps}: the linspace and leading spacings divide
     * the schedule into steps + 1 parts and drop the last point).
     */
    public int[] dpmSolverTimesteps(int steps) {
        int n = length();
        checkSteps(steps, n);
        int[] timesteps = new int[steps];
        for (int i = 0; i < steps; i++) {
            timesteps[i] = switch (config.timestepSpacing()) {
                case LINSPACE -> (int) Math.rint((steps - i) * (double) (n - 1) / steps);
                case LEADING -> (steps - i) * (n / (steps + 1)) + config.stepsOffset();
                case TRAILING -> (int) Math.rint(n - i * ((double) n / steps)) - 1;
            };
        }
        return checked(timesteps, n);
    }

    /** σ/α = √((1−ᾱ)/ᾱ) at timestep {@code t}: DPM-Solver's noise level. */
    public double sigma(int t) {
        double alphaBar = alphaBar(t);
        return Math.sqrt((1 - alphaBar) / alphaBar);
    }

    private static void checkSteps(int steps, int length) {
        if (steps < 1 || steps > length) {
            throw new IllegalArgumentException("steps must be 1.." + length + " (num_train_timesteps), not " + steps);
        }
    }

    private int[] checked(int[] timesteps, int length) {
        for (int t : timesteps) {
            if (t < 0 || t >= length) {
                throw new IllegalArgumentException("timestep_spacing " + config.timestepSpacing().key + " with steps_offset "
                        + config.stepsOffset() + " reaches timestep " + t + ", outside 0.." + (length - 1));
            }
        }
        return timesteps;
    }

    /** torch's cumprod of float32 (1 − β) on the CPU: a double running product, each entry rounded to float. */
    private static float[] alphasCumprod(SchedulerConfig config) {
        int n = config.numTrainTimesteps();
        float[] alphas = new float[n];
        double product = 1;
        for (int t = 0; t < n; t++) {
            product *= 1f - beta(config, t, n);
            alphas[t] = (float) product;
        }
        return alphas;
    }

    /** β at timestep t as diffusers makes it (float32 linspace, or the capped cosine in double rounded to float). */
    private static float beta(SchedulerConfig config, int t, int n) {
        return switch (config.betaSchedule()) {
            case LINEAR -> linspace((float) config.betaStart(), (float) config.betaEnd(), t, n);
            case SCALED_LINEAR -> {
                float root = linspace((float) Math.sqrt(config.betaStart()), (float) Math.sqrt(config.betaEnd()), t, n);
                yield root * root;
            }
            case SQUAREDCOS_CAP_V2 -> (float) Math.min(1 - cosineAlphaBar((t + 1) / (double) n) / cosineAlphaBar(t / (double) n),
                    MAX_BETA);
        };
    }

    /** torch.linspace in float32: from the start for the first half, from the end for the second. */
    private static float linspace(float start, float end, int i, int n) {
        float step = (end - start) / (n - 1);
        return i < n / 2 ? start + step * i : end - step * (n - 1 - i);
    }

    private static double cosineAlphaBar(double t) {
        double c = Math.cos((t + 0.008) / 1.008 * Math.PI / 2);
        return c * c;
    }
}
