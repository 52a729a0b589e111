package dev.denoise.trainer;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.nn.Block;
import ai.djl.nn.Parameter;
import ai.djl.util.Pair;
import java.util.ArrayList;
import java.util.List;

/**
 * The exponential moving average of a block's weights, updated after every optimizer step:
 * a = d·a + (1 − d)·w. Diffusion models sample better from the average than from the last
 * step's weights, which carry the noise of the last few batches. Its arrays live in a sub-manager
 * of the model's, closed with it.
 */
final class WeightAverage implements AutoCloseable {
    private final List<Parameter> parameters = new ArrayList<>();
    private final List<NDArray> averages = new ArrayList<>();
    private final NDManager manager;
    private final float decay;

    WeightAverage(Block block, NDManager owner, float decay) {
        this.manager = owner.newSubManager();
        this.decay = decay;
        for (Pair<String, Parameter> p : block.getParameters()) {
            parameters.add(p.getValue());
            NDArray copy = p.getValue().getArray().duplicate();
            copy.attach(manager);
            averages.add(copy);
        }
    }

    /** Folds the current weights in; temporaries go to {@code scratch}, which the caller closes. */
    void update(NDManager scratch) {
        for (int i = 0; i < parameters.size(); i++) {
            NDArray step = parameters.get(i).getArray().mul(1f - decay);
            step.attach(scratch); // an op on a parameter belongs to the parameter's manager
            averages.get(i).muli(decay).addi(step);
        }
    }

    /** Exchanges the block's weights and the averages: call once to judge the average, again to go on training. */
    void swap() {
        for (int i = 0; i < parameters.size(); i++) {
            NDArray weight = parameters.get(i).getArray();
            float[] current = weight.toFloatArray();
            weight.set(averages.get(i).toFloatArray());
            averages.get(i).set(current);
        }
    }

    @Override
    public void close() {
        manager.close();
    }
}
