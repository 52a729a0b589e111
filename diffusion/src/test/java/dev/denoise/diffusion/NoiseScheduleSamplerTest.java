package dev.denoise.diffusion;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The samplers' arithmetic against data whose ideal denoiser is known exactly, and their
 * determinism with a real (untrained) conditioned U-Net.
 */
class NoiseScheduleSamplerTest {
    /** Wide data for the flow (few clipped pixels, so the last steps matter); narrow data for the noise (none clipped). */
    private static final GaussianData WIDE = new GaussianData(0f, 0.5f);
    private static final GaussianData NARROW = new GaussianData(0.1f, 0.25f);
    private static final Shape SHAPE = new Shape(4, 1, 28, 28);
    private static final long[] SEEDS = {3, 5, 7, 11};
    private static final int[] NONE = {CondUNet.NO_CLASS, CondUNet.NO_CLASS, CondUNet.NO_CLASS, CondUNet.NO_CLASS};

    /** Data N(mean, spread²) per pixel: its ideal x̂₀ is linear in x_t, and so is its probability-flow ODE. */
    private record GaussianData(float mean, float spread) {

        /** The exact v: E[x₀ | x_t] = μ + α·s²/(α²s² + σ²)·(x_t − α·μ), and v = (α·x_t − x̂₀)/σ. */
        NDArray v(NDArray x, int timestep) {
            double alphaBar = Prediction.SCHEDULE.alphaBar(timestep);
            double alpha = Math.sqrt(alphaBar);
            double sigma = Math.sqrt(1 - alphaBar);
            double gain = alpha * spread * spread / (alphaBar * spread * spread + 1 - alphaBar);
            NDArray x0 = x.sub((float) (alpha * mean)).mul((float) gain).add(mean);
            return x.mul((float) alpha).sub(x0).div((float) sigma);
        }

        /**
         * Where the probability-flow ODE takes each starting pixel: its standardised value z stays
         * constant along the flow, so the end is μ + s·z with z = (x_T − α_T·μ)/√(α_T²s² + σ_T²).
         */
        float[] flowEnd(float[] start) {
            double alphaBar = Prediction.SCHEDULE.alphaBar(Prediction.SCHEDULE_LENGTH - 1);
            double scale = Math.sqrt(alphaBar * spread * spread + 1 - alphaBar);
            float[] end = new float[start.length];
            for (int i = 0; i < start.length; i++) {
                end[i] = (float) (mean + spread * (start[i] - Math.sqrt(alphaBar) * mean) / scale);
            }
            return end;
        }
    }

    private static double maxError(String sampler, int steps) {
        try (NDManager manager = NDManager.newBaseManager(Device.cpu())) {
            float[] end = new NoiseScheduleSampler(sampler).run((x, t, labels, guidance) -> WIDE.v(x, t[0]), manager, SHAPE, SEEDS,
                    NONE, 0f, steps);
            float[] expected = WIDE.flowEnd(GaussianNoise.batch(SEEDS, 0, 784));
            double max = 0;
            for (int i = 0; i < end.length; i++) {
                if (Math.abs(expected[i]) <= 0.9f) { // beyond, the sampler's clip to [-1, 1] takes over
                    max = Math.max(max, Math.abs(end[i] - expected[i]));
                }
            }
            return max;
        }
    }

    @Test
    void ddimAtEveryTimestepFollowsTheExactFlowAndDpmSolverGetsThereInFewerSteps() {
        double ddimAll = maxError(NoiseScheduleSampler.DDIM, 1000);
        double ddim20 = maxError(NoiseScheduleSampler.DDIM, 20);
        double dpm20 = maxError(NoiseScheduleSampler.DPM_SOLVER, 20);
        System.out.printf("max |x - exact|: ddim@1000 %.2e, ddim@20 %.2e, dpm-solver@20 %.2e%n", ddimAll, ddim20, dpm20);
        assertThat(ddimAll).as("ddim at all 1000 timesteps").isLessThan(3e-3);
        assertThat(dpm20).as("dpm-solver++(2M), second order, beats ddim at 20 steps").isLessThan(ddim20 / 5);
    }

    @Test
    void ddpmDrawsTheRightAmountOfNoiseAndIsFixedBySeed() {
        try (NDManager manager = NDManager.newBaseManager(Device.cpu())) {
            NoiseScheduleSampler ddpm = new NoiseScheduleSampler(NoiseScheduleSampler.DDPM);
            float[] first = ddpm.run((x, t, labels, guidance) -> NARROW.v(x, t[0]), manager, SHAPE, SEEDS, NONE, 0f, 1000);
            float[] again = ddpm.run((x, t, labels, guidance) -> NARROW.v(x, t[0]), manager, SHAPE, SEEDS, NONE, 0f, 1000);
            assertThat(again).containsExactly(first);
            // Ancestral sampling draws from the data distribution, N(0.1, 0.25²) per pixel.
            double mean = 0;
            for (float v : first) {
                mean += v;
            }
            mean /= first.length;
            double variance = 0;
            for (float v : first) {
                variance += (v - mean) * (v - mean);
            }
            variance /= first.length - 1;
            assertThat(mean).isBetween(NARROW.mean() - 0.02, NARROW.mean() + 0.02);
            assertThat(Math.sqrt(variance)).isBetween(NARROW.spread() * 0.93, NARROW.spread() * 1.07);
        }
    }

    /**
     * The clean-image estimate a ddim trajectory at x = 0 moves with at {@code timestep}, read back
     * from where its step lands (x_s = x̂₀·(α_s − σ_s·α_t/σ_t)); the subtraction there costs a few
     * digits, so callers compare to 1e-3, far finer than the differences between the cases.
     */
    private static float cleanEstimate(StepBatch.Network network, int label, float scale, int timestep) {
        // One ddim step from t to clean lands on x̂₀; the trajectory starts at t's place in a 1000-step schedule.
        try (NDManager manager = NDManager.newBaseManager(Device.cpu())) {
            NoiseScheduleSampler ddim = new NoiseScheduleSampler(NoiseScheduleSampler.DDIM);
            float[] zero = new float[784];
            Trajectory trajectory = ddim.start(1, 1000, label, scale, zero.clone());
            while (trajectory.step() < 999 - timestep) { // walk to timestep t with a network that keeps x at 0
                trajectory.advance(new float[784 * trajectory.rows()], 0);
                zero = trajectory.values();
            }
            assertThat(zero[0]).isZero();
            StepBatch.advance(network, manager, new Shape(1, 28, 28), List.of(trajectory));
            double alphaBarT = Prediction.SCHEDULE.alphaBar(timestep);
            double alphaBarS = Prediction.SCHEDULE.alphaBar(timestep - 1);
            // ddim from x = 0: x_s = α_s·x̂₀ + σ_s·(−α_t·x̂₀/σ_t)
            return (float) (trajectory.values()[0] / (Math.sqrt(alphaBarS)
                    - Math.sqrt(1 - alphaBarS) * Math.sqrt(alphaBarT) / Math.sqrt(1 - alphaBarT)));
        }
    }

    @Test
    void guidanceMixesTheConditionalAndUnconditionalOutputs() {
        // A network whose v is a tenth of its label: unconditional 1, conditional the digit / 10.
        StepBatch.Network labelled = (x, t, labels, guidance) -> {
            float[] v = new float[labels.length * 784];
            for (int i = 0; i < labels.length; i++) {
                Arrays.fill(v, i * 784, (i + 1) * 784, labels[i] / 10f);
            }
            return x.getManager().create(v, new Shape(labels.length, 1, 28, 28));
        };
        for (float scale : new float[] {0f, 1f, 2.5f}) {
            float sigma = (float) Math.sqrt(1 - Prediction.SCHEDULE.alphaBar(500));
            // x̂₀ = −σ·v with x = 0 (inside [-1, 1]); v = 1 + scale·(label/10 − 1)
            assertThat(cleanEstimate(labelled, 3, scale, 500)).as("scale %s", scale)
                    .isCloseTo(-sigma * (1 + scale * (0.3f - 1)), within(1e-3f));
        }
        // Outside the guided interval a scale above 1 is the conditional model; one up to 1 still applies.
        for (int t : new int[] {Prediction.GUIDED_FROM - 1, Prediction.GUIDED_TO + 1}) {
            float sigma = (float) Math.sqrt(1 - Prediction.SCHEDULE.alphaBar(t));
            assertThat(cleanEstimate(labelled, 3, 2.5f, t)).as("scale 2.5 at t=%d", t).isCloseTo(-sigma * 0.3f, within(1e-3f));
            assertThat(cleanEstimate(labelled, 3, 0.5f, t)).as("scale 0.5 at t=%d", t)
                    .isCloseTo(-sigma * (1 + 0.5f * (0.3f - 1)), within(1e-3f));
        }
        for (int t : new int[] {Prediction.GUIDED_FROM, Prediction.GUIDED_TO}) {
            float sigma = (float) Math.sqrt(1 - Prediction.SCHEDULE.alphaBar(t));
            assertThat(cleanEstimate(labelled, 3, 2.5f, t)).as("scale 2.5 at t=%d", t)
                    .isCloseTo(-sigma * (1 + 2.5f * (0.3f - 1)), within(1e-3f));
        }
    }

    /** Strong guidance pushes x₀ past [-1, 1]: the noise estimate must then follow the clipped x₀. */
    @Test
    void whereTheCleanEstimateIsClippedTheNoiseEstimateAgreesWithIt() {
        float[] x = new float[784];
        Arrays.fill(x, 0.5f);
        float[] v = new float[784];
        Arrays.fill(v, -8f); // x₀ = α·x + 8σ
        float[] x0 = new float[784];
        float[] noise = new float[784];
        int t = 300;
        float alpha = (float) Math.sqrt(Prediction.SCHEDULE.alphaBar(t));
        float sigma = (float) Math.sqrt(1 - Prediction.SCHEDULE.alphaBar(t));
        Prediction.estimate(x, v, t, x0, noise);
        assertThat(x0[0]).isEqualTo(1f);
        // x = α·x₀ + σ·ε holds for the pair the sampler steps with
        assertThat(noise[0]).isCloseTo((0.5f - alpha) / sigma, within(1e-5f));
    }

    /**
     * PyTorch's CPU kernels for this network round differently at different batch sizes, so an
     * image alone and in a batch may differ by one grey level in a few pixels; never by more.
     */
    @Test
    void withARealNetworkEachSamplerIsFixedBySeedAndWithinOneGreyLevelOfItselfInAnyBatch() {
        try (Denoiser denoiser = Denoiser.initialized(new CondUNet(), Device.cpu(), 5)) {
            for (String name : NoiseScheduleSampler.NAMES) {
                NoiseScheduleSampler sampler = new NoiseScheduleSampler(name);
                List<byte[]> batch = sampler.sample(denoiser, new long[] {21, 22, 23}, new int[] {1, CondUNet.NO_CLASS, 7}, 2f, 3);
                byte[] alone = sampler.sample(denoiser, new long[] {23}, new int[] {7}, 2f, 3).get(0);
                byte[] again = sampler.sample(denoiser, new long[] {23}, new int[] {7}, 2f, 3).get(0);
                assertThat(alone).as(name + ": the same seed again").isEqualTo(again);
                int differing = 0;
                for (int p = 0; p < alone.length; p++) {
                    int difference = Math.abs((alone[p] & 0xFF) - (batch.get(2)[p] & 0xFF));
                    assertThat(difference).as(name + ": pixel %d alone or in a batch", p).isLessThanOrEqualTo(1);
                    differing += difference;
                }
                System.out.printf("%s: %d of 784 pixels one grey level off in a batch of 3%n", name, differing);
                assertThat(batch.get(0)).as(name + ": another seed").isNotEqualTo(batch.get(2));
            }
        }
    }

    @Test
    void guidedStepsCostTwoPassesAndTheOthersOne() {
        // 8 trailing steps visit 999, 874, 749, 624, 499, 374, 249, 124: three lie in [499, 749].
        assertThat(Prediction.SCHEDULE.timesteps(8)).containsExactly(999, 874, 749, 624, 499, 374, 249, 124);
        assertThat(Prediction.passes(8, 2f)).isEqualTo(11);
        assertThat(Prediction.passes(8, 1f)).isEqualTo(8);
        assertThat(Prediction.passes(8, 0f)).isEqualTo(8);
        assertThat(Prediction.passes(8, 0.5f)).as("a scale below 1 applies everywhere").isEqualTo(16);
    }

    @Test
    void guidanceZeroIsTheUnconditionalModel() {
        try (Denoiser denoiser = Denoiser.initialized(new CondUNet(), Device.cpu(), 6)) {
            NoiseScheduleSampler ddim = new NoiseScheduleSampler(NoiseScheduleSampler.DDIM);
            long[] seeds = {1, 2};
            List<byte[]> unconditional = ddim.sample(denoiser, seeds, 4);
            List<byte[]> scaleZero = ddim.sample(denoiser, seeds, new int[] {3, 8}, 0f, 4);
            List<byte[]> guided = ddim.sample(denoiser, seeds, new int[] {3, 8}, 3f, 4);
            assertThat(scaleZero.get(0)).isEqualTo(unconditional.get(0));
            assertThat(scaleZero.get(1)).isEqualTo(unconditional.get(1));
            assertThat(guided.get(0)).as("a label with guidance changes the image").isNotEqualTo(unconditional.get(0));
        }
    }

    @Test
    void refusesAnUnknownNameAndMismatchedLabels() {
        assertThatThrownBy(() -> new NoiseScheduleSampler("euler")).hasMessageContaining("[ddim, ddpm, dpm-solver]");
        try (NDManager manager = NDManager.newBaseManager(Device.cpu())) {
            assertThatThrownBy(() -> new NoiseScheduleSampler(NoiseScheduleSampler.DDIM).run((x, t, l, g) -> x, manager, SHAPE,
                    SEEDS, new int[] {1}, 1f, 2)).hasMessageContaining("1 labels for 4 seeds");
        }
    }
}
