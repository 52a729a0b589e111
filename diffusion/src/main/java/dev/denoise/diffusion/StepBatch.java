package dev.denoise.diffusion;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * One network pass that moves many trajectories one step each, whatever their step counts,
 * timesteps, labels or guidance: each contributes its rows, and gets its own rows of the output
 * back. The images stay in Java arrays between steps, so a trajectory can join or leave between
 * any two passes (continuous batching) and holds no native memory.
 */
public final class StepBatch {

    /**
     * A network's output for a batch of rows: images (N, C, H, W), a timestep, a label and a
     * guidance scale a row (the scale is an input only to networks that take it).
     */
    @FunctionalInterface
    public interface Network {
        NDArray forward(NDArray images, int[] timesteps, int[] labels, float[] guidance);
    }

    private StepBatch() {
    }

    /** The denoiser's network, with the inputs its architecture takes. */
    public static Network of(Denoiser denoiser) {
        return (images, timesteps, labels, guidance) -> denoiser.predict(
                denoiser.architecture().forwardInputs(images, timesteps, labels, guidance), false);
    }

    /** Moves every trajectory one step in one pass of {@code denoiser}; returns the rows the pass ran. */
    public static int advance(Denoiser denoiser, List<? extends Trajectory> trajectories) {
        return advance(of(denoiser), denoiser.manager(), denoiser.architecture().imageShape(), trajectories);
    }

    /** As above over any network (tests use exact ones); the pass's arrays live in a sub-manager of {@code parent}. */
    static int advance(Network network, NDManager parent, Shape image, List<? extends Trajectory> trajectories) {
        int pixels = Math.toIntExact(image.size());
        int[] firstRow = new int[trajectories.size()];
        int rows = 0;
        for (int i = 0; i < trajectories.size(); i++) {
            firstRow[i] = rows;
            rows += trajectories.get(i).rows();
        }
        float[] images = new float[rows * pixels];
        int[] timesteps = new int[rows];
        int[] labels = new int[rows];
        float[] guidance = new float[rows];
        for (int i = 0; i < trajectories.size(); i++) {
            Trajectory trajectory = trajectories.get(i);
            trajectory.writeRows(images, timesteps, labels, firstRow[i]);
            Arrays.fill(guidance, firstRow[i], firstRow[i] + trajectory.rows(), trajectory.networkGuidance());
        }
        float[] outputs;
        try (NDManager pass = parent.newSubManager()) {
            NDArray x = pass.create(images, new Shape(rows, image.get(0), image.get(1), image.get(2)));
            outputs = network.forward(x, timesteps, labels, guidance).toFloatArray();
        }
        for (int i = 0; i < trajectories.size(); i++) {
            trajectories.get(i).advance(outputs, firstRow[i]);
        }
        return rows;
    }

    /** Runs trajectories that start together until each has taken all its steps. */
    static void runToEnd(Network network, NDManager parent, Shape image, List<? extends Trajectory> trajectories) {
        List<Trajectory> running = new ArrayList<>(trajectories);
        while (!running.isEmpty()) {
            advance(network, parent, image, running);
            running.removeIf(Trajectory::finished);
        }
    }

    /** The finished images, in the trajectories' order. */
    static List<byte[]> images(List<? extends Trajectory> trajectories) {
        return trajectories.stream().map(Trajectory::image).toList();
    }
}
