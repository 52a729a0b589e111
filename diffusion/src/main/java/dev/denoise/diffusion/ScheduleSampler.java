package dev.denoise.diffusion;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import java.util.Arrays;
import java.util.List;

/**
 * The samplers of models trained on {@link Prediction#SCHEDULE}, at any step count from 1 to the
 * schedule's length, each step from timestep t to the next one s (or to clean after the last):
 * <ul>
 *   <li>{@code ddim}: DDIM with η = 0 (Song et al., 2021), deterministic:
 *       x_s = α_s·x̂₀ + σ_s·ε̂.</li>
 *   <li>{@code ddpm}: ancestral sampling (DDIM with η = 1, which at every timestep is DDPM):
 *       the posterior's noise is drawn from the image's seed and the step.</li>
 *   <li>{@code dpm-solver}: DPM-Solver++(2M) (Lu et al., 2022), second-order multistep in
 *       λ = log(α/σ) on x̂₀, first order on its first and last steps.</li>
 * </ul>
 * Images start as standard normal noise from their seeds and end in [-1, 1], written as 0..255.
 */
public final class ScheduleSampler implements Sampler {
    public static final String DDIM = "ddim";
    public static final String DDPM = "ddpm";
    public static final String DPM_SOLVER = "dpm-solver";
    /** The names, the default first. */
    public static final List<String> NAMES = List.of(DDIM, DDPM, DPM_SOLVER);

    private final String name;

    public ScheduleSampler(String name) {
        if (!NAMES.contains(name)) {
            throw new IllegalArgumentException("Unknown sampler '" + name + "'; known: " + NAMES);
        }
        this.name = name;
    }

    @Override
    public String name() {
        return name;
    }

    /** Unconditioned: every image asks for no class. */
    @Override
    public List<byte[]> sample(Denoiser denoiser, long[] seeds, int steps) {
        int[] none = new int[seeds.length];
        Arrays.fill(none, CondUNet.NO_CLASS);
        return sample(denoiser, seeds, none, 0f, steps);
    }

    @Override
    public List<byte[]> sample(Denoiser denoiser, long[] seeds, int[] labels, float scale, int steps) {
        Shape shape = denoiser.architecture().inputShape(seeds.length);
        float[] x = run(Prediction.of(denoiser), denoiser.manager(), shape, seeds, labels, scale, steps);
        for (int i = 0; i < x.length; i++) {
            x[i] = (x[i] + 1) / 2;
        }
        int pixels = Math.toIntExact(shape.size() / shape.get(0));
        try (NDManager out = denoiser.manager().newSubManager()) {
            return ArticleSampler.quantise(out.create(x, shape), seeds.length, pixels);
        }
    }

    /** The loop itself, over any network; returns the final images in [-1, 1] (tests use exact networks). */
    float[] run(Prediction.Network network, NDManager parent, Shape shape, long[] seeds, int[] labels,
                float scale, int steps) {
        if (labels.length != seeds.length) {
            throw new IllegalArgumentException(labels.length + " labels for " + seeds.length + " seeds");
        }
        NoiseSchedule schedule = Prediction.SCHEDULE;
        int[] timesteps = schedule.timesteps(steps);
        int pixels = Math.toIntExact(shape.size() / shape.get(0));
        try (NDManager run = parent.newSubManager()) {
            NDArray x = run.create(GaussianNoise.batch(seeds, 0, pixels), shape);
            NDArray previousX0 = null;
            double previousH = Double.NaN;
            for (int i = 0; i < steps; i++) {
                int t = timesteps[i];
                int s = i + 1 < steps ? timesteps[i + 1] : -1;
                NDArray next;
                // Each step's activations live in their own manager, freed when it closes.
                try (NDManager step = run.newSubManager()) {
                    x.tempAttach(step);
                    Prediction.Estimate estimate = Prediction.estimate(network, x, t, labels, scale);
                    double alphaBarT = schedule.alphaBar(t);
                    double alphaBarS = schedule.alphaBar(s);
                    next = switch (name) {
                        case DDIM -> ddim(estimate, alphaBarS);
                        case DDPM -> ddpm(estimate, alphaBarT, alphaBarS,
                                step.create(GaussianNoise.batch(seeds, i + 1, pixels), shape));
                        default -> {
                            double h = s < 0 ? Double.NaN : lambda(alphaBarS) - lambda(alphaBarT);
                            NDArray update = dpmSolver(x, estimate.x0(), previousX0, previousH / h, h,
                                    alphaBarT, alphaBarS);
                            estimate.x0().attach(run);
                            if (previousX0 != null) {
                                previousX0.close();
                            }
                            previousX0 = estimate.x0();
                            previousH = h;
                            yield update;
                        }
                    };
                    next.attach(run);
                }
                x.close();
                x = next;
            }
            return x.toFloatArray();
        }
    }

    private static NDArray ddim(Prediction.Estimate estimate, double alphaBarS) {
        return estimate.x0().mul((float) Math.sqrt(alphaBarS)).add(estimate.noise().mul((float) Math.sqrt(1 - alphaBarS)));
    }

    /** DDPM's posterior at s: variance (1−ᾱ_s)/(1−ᾱ_t)·(1−ᾱ_t/ᾱ_s); none on the step to clean. */
    private static NDArray ddpm(Prediction.Estimate estimate, double alphaBarT, double alphaBarS, NDArray z) {
        double variance = (1 - alphaBarS) / (1 - alphaBarT) * (1 - alphaBarT / alphaBarS);
        return estimate.x0().mul((float) Math.sqrt(alphaBarS))
                .add(estimate.noise().mul((float) Math.sqrt(Math.max(0, 1 - alphaBarS - variance))))
                .add(z.mul((float) Math.sqrt(variance)));
    }

    /**
     * x_s = (σ_s/σ_t)·x − α_s·(e^−h − 1)·D with h = λ_s − λ_t, D = x̂₀ on the first step, else
     * (1 + 1/2r)·x̂₀ − (1/2r)·x̂₀' with r = h'/h (the previous step's h and x̂₀'); x̂₀ on the step to clean.
     */
    private static NDArray dpmSolver(NDArray x, NDArray x0, NDArray previousX0, double r, double h,
                                     double alphaBarT, double alphaBarS) {
        if (Double.isNaN(h)) {
            return x0.duplicate();
        }
        NDArray d = x0;
        if (previousX0 != null) {
            d = x0.mul((float) (1 + 1 / (2 * r))).sub(previousX0.mul((float) (1 / (2 * r))));
        }
        double sigmaRatio = Math.sqrt((1 - alphaBarS) / (1 - alphaBarT));
        return x.mul((float) sigmaRatio).sub(d.mul((float) (Math.sqrt(alphaBarS) * (Math.exp(-h) - 1))));
    }

    private static double lambda(double alphaBar) {
        return 0.5 * Math.log(alphaBar / (1 - alphaBar));
    }
}
