package dev.denoise.diffusion;

import ai.djl.Device;
import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Block;
import ai.djl.nn.Parameter;
import ai.djl.training.GradientCollector;
import ai.djl.training.ParameterStore;
import ai.djl.training.initializer.Initializer;
import ai.djl.util.Pair;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Guards against training silently wrong: on this CPU, PyTorch 2.7.1's float32 NCHW convolution
 * with one output channel returns input gradients off by 16–77 %, corrupting every layer below.
 * The training layout's gradients of every parameter must match a float64 reference.
 */
class GradientCheckTest {

    private static final int BATCH = 8;
    private static final double TOLERANCE = 1e-3;

    @Test
    void trainingLayoutGradientsMatchAFloat64Reference() {
        try (NDManager manager = NDManager.newBaseManager(Device.cpu())) {
            Block reference = new ArticleUNet(Layout.CONTIGUOUS).build();
            Block trained = new ArticleUNet(Layout.CHANNELS_LAST).build();
            initialize(trained, manager, DataType.FLOAT32);
            FanInUniformInit.apply(trained, 2024);
            initialize(reference, manager, DataType.FLOAT64);
            copyParameters(trained, reference);

            List<double[]> expected = gradients(reference, manager, DataType.FLOAT64);
            List<double[]> actual = gradients(trained, manager, DataType.FLOAT32);
            assertWithinTolerance(trained, actual, expected);
        }
    }

    @Test
    void conditionedUNetGradientsMatchAFloat64Reference() {
        assertMatchesFloat64(new CondUNet(), new CondUNet(new int[] {32, 64, 128}, Layout.CONTIGUOUS).build(), 2025,
                GradientCheckTest::conditionedGradients);
    }

    /** masked-unet's network: tokens one-hot in, two logits a pixel out, under a cross-entropy. */
    @Test
    void maskedUNetGradientsMatchAFloat64Reference() {
        assertMatchesFloat64(new MaskedUNet(), new UNet(new int[] {32, 64, 128}, 3, 2, Layout.CONTIGUOUS), 2026,
                GradientCheckTest::maskedGradients);
    }

    /** The gradient of a fixed loss with respect to each parameter of a block, as doubles. */
    @FunctionalInterface
    private interface Gradients {
        List<double[]> of(Block block, NDManager manager, DataType type);
    }

    /**
     * {@code architecture}'s block in its training layout, in float32 with weights drawn from {@code seed},
     * against {@code reference} (contiguous) holding the same weights in float64.
     */
    private static void assertMatchesFloat64(DenoiserArchitecture architecture, Block reference, long seed,
                                             Gradients gradients) {
        try (NDManager manager = NDManager.newBaseManager(Device.cpu())) {
            Block trained = architecture.build();
            trained.setInitializer(Initializer.ZEROS, p -> true);
            trained.initialize(manager, DataType.FLOAT32, architecture.inputShapes(BATCH));
            FanInUniformInit.apply(trained, seed);
            reference.setInitializer(Initializer.ZEROS, p -> true);
            reference.initialize(manager, DataType.FLOAT64, architecture.inputShapes(BATCH));
            copyParameters(trained, reference);

            List<double[]> expected = gradients.of(reference, manager, DataType.FLOAT64);
            List<double[]> actual = gradients.of(trained, manager, DataType.FLOAT32);
            assertThat(actual).hasSameSizeAs(expected).hasSize(trained.getParameters().size());
            assertWithinTolerance(trained, actual, expected);
        }
    }

    /**
     * d cross-entropy(logits, binary targets) / d parameter, as doubles, for fixed tokens (image i
     * masked at level (i+1)/(N+1), so the masked counts differ as in training) and labels.
     */
    private static List<double[]> maskedGradients(Block block, NDManager parent, DataType type) {
        for (Pair<String, Parameter> p : block.getParameters()) {
            p.getValue().getArray().setRequiresGradient(true);
        }
        float[] noise = UniformNoise.image(4, BATCH * 784);
        float[] data = UniformNoise.image(5, BATCH * 784);
        float[] tokens = new float[noise.length];
        float[] targets = new float[noise.length];
        for (int p = 0; p < noise.length; p++) {
            float level = (p / 784 + 1f) / (BATCH + 1);
            targets[p] = data[p] < 0.5f ? 1f : 0f;
            tokens[p] = noise[p] < level ? MaskedUNet.MASK : targets[p];
        }
        int[] labels = {0, 3, 5, CondUNet.NO_CLASS, 9, 1, CondUNet.NO_CLASS, 7};
        try (NDManager call = parent.newSubManager()) {
            Shape plane = new Shape(BATCH, 1, 28, 28);
            NDList inputs = MaskedUNet.inputs(call.create(tokens, plane), labels);
            NDList typed = new NDList();
            inputs.forEach(input -> typed.add(input.toType(type, false)));
            NDArray target = call.create(targets, plane).toType(type, false);
            try (GradientCollector collector = Engine.getInstance().newGradientCollector()) {
                NDArray logits = block.forward(new ParameterStore(call, false), typed, true).singletonOrThrow();
                collector.backward(MaskedUNet.crossEntropy(logits, target).mean());
            }
            return gradientsOf(block, call);
        }
    }

    /** d MSE(v̂, v) / d parameter for fixed noisy images, timesteps, labels and targets, as doubles. */
    private static List<double[]> conditionedGradients(Block block, NDManager parent, DataType type) {
        for (Pair<String, Parameter> p : block.getParameters()) {
            p.getValue().getArray().setRequiresGradient(true);
        }
        Shape shape = new Shape(BATCH, 1, 28, 28);
        int[] timesteps = {0, 120, 250, 400, 560, 700, 850, 999};
        int[] labels = {0, 3, 5, CondUNet.NO_CLASS, 9, 1, CondUNet.NO_CLASS, 7};
        try (NDManager call = parent.newSubManager()) {
            NDArray x = call.create(GaussianNoise.batch(new long[] {1, 2, 3, 4, 5, 6, 7, 8}, 0, 784), shape);
            NDArray target = call.create(GaussianNoise.batch(new long[] {9, 10, 11, 12, 13, 14, 15, 16}, 0, 784), shape)
                    .toType(type, false);
            NDList inputs = CondUNet.inputs(x, timesteps, labels);
            NDList typed = new NDList();
            inputs.forEach(input -> typed.add(input.toType(type, false)));
            try (GradientCollector collector = Engine.getInstance().newGradientCollector()) {
                NDArray prediction = block.forward(new ParameterStore(call, false), typed, true).singletonOrThrow();
                collector.backward(prediction.sub(target).square().mean());
            }
            return gradientsOf(block, call);
        }
    }

    private static void initialize(Block block, NDManager manager, DataType type) {
        block.setInitializer(Initializer.ZEROS, p -> true);
        block.initialize(manager, type, new Shape(BATCH, 1, 28, 28));
    }

    private static void copyParameters(Block from, Block to) {
        for (int i = 0; i < from.getParameters().size(); i++) {
            float[] values = from.getParameters().get(i).getValue().getArray().toFloatArray();
            double[] widened = new double[values.length];
            for (int j = 0; j < values.length; j++) {
                widened[j] = values[j];
            }
            to.getParameters().get(i).getValue().getArray().set(widened);
        }
    }

    /** d MSE(f(x'), x) / d parameter for a fixed corrupted batch, as doubles. */
    private static List<double[]> gradients(Block block, NDManager parent, DataType type) {
        for (Pair<String, Parameter> p : block.getParameters()) {
            p.getValue().getArray().setRequiresGradient(true);
        }
        int pixels = BATCH * 784;
        float[] clean = UniformNoise.image(1, pixels);
        float[] noise = UniformNoise.image(2, pixels);
        float[] amounts = UniformNoise.image(3, BATCH);
        try (NDManager call = parent.newSubManager()) {
            Shape shape = new Shape(BATCH, 1, 28, 28);
            NDArray x = call.create(clean, shape).toType(type, false);
            NDArray n = call.create(noise, shape).toType(type, false);
            NDArray a = call.create(amounts, new Shape(BATCH, 1, 1, 1)).toType(type, false);
            NDArray noisy = Corruption.apply(x, a, n);
            try (GradientCollector collector = Engine.getInstance().newGradientCollector()) {
                NDArray prediction = block.forward(new ParameterStore(call, false),
                        new NDList(noisy), true).singletonOrThrow();
                collector.backward(prediction.sub(x).square().mean());
            }
            return gradientsOf(block, call);
        }
    }

    /** Every parameter's gradient, as doubles; the gradients' arrays go to {@code call}. */
    private static List<double[]> gradientsOf(Block block, NDManager call) {
        List<double[]> gradients = new ArrayList<>();
        for (Pair<String, Parameter> p : block.getParameters()) {
            NDArray gradient = p.getValue().getArray().getGradient();
            gradient.attach(call);
            gradients.add(gradient.toType(DataType.FLOAT64, false).toDoubleArray());
        }
        return gradients;
    }

    /**
     * Every parameter's relative error below {@link #TOLERANCE}; a failure names all that are not,
     * so a host whose kernels go wrong shows from which layer down.
     */
    private static void assertWithinTolerance(Block trained, List<double[]> actual, List<double[]> expected) {
        Map<String, String> beyond = new LinkedHashMap<>();
        for (int i = 0; i < expected.size(); i++) {
            double error = relativeError(actual.get(i), expected.get(i));
            if (!(error < TOLERANCE)) {
                beyond.put(trained.getParameters().get(i).getKey(), String.format("%.2e", error));
            }
        }
        assertThat(beyond).as("parameters whose float32 gradient is off by a relative error of %s or more", TOLERANCE)
                .isEmpty();
    }

    /** max |actual − expected| / max |expected| over one parameter tensor. */
    static double relativeError(double[] actual, double[] expected) {
        assertThat(actual).hasSameSizeAs(expected);
        double maxDiff = 0;
        double maxRef = 0;
        for (int i = 0; i < expected.length; i++) {
            maxDiff = Math.max(maxDiff, Math.abs(actual[i] - expected[i]));
            maxRef = Math.max(maxRef, Math.abs(expected[i]));
        }
        return maxDiff / maxRef;
    }
}
