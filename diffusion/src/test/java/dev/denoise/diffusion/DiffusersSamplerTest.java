package dev.denoise.diffusion;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import ai.djl.Device;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The samplers against data whose ideal network is known exactly: a single image x*. For it the
 * network's answer at timestep t is exact (ε = (x − √ᾱ·x*)/√(1−ᾱ), or x*, or v), so a correct
 * sampler lands on x* from any start, and a step from the data's marginal at t keeps the marginal
 * at the next timestep: mean √ᾱ·x*, variance 1 − ᾱ per pixel. This checks the ancestral DDPM,
 * whose noise PyTorch's parity runs cannot share, by a route independent of diffusers' formulas.
 */
class DiffusersSamplerTest {
    private static final Shape IMAGE = new Shape(3, 32, 32);
    private static final int PIXELS = 3 * 32 * 32;
    private static final float[] TARGET = target();

    private static float[] target() {
        float[] target = new float[PIXELS];
        SplittableRandom random = new SplittableRandom(42);
        for (int p = 0; p < PIXELS; p++) {
            target[p] = (float) (random.nextDouble() * 1.6 - 0.8);
        }
        return target;
    }

    private static DiffusersSchedule schedule(String prediction, String spacing) {
        return new DiffusersSchedule(SchedulerConfig.of(Map.of("beta_schedule", "scaled_linear", "beta_start", "0.00085",
                "beta_end", "0.012", "prediction_type", prediction, "timestep_spacing", spacing, "clip_sample", "false"),
                w -> { }));
    }

    /** The exact network for data that is the single image {@link #TARGET}, answering in {@code prediction}'s terms. */
    private static StepBatch.Network exact(DiffusersSchedule schedule, String prediction) {
        return (images, timesteps, labels, guidance) -> {
            float[] x = images.toFloatArray();
            float[] out = new float[x.length];
            for (int row = 0; row < timesteps.length; row++) {
                double alphaBar = schedule.alphaBar(timesteps[row]);
                double alpha = Math.sqrt(alphaBar);
                double sigma = Math.sqrt(1 - alphaBar);
                for (int p = 0; p < PIXELS; p++) {
                    int i = row * PIXELS + p;
                    double noise = (x[i] - alpha * TARGET[p]) / sigma;
                    out[i] = (float) switch (prediction) {
                        case "epsilon" -> noise;
                        case "sample" -> TARGET[p];
                        default -> alpha * noise - sigma * TARGET[p];
                    };
                }
            }
            return images.getManager().create(out, images.getShape());
        };
    }

    @ParameterizedTest
    @CsvSource({"ddim, epsilon", "ddim, v_prediction", "ddim, sample", "ddpm, epsilon", "ddpm, v_prediction",
            "dpm-solver, epsilon", "dpm-solver, v_prediction", "dpm-solver, sample"})
    void everySamplerLandsOnTheOnlyImageTheDataHas(String sampler, String prediction) {
        DiffusersSchedule schedule = schedule(prediction, "leading");
        Trajectory trajectory = new DiffusersSampler(sampler, schedule, 4).start(7, 10, 4, 0f, GaussianNoise.image(7, 0, PIXELS));
        try (NDManager manager = NDManager.newBaseManager(Device.cpu())) {
            StepBatch.runToEnd(exact(schedule, prediction), manager, IMAGE, List.of(trajectory));
        }
        float[] end = trajectory.values();
        for (int p = 0; p < PIXELS; p++) {
            assertThat(end[p]).as("pixel %d", p).isCloseTo(TARGET[p], within(1e-3f));
        }
    }

    /** DDPM from t to s draws from the posterior q(x_s | x_t, x*): started on the marginal at t, it ends on the marginal at s. */
    @Test
    void anAncestralStepKeepsTheDataMarginal() {
        DiffusersSchedule schedule = schedule("epsilon", "trailing");
        int steps = 4; // timesteps 999, 749, 499, 249
        int[] timesteps = schedule.timesteps(steps);
        for (int step = 0; step < steps - 1; step++) {
            int t = timesteps[step];
            int s = timesteps[step + 1];
            double[] moments = momentsAfterOneStep(schedule, steps, step, t, s);
            double expectedVariance = 1 - schedule.alphaBar(s);
            // 3,072 pixels: the sample variance's own relative spread is about 2.6 %, the mean's about 0.018·σ.
            assertThat(moments[0]).as("mean of x_s − √ᾱ_s·x* after the step from %d to %d", t, s)
                    .isCloseTo(0, within(0.1 * Math.sqrt(expectedVariance)));
            assertThat(moments[1]).as("its variance, against 1 − ᾱ_s = %.4f", expectedVariance)
                    .isCloseTo(expectedVariance, within(0.12 * expectedVariance));
        }
    }

    /** Starts a DDPM trajectory, moves it to {@code step} on the marginal, then one step; the mean and variance of its residual. */
    private static double[] momentsAfterOneStep(DiffusersSchedule schedule, int steps, int step, int t, int s) {
        double alphaT = Math.sqrt(schedule.alphaBar(t));
        double sigmaT = Math.sqrt(1 - schedule.alphaBar(t));
        float[] z = GaussianNoise.image(1000 + step, 0, PIXELS);
        float[] start = new float[PIXELS];
        for (int p = 0; p < PIXELS; p++) {
            start[p] = (float) (alphaT * TARGET[p] + sigmaT * z[p]);
        }
        Trajectory trajectory = new DiffusersSampler("ddpm", schedule, 4).start(11 + step, steps, 4, 0f, start);
        try (NDManager manager = NDManager.newBaseManager(Device.cpu())) {
            StepBatch.Network network = exact(schedule, "epsilon");
            // Walk to this step with x held on the marginal at t: replace the state, then take one step.
            for (int i = 0; i < step; i++) {
                StepBatch.advance(network, manager, IMAGE, List.of(trajectory));
            }
            System.arraycopy(start, 0, trajectory.x, 0, PIXELS);
            StepBatch.advance(network, manager, IMAGE, List.of(trajectory));
        }
        double alphaS = Math.sqrt(schedule.alphaBar(s));
        float[] end = trajectory.values();
        double sum = 0;
        double squares = 0;
        for (int p = 0; p < PIXELS; p++) {
            double residual = end[p] - alphaS * TARGET[p];
            sum += residual;
            squares += residual * residual;
        }
        double mean = sum / PIXELS;
        return new double[] {mean, squares / PIXELS - mean * mean};
    }

    @Test
    void guidanceTakesTwoRowsOnlyWhenItMixes() {
        DiffusersSampler sampler = new DiffusersSampler("ddim", schedule("epsilon", "leading"), 4);
        assertThat(sampler.start(1, 4, 2, 3f, PIXELS).rows()).isEqualTo(2);
        assertThat(sampler.start(1, 4, 2, 1f, PIXELS).rows()).isEqualTo(1);
        assertThat(sampler.start(1, 4, 2, 0f, PIXELS).rows()).isEqualTo(1);
        assertThat(sampler.start(1, 4, 4, 3f, PIXELS).rows()).as("no class asked").isEqualTo(1);
        float[] images = new float[2 * PIXELS];
        int[] timesteps = new int[2];
        int[] labels = new int[2];
        sampler.start(1, 4, 2, 3f, PIXELS).writeRows(images, timesteps, labels, 0);
        assertThat(labels).containsExactly(2, 4);
        sampler.start(1, 4, 2, 0f, PIXELS).writeRows(images, timesteps, labels, 0);
        assertThat(labels[0]).as("scale 0 asks for no class").isEqualTo(4);
    }
}
