package dev.denoise.diffusion;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.ParameterStore;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class GroupNormTest {
    private static final int N = 2;
    private static final int C = 6;
    private static final int GROUPS = 3;
    private static final int PIXELS = 5 * 4;

    @Test
    void normalisesEachImagesGroupsOverTheirChannelsAndPixelsThenScalesAndShiftsPerChannel() {
        SplittableRandom random = new SplittableRandom(3);
        float[] input = new float[N * C * PIXELS];
        for (int i = 0; i < input.length; i++) {
            input[i] = (float) (random.nextDouble() * 4 + (i / PIXELS) % C); // a different mean per channel
        }
        float[] gamma = {0.5f, 1, 1.5f, 2, -1, 3};
        float[] beta = {0, 0.1f, -0.2f, 0.3f, 1, -1};
        double[] expected = reference(input, gamma, beta);
        try (NDManager manager = NDManager.newBaseManager(Device.cpu())) {
            GroupNorm norm = new GroupNorm(C, GROUPS);
            Shape shape = new Shape(N, C, 5, 4);
            norm.initialize(manager, DataType.FLOAT32, shape);
            norm.getParameters().get("gamma").getArray().set(gamma);
            norm.getParameters().get("beta").getArray().set(beta);
            ParameterStore store = new ParameterStore(manager, false);
            NDArray contiguous = manager.create(input, shape);
            for (NDArray x : new NDArray[] {contiguous, ChannelsLast.of(contiguous, manager)}) {
                float[] actual = norm.forward(store, new NDList(x), false).singletonOrThrow().toFloatArray();
                for (int i = 0; i < actual.length; i++) {
                    assertThat((double) actual[i]).as("element %d", i).isCloseTo(expected[i], within(1e-4));
                }
            }
        }
    }

    /** The definition, in double precision: mean and biased variance over a group's channels and pixels. */
    private static double[] reference(float[] x, float[] gamma, float[] beta) {
        double[] out = new double[x.length];
        int perGroup = C / GROUPS * PIXELS;
        for (int n = 0; n < N; n++) {
            for (int g = 0; g < GROUPS; g++) {
                int from = (n * C + g * C / GROUPS) * PIXELS;
                double mean = 0;
                for (int i = from; i < from + perGroup; i++) {
                    mean += x[i];
                }
                mean /= perGroup;
                double variance = 0;
                for (int i = from; i < from + perGroup; i++) {
                    variance += (x[i] - mean) * (x[i] - mean);
                }
                variance /= perGroup;
                for (int i = from; i < from + perGroup; i++) {
                    int c = (i / PIXELS) % C;
                    out[i] = (x[i] - mean) / Math.sqrt(variance + 1e-5) * gamma[c] + beta[c];
                }
            }
        }
        return out;
    }
}
