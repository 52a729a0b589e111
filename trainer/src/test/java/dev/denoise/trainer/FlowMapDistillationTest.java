package dev.denoise.trainer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import dev.denoise.diffusion.CondUNet;
import dev.denoise.diffusion.Denoiser;
import dev.denoise.diffusion.DistilledUNet;
import dev.denoise.diffusion.GaussianNoise;
import dev.denoise.diffusion.NoiseScheduleSampler;
import dev.denoise.diffusion.Prediction;
import dev.denoise.diffusion.StepBatch;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The distillation's targets and loss on data whose answers are known in closed form: pixels
 * N(μ, s²), for which the exact denoiser is x̂₀ = μ + α·s²/v·(x − α·μ) with v = α²s² + σ², and a
 * DDIM step from t to s with it maps the centred pixel y = x − α·μ to y·(α_s·α_t·s² + σ_s·σ_t)/v_t,
 * the last step (to clean) to μ + α_t·s²·y/v_t.
 */
class FlowMapDistillationTest {
    private static final double MEAN = 0.1;
    private static final double SPREAD = 0.2;
    private static final int STEPS = 4;
    private static final Shape IMAGE = new Shape(1, 2, 2);
    private static final int PIXELS = 4;
    private static final long[] SEEDS = {1, 2, 3, 4, 5, 6};
    private static final int[] LABELS = {0, 1, 2, 3, 4, 10};
    private static final float[] SCALES = {1f, 1.5f, 2f, 2.5f, 3f, 2f};
    private static final int[] TIMESTEPS = Prediction.SCHEDULE.timesteps(STEPS);

    private static double alpha(int timestep) {
        return Math.sqrt(Prediction.SCHEDULE.alphaBar(timestep));
    }

    private static double sigma(int timestep) {
        return Math.sqrt(1 - Prediction.SCHEDULE.alphaBar(timestep));
    }

    private static double variance(int timestep) {
        double a = alpha(timestep);
        return a * a * SPREAD * SPREAD + sigma(timestep) * sigma(timestep);
    }

    /** The exact denoiser's x̂₀ for pixel x at timestep t. */
    private static double exactEstimate(double x, int t) {
        return MEAN + alpha(t) * SPREAD * SPREAD / variance(t) * (x - alpha(t) * MEAN);
    }

    /** Where DDIM with the exact denoiser ends, from pixel x before step k of the 4-step path. */
    private static double pathEnd(double x, int k) {
        double y = x - alpha(TIMESTEPS[k]) * MEAN;
        for (int j = k; j < STEPS - 1; j++) {
            int t = TIMESTEPS[j];
            int s = TIMESTEPS[j + 1];
            y *= (alpha(s) * alpha(t) * SPREAD * SPREAD + sigma(s) * sigma(t)) / variance(t);
        }
        int last = TIMESTEPS[STEPS - 1];
        return MEAN + alpha(last) * SPREAD * SPREAD * y / variance(last);
    }

    /** A network answering, for each row, the v of {@code x0(x, row timestep)}, and checking the rows' labels and scales. */
    private interface CleanEstimate {
        double of(double x, int timestep);
    }

    private static StepBatch.Network network(CleanEstimate estimate, int[] expectedLabels, float[] expectedScales) {
        return (x, timesteps, labels, guidance) -> {
            float[] in = x.toFloatArray();
            float[] v = new float[in.length];
            for (int row = 0; row < timesteps.length; row++) {
                if (expectedLabels != null) {
                    assertThat(labels[row]).isEqualTo(expectedLabels[row]);
                    assertThat(guidance[row]).isEqualTo(expectedScales[row]);
                }
                int t = timesteps[row];
                for (int p = row * PIXELS; p < (row + 1) * PIXELS; p++) {
                    v[p] = (float) ((alpha(t) * in[p] - estimate.of(in[p], t)) / sigma(t));
                }
            }
            return x.getManager().create(v, x.getShape());
        };
    }

    private static float[][] teacherPaths(NDManager manager) {
        return NoiseScheduleSampler.ddimPaths(network(FlowMapDistillationTest::exactEstimate, null, null), manager, IMAGE,
                SEEDS, LABELS, SCALES, STEPS);
    }

    /** Every (image, point) pair of the paths, one row each. */
    private static int[][] allRows() {
        int rows = SEEDS.length * STEPS;
        int[] image = new int[rows];
        int[] point = new int[rows];
        for (int r = 0; r < rows; r++) {
            image[r] = r % SEEDS.length;
            point[r] = r / SEEDS.length;
        }
        return new int[][] {image, point};
    }

    @Test
    void theTeachersPathsFollowTheExactDdimRecurrenceFromTheSeedsNoise() {
        try (NDManager manager = NDManager.newBaseManager(Device.cpu())) {
            float[][] path = teacherPaths(manager);
            float[] noise = GaussianNoise.batch(SEEDS, 0, PIXELS);
            assertThat(path).hasNumberOfRows(STEPS + 1);
            assertThat(path[0]).containsExactly(noise);
            for (int p = 0; p < noise.length; p++) {
                for (int k = 0; k < STEPS; k++) {
                    assertThat(pathEnd(path[k][p], k)).as("end from point %d, pixel %d", k, p)
                            .isCloseTo(pathEnd(noise[p], 0), within(1e-5));
                }
                assertThat((double) path[STEPS][p]).isCloseTo(pathEnd(noise[p], 0), within(1e-5));
            }
        }
    }

    @Test
    void aStudentThatJumpsToThePathsEndFromEveryPointHasNoLoss() {
        try (NDManager manager = NDManager.newBaseManager(Device.cpu())) {
            float[][] path = teacherPaths(manager);
            int[][] rows = allRows();
            int[] rowLabels = new int[rows[0].length];
            float[] rowScales = new float[rows[0].length];
            for (int r = 0; r < rowLabels.length; r++) {
                rowLabels[r] = LABELS[rows[0][r]];
                rowScales[r] = SCALES[rows[0][r]];
            }
            CleanEstimate jump = (x, t) -> pathEnd(x, java.util.Arrays.stream(TIMESTEPS).boxed().toList().indexOf(t));
            NDArray loss = FlowMapDistillation.endpointLoss(network(jump, rowLabels, rowScales), manager, IMAGE, path,
                    LABELS, SCALES, rows[0], rows[1]);
            assertThat((double) loss.getFloat()).isCloseTo(0, within(1e-9));
        }
    }

    @Test
    void theTeachersOneStepEstimateLosesExactlyItsDistanceFromThePathsEnd() {
        try (NDManager manager = NDManager.newBaseManager(Device.cpu())) {
            float[][] path = teacherPaths(manager);
            int[][] rows = allRows();
            double sum = 0;
            for (int r = 0; r < rows[0].length; r++) {
                int image = rows[0][r];
                int k = rows[1][r];
                for (int p = image * PIXELS; p < (image + 1) * PIXELS; p++) {
                    double miss = exactEstimate(path[k][p], TIMESTEPS[k]) - path[STEPS][p];
                    sum += miss * miss;
                }
            }
            double expected = sum / (rows[0].length * PIXELS);
            NDArray loss = FlowMapDistillation.endpointLoss(network(FlowMapDistillationTest::exactEstimate, null, null),
                    manager, IMAGE, path, LABELS, SCALES, rows[0], rows[1]);
            assertThat(expected).as("the one-step estimate misses the end from all but the last point").isGreaterThan(1e-4);
            assertThat((double) loss.getFloat()).isCloseTo(expected, within(expected * 1e-4));
        }
    }

    @Test
    void theStudentStartsWithEveryWeightOfItsTeacherAndAGuidanceEmbeddingOfItsOwn() {
        try (Denoiser teacher = Denoiser.initialized(new CondUNet(), Device.cpu(), 1);
             Denoiser student = Denoiser.initialized(FlowMapDistillation.studentOf(teacher), Device.cpu(), 2)) {
            new FlowMapDistillation(teacher).initialize(student);
            Map<String, float[]> taught = new HashMap<>();
            teacher.block().getParameters().forEach(p -> taught.put(p.getKey(), p.getValue().getArray().toFloatArray()));
            List<String> ownOnly = new ArrayList<>();
            student.block().getParameters().forEach(p -> {
                float[] teachers = taught.get(p.getKey());
                if (teachers == null) {
                    ownOnly.add(p.getKey());
                } else {
                    assertThat(p.getValue().getArray().toFloatArray()).as(p.getKey()).containsExactly(teachers);
                }
            });
            assertThat(ownOnly).allSatisfy(name -> assertThat(name).contains("guidance")).hasSize(4);
            // The copy reaches the network: with the guidance embedding's output taken away, the two predict alike.
            student.block().getParameters().forEach(p -> {
                if (p.getKey().contains("guidance2")) {
                    p.getValue().getArray().set(new float[Math.toIntExact(p.getValue().getArray().size())]);
                }
            });
            try (NDManager manager = NDManager.newBaseManager(Device.cpu())) {
                NDArray x = manager.create(GaussianNoise.batch(new long[] {1, 2, 3}, 0, 784), new Shape(3, 1, 28, 28));
                int[] timesteps = {999, 500, 20};
                int[] labels = {2, 7, CondUNet.NO_CLASS};
                float[] expected = teacher.predict(CondUNet.inputs(x, timesteps, labels), false).toFloatArray();
                float[] actual = student.predict(DistilledUNet.inputs(x, timesteps, labels, new float[] {1f, 2f, 3f}), false)
                        .toFloatArray();
                for (int i = 0; i < expected.length; i++) {
                    assertThat(actual[i]).as("value %d", i).isCloseTo(expected[i], within(1e-5f));
                }
            }
        }
    }
}
