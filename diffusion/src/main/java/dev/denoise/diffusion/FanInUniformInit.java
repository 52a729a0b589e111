package dev.denoise.diffusion;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Block;
import ai.djl.nn.Parameter;
import ai.djl.util.Pair;
import java.util.SplittableRandom;

/**
 * PyTorch's default initialisation for convolutions and linear layers, U(-1/√fanIn, 1/√fanIn)
 * for weights and for the bias that follows them, drawn in Java from one seed so the initial
 * weights are the same on every engine, device and thread count. Normalisation scales start at 1
 * and shifts at 0, as in PyTorch (they draw nothing from the generator).
 */
public final class FanInUniformInit {

    private FanInUniformInit() {
    }

    /** Overwrites every parameter of an initialised block, in parameter order. */
    public static void apply(Block block, long seed) {
        SplittableRandom random = new SplittableRandom(seed);
        long fanIn = 1;
        for (Pair<String, Parameter> entry : block.getParameters()) {
            NDArray array = entry.getValue().getArray();
            Shape shape = array.getShape();
            Parameter.Type type = entry.getValue().getType();
            if (type == Parameter.Type.GAMMA || type == Parameter.Type.BETA) {
                array.set(filled(shape, type == Parameter.Type.GAMMA ? 1f : 0f));
                continue;
            }
            if (entry.getValue().getType() == Parameter.Type.WEIGHT) {
                fanIn = shape.size() / shape.get(0);
            }
            double bound = 1.0 / Math.sqrt(fanIn);
            float[] values = new float[Math.toIntExact(shape.size())];
            for (int i = 0; i < values.length; i++) {
                values[i] = (float) ((random.nextDouble() * 2 - 1) * bound);
            }
            array.set(values);
        }
    }

    private static float[] filled(Shape shape, float value) {
        float[] values = new float[Math.toIntExact(shape.size())];
        java.util.Arrays.fill(values, value);
        return values;
    }
}
