package dev.denoise.diffusion;

import java.util.List;

/**
 * The samplers of a model trained with diffusers' conventions, on that model's own schedule
 * ({@link SchedulerConfig}) and prediction type, at any step count up to the schedule's length.
 * Each follows the diffusers scheduler of the same role step for step:
 * <ul>
 *   <li>{@code ddim}: {@code DDIMScheduler} with η = 0 ({@link DdimTrajectory});</li>
 *   <li>{@code ddpm}: {@code DDPMScheduler}, fixed-small variance, its noise drawn from the
 *       image's seed and the step ({@link DdpmTrajectory});</li>
 *   <li>{@code dpm-solver}: {@code DPMSolverMultistepScheduler}, DPM-Solver++(2M) with the
 *       midpoint rule, first order on the first and last steps, ending at σ = 0
 *       ({@link DpmSolverTrajectory}).</li>
 * </ul>
 * Classifier-free guidance mixes the network's outputs on every step, as diffusers' pipelines do:
 * scale 0 asks for no class, 1 for the class alone, more sharpens it.
 */
public final class DiffusersSampler implements Sampler {
    /** The names, the default first: DPM-Solver++ needs the fewest steps. */
    public static final List<String> NAMES = List.of(NoiseScheduleSampler.DPM_SOLVER, NoiseScheduleSampler.DDIM,
            NoiseScheduleSampler.DDPM);

    private final String name;
    private final DiffusersSchedule schedule;
    private final int noClass;

    /** @param noClass the class index that means "no class" to the network */
    public DiffusersSampler(String name, DiffusersSchedule schedule, int noClass) {
        if (!NAMES.contains(name)) {
            throw new IllegalArgumentException("Unknown sampler '" + name + "'; known: " + NAMES);
        }
        this.name = name;
        this.schedule = schedule;
        this.noClass = noClass;
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public Trajectory start(long seed, int steps, int label, float scale, int pixels) {
        return start(seed, steps, label, scale, GaussianNoise.image(seed, 0, pixels));
    }

    /** A trajectory from a given start instead of the seed's noise (tests against diffusers' own runs). */
    Trajectory start(long seed, int steps, int label, float scale, float[] image) {
        return switch (name) {
            case NoiseScheduleSampler.DDIM -> new DdimTrajectory(seed, steps, label, scale, image, schedule, noClass);
            case NoiseScheduleSampler.DDPM -> new DdpmTrajectory(seed, steps, label, scale, image, schedule, noClass);
            default -> new DpmSolverTrajectory(seed, steps, label, scale, image, schedule, noClass);
        };
    }
}
