package dev.denoise.diffusion;

import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import java.util.ArrayList;
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
public final class NoiseScheduleSampler implements Sampler {
    public static final String DDIM = "ddim";
    public static final String DDPM = "ddpm";
    public static final String DPM_SOLVER = "dpm-solver";
    /** The names, the default first. */
    public static final List<String> NAMES = List.of(DDIM, DDPM, DPM_SOLVER);

    private final String name;

    public NoiseScheduleSampler(String name) {
        if (!NAMES.contains(name)) {
            throw new IllegalArgumentException("Unknown sampler '" + name + "'; known: " + NAMES);
        }
        this.name = name;
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public Trajectory start(long seed, int steps, int label, float scale, int pixels) {
        return start(seed, steps, label, scale, GaussianNoise.image(seed, 0, pixels));
    }

    /** A trajectory from a given start instead of the seed's noise (tests). */
    Trajectory start(long seed, int steps, int label, float scale, float[] image) {
        return new Descent(seed, steps, label, scale, image);
    }

    /** Samples all {@code seeds} together over any network; the final images in [-1, 1] (tests use exact networks). */
    float[] run(StepBatch.Network network, NDManager parent, Shape shape, long[] seeds, int[] labels, float scale,
                int steps) {
        if (labels.length != seeds.length) {
            throw new IllegalArgumentException(labels.length + " labels for " + seeds.length + " seeds");
        }
        int pixels = Math.toIntExact(shape.size() / shape.get(0));
        List<Trajectory> trajectories = new ArrayList<>();
        for (int i = 0; i < seeds.length; i++) {
            trajectories.add(start(seeds[i], steps, labels[i], scale, pixels));
        }
        StepBatch.runToEnd(network, parent, new Shape(shape.get(1), shape.get(2), shape.get(3)), trajectories);
        float[] x = new float[seeds.length * pixels];
        for (int i = 0; i < seeds.length; i++) {
            System.arraycopy(trajectories.get(i).values(), 0, x, i * pixels, pixels);
        }
        return x;
    }

    /**
     * The DDIM paths of {@code seeds}' noise through {@code denoiser} (a teacher for distillation):
     * element k holds every image's state before step k (the first the seeds' noise), the last
     * element the final images (in the data range), image i at i·pixels; image i asks for {@code labels[i]} at guidance {@code scales[i]}.
     */
    public static float[][] ddimPaths(Denoiser denoiser, long[] seeds, int[] labels, float[] scales, int steps) {
        return ddimPaths(StepBatch.of(denoiser), denoiser.manager(), denoiser.architecture().imageShape(), seeds, labels,
                scales, steps);
    }

    /** As above over any network of images of {@code shape} (C, H, W) (tests use exact ones); its arrays in sub-managers of {@code parent}. */
    public static float[][] ddimPaths(StepBatch.Network network, NDManager parent, Shape shape, long[] seeds,
                                      int[] labels, float[] scales, int steps) {
        int pixels = Math.toIntExact(shape.size());
        NoiseScheduleSampler ddim = new NoiseScheduleSampler(DDIM);
        List<Trajectory> trajectories = new ArrayList<>(seeds.length);
        for (int i = 0; i < seeds.length; i++) {
            trajectories.add(ddim.start(seeds[i], steps, labels[i], scales[i], pixels));
        }
        float[][] states = new float[steps + 1][seeds.length * pixels];
        for (int k = 0; k <= steps; k++) {
            for (int i = 0; i < seeds.length; i++) {
                System.arraycopy(trajectories.get(i).values(), 0, states[k], i * pixels, pixels);
            }
            if (k < steps) {
                StepBatch.advance(network, parent, shape, trajectories);
            }
        }
        return states;
    }

    /** One image descending the schedule, from timestep t to the next one s (or to clean after its last step). */
    private final class Descent extends Trajectory {
        private final int label;
        private final float scale;
        private final int[] timesteps;
        private final float[] v;
        private final float[] x0;
        private final float[] noise;
        /** dpm-solver's previous clean-image estimate and log-SNR step, when there was a previous step. */
        private float[] previousX0;
        private double previousH = Double.NaN;

        Descent(long seed, int steps, int label, float scale, float[] start) {
            super(seed, steps, start);
            this.label = label;
            this.scale = scale;
            this.timesteps = Prediction.SCHEDULE.timesteps(steps);
            this.v = new float[start.length];
            this.x0 = new float[start.length];
            this.noise = new float[start.length];
        }

        private float scaleNow() {
            return Prediction.scaleAt(scale, timesteps[step()]);
        }

        /** Scale 0 or no label: the unconditional row; 1: the conditional one; any other: both. */
        @Override
        public int rows() {
            return scale != 0f && label != CondUNet.NO_CLASS && Prediction.mixes(scaleNow()) ? 2 : 1;
        }

        @Override
        void writeRows(float[] images, int[] timesteps, int[] labels, int row) {
            writeGuidedRows(images, labels, row, label, scale);
            for (int r = 0; r < rows(); r++) {
                timesteps[row + r] = this.timesteps[step()];
            }
        }

        @Override
        void move(float[] outputs, int row) {
            int i = step();
            int t = timesteps[i];
            int s = i + 1 < steps() ? timesteps[i + 1] : -1;
            if (rows() == 2) {
                Prediction.guide(outputs, row, row + 1, scaleNow(), v);
            } else {
                System.arraycopy(outputs, row * x.length, v, 0, x.length);
            }
            Prediction.estimate(x, v, t, x0, noise);
            NoiseSchedule schedule = Prediction.SCHEDULE;
            double alphaBarT = schedule.alphaBar(t);
            double alphaBarS = schedule.alphaBar(s);
            switch (name) {
                case DDIM -> Prediction.ddimMove(x0, noise, alphaBarS, x);
                case DDPM -> ddpm(alphaBarT, alphaBarS, GaussianNoise.image(seed(), i + 1, x.length));
                default -> {
                    double h = s < 0 ? Double.NaN : lambda(alphaBarS) - lambda(alphaBarT);
                    dpmSolver(previousH / h, h, alphaBarT, alphaBarS);
                    previousX0 = previousX0 == null ? x0.clone() : copy(x0, previousX0);
                    previousH = h;
                }
            }
        }

        /** DDPM's posterior at s: variance (1−ᾱ_s)/(1−ᾱ_t)·(1−ᾱ_t/ᾱ_s); none on the step to clean. */
        private void ddpm(double alphaBarT, double alphaBarS, float[] z) {
            double variance = (1 - alphaBarS) / (1 - alphaBarT) * (1 - alphaBarT / alphaBarS);
            float alphaS = (float) Math.sqrt(alphaBarS);
            float noiseScale = (float) Math.sqrt(Math.max(0, 1 - alphaBarS - variance));
            float zScale = (float) Math.sqrt(variance);
            for (int p = 0; p < x.length; p++) {
                x[p] = x0[p] * alphaS + noise[p] * noiseScale + z[p] * zScale;
            }
        }

        /**
         * x_s = (σ_s/σ_t)·x − α_s·(e^−h − 1)·D with h = λ_s − λ_t, D = x̂₀ on the first step, else
         * (1 + 1/2r)·x̂₀ − (1/2r)·x̂₀' with r = h'/h (the previous step's h and x̂₀'); x̂₀ on the step to clean.
         */
        private void dpmSolver(double r, double h, double alphaBarT, double alphaBarS) {
            if (Double.isNaN(h)) {
                System.arraycopy(x0, 0, x, 0, x.length);
                return;
            }
            float current = (float) (1 + 1 / (2 * r));
            float previous = (float) (1 / (2 * r));
            float sigmaRatio = (float) Math.sqrt((1 - alphaBarS) / (1 - alphaBarT));
            float dScale = (float) (Math.sqrt(alphaBarS) * (Math.exp(-h) - 1));
            for (int p = 0; p < x.length; p++) {
                float d = previousX0 == null ? x0[p] : x0[p] * current - previousX0[p] * previous;
                x[p] = x[p] * sigmaRatio - d * dScale;
            }
        }

        /** Images end in [-1, 1], written as 0..255. */
        @Override
        public byte[] image() {
            return fromDataRange();
        }
    }

    private static float[] copy(float[] from, float[] to) {
        System.arraycopy(from, 0, to, 0, from.length);
        return to;
    }

    private static double lambda(double alphaBar) {
        return 0.5 * Math.log(alphaBar / (1 - alphaBar));
    }
}
