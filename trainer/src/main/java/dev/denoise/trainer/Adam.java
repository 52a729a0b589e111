package dev.denoise.trainer;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.nn.Block;
import ai.djl.nn.Parameter;
import ai.djl.util.Pair;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;

/**
 * Adam exactly as PyTorch's default (β₁ 0.9, β₂ 0.999, ε 1e-8, bias-corrected, no weight decay).
 * Written here rather than taken from DJL so its moments can be checkpointed: resuming a run
 * then continues bit-for-bit where it stopped.
 */
final class Adam {

    private static final float BETA1 = 0.9f;
    private static final float BETA2 = 0.999f;
    private static final float EPSILON = 1e-8f;

    private final List<Parameter> parameters = new ArrayList<>();
    private final List<NDArray> means = new ArrayList<>();
    private final List<NDArray> variances = new ArrayList<>();
    private final NDManager stateManager;
    private final float learningRate;
    private long steps;

    Adam(Block block, NDManager owner, float learningRate) {
        this.stateManager = owner.newSubManager();
        this.learningRate = learningRate;
        for (Pair<String, Parameter> p : block.getParameters()) {
            parameters.add(p.getValue());
            means.add(stateManager.zeros(p.getValue().getArray().getShape()));
            variances.add(stateManager.zeros(p.getValue().getArray().getShape()));
        }
    }

    /**
     * Applies one update from the parameters' accumulated gradients, then zeroes them. Temporary
     * arrays go to {@code scratch}, which the caller closes.
     */
    void step(NDManager scratch) {
        steps++;
        float correction1 = 1f - (float) Math.pow(BETA1, steps);
        float sqrtCorrection2 = (float) Math.sqrt(1.0 - Math.pow(BETA2, steps));
        float stepSize = learningRate / correction1;
        for (int i = 0; i < parameters.size(); i++) {
            NDArray weight = parameters.get(i).getArray();
            NDArray gradient = owned(weight.getGradient(), scratch);
            NDArray mean = means.get(i);
            NDArray variance = variances.get(i);
            mean.muli(BETA1).addi(gradient.mul(1f - BETA1));
            variance.muli(BETA2).addi(gradient.square().mul(1f - BETA2));
            NDArray denominator = owned(variance.sqrt(), scratch).divi(sqrtCorrection2).addi(EPSILON);
            NDArray update = owned(mean.mul(stepSize), scratch).divi(denominator);
            weight.subi(update);
            gradient.muli(0f);
        }
    }

    long steps() {
        return steps;
    }

    /** Step count and moments, for checkpoints. */
    byte[] encodeState() {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (DataOutputStream out = new DataOutputStream(bytes)) {
            out.writeLong(steps);
            out.writeInt(parameters.size());
            for (int i = 0; i < parameters.size(); i++) {
                writeArray(out, means.get(i).encode());
                writeArray(out, variances.get(i).encode());
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return bytes.toByteArray();
    }

    void restoreState(byte[] state) {
        try (DataInputStream in = new DataInputStream(new ByteArrayInputStream(state))) {
            long savedSteps = in.readLong();
            int count = in.readInt();
            if (count != parameters.size()) {
                throw new IllegalStateException("Optimizer state holds " + count
                        + " parameters, the model has " + parameters.size());
            }
            for (int i = 0; i < count; i++) {
                try (NDArray mean = stateManager.decode(readArray(in));
                     NDArray variance = stateManager.decode(readArray(in))) {
                    means.get(i).set(mean.toFloatArray());
                    variances.get(i).set(variance.toFloatArray());
                }
            }
            steps = savedSteps;
        } catch (IOException e) {
            throw new UncheckedIOException("Corrupt optimizer state", e);
        }
    }

    private static void writeArray(DataOutputStream out, byte[] array) throws IOException {
        out.writeInt(array.length);
        out.write(array);
    }

    private static byte[] readArray(DataInputStream in) throws IOException {
        byte[] array = new byte[in.readInt()];
        in.readFully(array);
        return array;
    }

    /** Results of ops on parameters belong to the parameters' manager unless moved. */
    private static NDArray owned(NDArray array, NDManager scratch) {
        array.attach(scratch);
        return array;
    }
}
