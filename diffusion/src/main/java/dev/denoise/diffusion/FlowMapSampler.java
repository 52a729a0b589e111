package dev.denoise.diffusion;

import java.util.List;
import java.util.Optional;

/**
 * The sampler of a {@link DistilledUNet}: one network row a step, at the timesteps of
 * {@link Prediction#SCHEDULE} that {@code steps} evenly spaced steps visit. Each pass predicts
 * where the teacher's guided path through the current image ends (x̂₀, from the network's v); the
 * last pass's x̂₀ is the image, earlier ones move to the next timestep as DDIM does,
 * x_s = α_s·x̂₀ + σ_s·ε̂. Deterministic: an image depends on its seed, label, scale and step count
 * only. It samples at the pass counts the student was trained for and nothing else.
 */
public final class FlowMapSampler implements Sampler {
    public static final String NAME = "flow-map";

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public List<Integer> stepCounts() {
        return DistilledUNet.PASSES;
    }

    /** Guidance 0 (no class) or a scale within the range the student was trained for. */
    @Override
    public Optional<String> guidanceRefusal(float scale) {
        return DistilledUNet.takesGuidance(scale) ? Optional.empty() : Optional.of(NAME + " takes guidance 0 or "
                + DistilledUNet.MIN_GUIDANCE + " to " + DistilledUNet.MAX_GUIDANCE + ", the range it was trained for, not "
                + scale);
    }

    @Override
    public Trajectory start(long seed, int steps, int label, float scale, int pixels) {
        if (!DistilledUNet.PASSES.contains(steps)) {
            throw new IllegalArgumentException(NAME + " samples in " + DistilledUNet.PASSES + " passes, not " + steps);
        }
        Optional<String> refusal = guidanceRefusal(scale);
        if (refusal.isPresent()) {
            throw new IllegalArgumentException(refusal.get());
        }
        return new Jumps(seed, steps, scale == 0f ? CondUNet.NO_CLASS : label, scale,
                GaussianNoise.image(seed, 0, pixels));
    }

    /** One image jumping to the end of the teacher's path and back to the next timestep. */
    private static final class Jumps extends Trajectory {
        private final int label;
        private final float scale;
        private final int[] timesteps;
        private final float[] v;
        private final float[] x0;
        private final float[] noise;

        Jumps(long seed, int steps, int label, float scale, float[] start) {
            super(seed, steps, start);
            this.label = label;
            this.scale = scale;
            this.timesteps = Prediction.SCHEDULE.timesteps(steps);
            this.v = new float[start.length];
            this.x0 = new float[start.length];
            this.noise = new float[start.length];
        }

        @Override
        public int rows() {
            return 1;
        }

        @Override
        void writeRows(float[] images, int[] timesteps, int[] labels, int row) {
            System.arraycopy(x, 0, images, row * x.length, x.length);
            timesteps[row] = this.timesteps[step()];
            labels[row] = label;
        }

        @Override
        float networkGuidance() {
            return DistilledUNet.networkScale(label, scale);
        }

        @Override
        void move(float[] outputs, int row) {
            int i = step();
            System.arraycopy(outputs, row * x.length, v, 0, x.length);
            Prediction.estimate(x, v, timesteps[i], x0, noise);
            if (i + 1 == steps()) {
                System.arraycopy(x0, 0, x, 0, x.length);
                return;
            }
            Prediction.ddimMove(x0, noise, Prediction.SCHEDULE.alphaBar(timesteps[i + 1]), x);
        }

        /** Images end in [-1, 1], written as 0..255. */
        @Override
        public byte[] image() {
            return fromDataRange();
        }
    }
}
