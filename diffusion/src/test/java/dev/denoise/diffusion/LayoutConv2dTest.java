package dev.denoise.diffusion;

import static dev.denoise.diffusion.GradientCheckTest.relativeError;
import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.Device;
import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.convolutional.Conv2d;
import ai.djl.training.GradientCollector;
import ai.djl.training.ParameterStore;
import ai.djl.training.initializer.Initializer;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * A convolution with a few channels runs as one-channel convolutions; its output and its
 * gradients (input, weight, bias) must be those of one plain convolution, computed in float64.
 */
class LayoutConv2dTest {

    private static final int BATCH = 8;
    private static final double TOLERANCE = 1e-4;

    @ParameterizedTest(name = "{0} -> {1} channels, {2}x{2}, {3}")
    @CsvSource({
            "3, 32, 3, CHANNELS_LAST", // masked-unet's stem: split by input channel
            "32, 2, 3, CHANNELS_LAST", // masked-unet's output: split by output channel
            "3, 2, 3, CONTIGUOUS",     // both
            "1, 32, 3, CHANNELS_LAST", // not split
            "7, 8, 1, CHANNELS_LAST",  // the edges: 7 split, 8 not
            "8, 7, 3, CHANNELS_LAST"})
    void aSplitConvolutionComputesThePlainOne(int in, int out, int kernel, Layout layout) {
        try (NDManager manager = NDManager.newBaseManager(Device.cpu())) {
            LayoutConv2d conv = new LayoutConv2d(in, out, kernel, layout);
            Shape inputShape = new Shape(BATCH, in, 28, 28);
            conv.setInitializer(Initializer.ZEROS, p -> true);
            conv.initialize(manager, DataType.FLOAT32, inputShape);
            FanInUniformInit.apply(conv, 7);
            NDArray weight = conv.getParameters().get("weight").getArray();
            NDArray bias = conv.getParameters().get("bias").getArray();
            weight.setRequiresGradient(true);
            bias.setRequiresGradient(true);
            NDArray x = manager.create(UniformNoise.image(8, BATCH * in * 784), inputShape);
            NDArray upstream = manager.create(UniformNoise.image(9, BATCH * out * 784), new Shape(BATCH, out, 28, 28))
                    .sub(0.5f);
            x.setRequiresGradient(true);

            NDArray y;
            try (GradientCollector collector = Engine.getInstance().newGradientCollector()) {
                y = conv.forward(new ParameterStore(manager, false), new NDList(x), true).singletonOrThrow();
                collector.backward(y.mul(upstream).sum());
            }
            double[] output = doubles(y);
            double[] inputGradient = doubles(x.getGradient());
            double[] weightGradient = doubles(weight.getGradient());
            double[] biasGradient = doubles(bias.getGradient());

            NDArray x64 = x.toType(DataType.FLOAT64, false);
            NDArray w64 = weight.toType(DataType.FLOAT64, false);
            NDArray b64 = bias.toType(DataType.FLOAT64, false);
            for (NDArray a : new NDArray[] {x64, w64, b64}) {
                a.setRequiresGradient(true);
            }
            NDArray y64;
            try (GradientCollector collector = Engine.getInstance().newGradientCollector()) {
                int pad = kernel / 2;
                y64 = Conv2d.conv2d(x64, w64, b64, new Shape(1, 1), new Shape(pad, pad), new Shape(1, 1), 1)
                        .singletonOrThrow();
                collector.backward(y64.mul(upstream.toType(DataType.FLOAT64, false)).sum());
            }
            assertThat(relativeError(output, doubles(y64))).as("output").isLessThan(TOLERANCE);
            assertThat(relativeError(inputGradient, doubles(x64.getGradient()))).as("input gradient").isLessThan(TOLERANCE);
            assertThat(relativeError(weightGradient, doubles(w64.getGradient()))).as("weight gradient").isLessThan(TOLERANCE);
            assertThat(relativeError(biasGradient, doubles(b64.getGradient()))).as("bias gradient").isLessThan(TOLERANCE);
        }
    }

    private static double[] doubles(NDArray array) {
        return array.toType(DataType.FLOAT64, false).toDoubleArray();
    }
}
