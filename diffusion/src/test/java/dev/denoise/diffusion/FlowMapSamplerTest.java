package dev.denoise.diffusion;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import ai.djl.Device;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * The distilled student's sampler: where it jumps with an exact student, what it hands the network,
 * the counts and scales it refuses, and that an image depends on its seed alone, not its batch-mates.
 */
class FlowMapSamplerTest {
    private static final Shape IMAGE = new Shape(1, 28, 28);
    private static final int PIXELS = 784;
    private static final float POINT = 0.3f;

    /** Runs trajectories to the end over {@code network}; their final values. */
    private static List<float[]> run(StepBatch.Network network, List<Trajectory> trajectories) {
        try (NDManager manager = NDManager.newBaseManager(Device.cpu())) {
            StepBatch.runToEnd(network, manager, IMAGE, trajectories);
        }
        return trajectories.stream().map(Trajectory::values).toList();
    }

    @Test
    void withAStudentThatKnowsTheEndItLandsThereAtEveryPassCountHandingTheNetworkOneRowAnImage() {
        // All data is one point: an exact student predicts it from anywhere; v = (α·x − x₀)/σ.
        for (int passes : DistilledUNet.PASSES) {
            List<Integer> visited = new ArrayList<>();
            StepBatch.Network exact = (x, timesteps, labels, guidance) -> {
                assertThat(timesteps).hasSize(3); // one row for each of the three images
                assertThat(labels).containsExactly(4, 7, CondUNet.NO_CLASS);
                assertThat(guidance).containsExactly(1.5f, 3f, CondUNet.DEFAULT_GUIDANCE);
                visited.add(timesteps[0]);
                float[] in = x.toFloatArray();
                float[] v = new float[in.length];
                for (int row = 0; row < timesteps.length; row++) {
                    double alphaBar = Prediction.SCHEDULE.alphaBar(timesteps[row]);
                    for (int p = row * PIXELS; p < (row + 1) * PIXELS; p++) {
                        v[p] = (float) ((Math.sqrt(alphaBar) * in[p] - POINT) / Math.sqrt(1 - alphaBar));
                    }
                }
                return x.getManager().create(v, x.getShape());
            };
            FlowMapSampler sampler = new FlowMapSampler();
            List<float[]> ends = run(exact, List.of(sampler.start(1, passes, 4, 1.5f, PIXELS),
                    sampler.start(2, passes, 7, 3f, PIXELS), sampler.start(3, passes, 5, 0f, PIXELS)));
            for (float[] end : ends) {
                for (float value : end) {
                    assertThat((double) value).isCloseTo(POINT, within(1e-5));
                }
            }
            assertThat(visited).as("timesteps at %d passes", passes)
                    .containsExactlyElementsOf(java.util.Arrays.stream(Prediction.SCHEDULE.timesteps(passes)).boxed().toList());
        }
    }

    /** Pixels N(μ, s²): the exact denoiser and where its 4-step DDIM path ends, in closed form (as FlowMapDistillationTest). */
    private static final double MEAN = 0.1;
    private static final double SPREAD = 0.2;
    private static final int[] PATH = Prediction.SCHEDULE.timesteps(DistilledUNet.TEACHER_STEPS);

    private static double alpha(int t) {
        return Math.sqrt(Prediction.SCHEDULE.alphaBar(t));
    }

    private static double sigma(int t) {
        return Math.sqrt(1 - Prediction.SCHEDULE.alphaBar(t));
    }

    private static double variance(int t) {
        return alpha(t) * alpha(t) * SPREAD * SPREAD + sigma(t) * sigma(t);
    }

    /** The end of the exact denoiser's DDIM path through pixel x at point k: y ↦ y·(α_s·α_t·s² + σ_s·σ_t)/v_t a step, μ + α_t·s²·y/v_t the last. */
    private static double pathEnd(double x, int k) {
        double y = x - alpha(PATH[k]) * MEAN;
        for (int j = k; j < PATH.length - 1; j++) {
            y *= (alpha(PATH[j + 1]) * alpha(PATH[j]) * SPREAD * SPREAD + sigma(PATH[j + 1]) * sigma(PATH[j])) / variance(PATH[j]);
        }
        int last = PATH[PATH.length - 1];
        return MEAN + alpha(last) * SPREAD * SPREAD * y / variance(last);
    }

    @Test
    void withTheExactStudentOfGaussianDataTwoPassesJumpMoveAndJumpAgainAsDdimWould() {
        // The exact student answers, at each point of the path, where the teacher's path through x ends.
        StepBatch.Network student = (x, timesteps, labels, guidance) -> {
            float[] in = x.toFloatArray();
            float[] v = new float[in.length];
            for (int row = 0; row < timesteps.length; row++) {
                int t = timesteps[row];
                int k = java.util.Arrays.stream(PATH).boxed().toList().indexOf(t);
                for (int p = row * PIXELS; p < (row + 1) * PIXELS; p++) {
                    v[p] = (float) ((alpha(t) * in[p] - pathEnd(in[p], k)) / sigma(t));
                }
            }
            return x.getManager().create(v, x.getShape());
        };
        float[] noise = GaussianNoise.image(9, 0, PIXELS);
        float[] oneEnd = run(student, List.of(new FlowMapSampler().start(9, 1, 3, 2f, PIXELS))).get(0);
        float[] twoEnd = run(student, List.of(new FlowMapSampler().start(9, 2, 3, 2f, PIXELS))).get(0);
        int mid = Prediction.SCHEDULE.timesteps(2)[1];
        for (int p = 0; p < PIXELS; p++) {
            double jump = pathEnd(noise[p], 0);
            assertThat((double) oneEnd[p]).isCloseTo(jump, within(1e-5));
            // x_s = α_s·x̂₀ + σ_s·ε̂ with ε̂ = (x_T − α_T·x̂₀)/σ_T, then the jump from s (the path's third point).
            double noiseEstimate = (noise[p] - alpha(PATH[0]) * jump) / sigma(PATH[0]);
            double moved = alpha(mid) * jump + sigma(mid) * noiseEstimate;
            assertThat((double) twoEnd[p]).as("pixel %d", p).isCloseTo(pathEnd(moved, 2), within(1e-5));
        }
        assertThat(mid).isEqualTo(PATH[2]);
    }

    @Test
    void itRefusesPassCountsAndScalesTheStudentWasNotTrainedFor() {
        FlowMapSampler sampler = new FlowMapSampler();
        assertThat(sampler.stepCounts()).containsExactly(1, 2, 4);
        assertThatThrownBy(() -> sampler.start(1, 3, 4, 2f, PIXELS)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("[1, 2, 4]").hasMessageContaining("not 3");
        assertThatThrownBy(() -> sampler.start(1, 8, 4, 2f, PIXELS)).isInstanceOf(IllegalArgumentException.class);
        assertThat(sampler.guidanceRefusal(3.5f)).get().asString().contains("1.0 to 3.0");
        assertThat(sampler.guidanceRefusal(0.5f)).isPresent();
        assertThat(sampler.guidanceRefusal(0f)).isEmpty();
        assertThat(sampler.guidanceRefusal(2.2f)).isEmpty();
    }

    @Test
    void anImageDependsOnItsSeedAloneNotOnItsBatchMates() {
        try (Denoiser student = Denoiser.initialized(new DistilledUNet(), Device.cpu(), 5)) {
            // The guidance embedding starts at zero; give it weights so that the scale matters.
            SplittableRandom random = new SplittableRandom(3);
            student.block().getParameters().forEach(p -> {
                if (p.getKey().contains("guidance2")) {
                    float[] values = new float[Math.toIntExact(p.getValue().getArray().size())];
                    for (int i = 0; i < values.length; i++) {
                        values[i] = (float) (random.nextDouble() - 0.5);
                    }
                    p.getValue().getArray().set(values);
                }
            });
            FlowMapSampler sampler = new FlowMapSampler();
            assertThat(sampler.sample(student, new long[] {11}, new int[] {0}, 3f, 2).get(0))
                    .as("the scale reaches the network").isNotEqualTo(sampler.sample(student, new long[] {11}, new int[] {0}, 1f, 2).get(0));
            long[] seeds = {11, 12, 13, 14, 15};
            int[] labels = {0, 3, 3, 9, CondUNet.NO_CLASS};
            List<byte[]> together = sampler.sample(student, seeds, labels, 2f, 2);
            List<byte[]> again = sampler.sample(student, seeds, labels, 2f, 2);
            for (int i = 0; i < seeds.length; i++) {
                assertThat(again.get(i)).containsExactly(together.get(i));
                byte[] alone = sampler.sample(student, new long[] {seeds[i]}, new int[] {labels[i]}, 2f, 2).get(0);
                for (int p = 0; p < alone.length; p++) {
                    assertThat(Math.abs((alone[p] & 0xFF) - (together.get(i)[p] & 0xFF))).as("seed %d pixel %d", seeds[i], p)
                            .isLessThanOrEqualTo(1); // kernels for other batch sizes may round differently
                }
            }
            assertThat(together.get(1)).as("another seed, another image").isNotEqualTo(together.get(2));
        }
    }
}
