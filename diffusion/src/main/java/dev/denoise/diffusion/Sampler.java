package dev.denoise.diffusion;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;

/** Turns seeds into images with a trained {@link Denoiser}, one {@link Trajectory} an image. */
public interface Sampler {

    /** Stable identifier, e.g. {@code article}. */
    String name();

    /** The only step counts it samples at, in increasing order; empty when it takes any count from 1 up. */
    default List<Integer> stepCounts() {
        return List.of();
    }

    /** Why it cannot sample at guidance {@code scale}, if it cannot; any finite scale ≥ 0 by default. */
    default Optional<String> guidanceRefusal(float scale) {
        return Optional.empty();
    }

    /**
     * The trajectory of one image of {@code pixels} pixels from {@code seed} over {@code steps}
     * steps, asking a class-conditioned model for {@code label} (0-9, or {@link CondUNet#NO_CLASS})
     * with classifier-free guidance {@code scale}. Samplers of unconditioned models take no label.
     */
    Trajectory start(long seed, int steps, int label, float scale, int pixels);

    /**
     * One image per seed, each as 8-bit grey pixels in row-major order (H·W bytes, 0 = black),
     * all stepped together. An image depends only on its seed, the step count and the weights.
     */
    default List<byte[]> sample(Denoiser denoiser, long[] seeds, int steps) {
        int[] none = new int[seeds.length];
        Arrays.fill(none, CondUNet.NO_CLASS);
        return sample(denoiser, seeds, none, 0f, steps);
    }

    /** As above, image i asking for {@code labels[i]} with guidance {@code scale}; it also depends on those. */
    default List<byte[]> sample(Denoiser denoiser, long[] seeds, int[] labels, float scale, int steps) {
        if (labels.length != seeds.length) {
            throw new IllegalArgumentException(labels.length + " labels for " + seeds.length + " seeds");
        }
        int pixels = Math.toIntExact(denoiser.architecture().imageShape().size());
        List<Trajectory> trajectories = new ArrayList<>(seeds.length);
        for (int i = 0; i < seeds.length; i++) {
            trajectories.add(start(seeds[i], steps, labels[i], scale, pixels));
        }
        StepBatch.runToEnd(StepBatch.of(denoiser), denoiser.manager(), denoiser.architecture().imageShape(), trajectories);
        return StepBatch.images(trajectories);
    }
}
