package dev.denoise.diffusion;

import dev.denoise.diffusion.SchedulerConfig.PredictionType;

/**
 * What the three diffusers samplers share: the rows of a step (one, or two where guidance mixes
 * a class and no class), the guided network output, and the clean-image and noise estimates a
 * prediction type gives at a timestep. Subclasses move the image with those.
 */
abstract class DiffusersTrajectory extends Trajectory {
    protected final DiffusersSchedule schedule;
    /** The timesteps visited, noisiest first. */
    protected final int[] timesteps;
    private final int label;
    private final float scale;
    private final int noClass;
    /** The network's output for this step, after guidance. */
    private final float[] output;
    protected final float[] x0;
    protected final float[] noise;

    DiffusersTrajectory(long seed, int steps, int label, float scale, float[] start, DiffusersSchedule schedule,
                        int noClass, int[] timesteps) {
        super(seed, steps, start);
        this.schedule = schedule;
        this.timesteps = timesteps;
        this.label = label;
        this.scale = scale;
        this.noClass = noClass;
        this.output = new float[start.length];
        this.x0 = new float[start.length];
        this.noise = new float[start.length];
    }

    /** No class or scale 0: the unconditional row; scale 1: the class's row; any other: both, mixed. */
    @Override
    public final int rows() {
        return label != noClass && Prediction.mixes(scale) ? 2 : 1;
    }

    @Override
    final void writeRows(float[] images, int[] timesteps, int[] labels, int row) {
        writeGuidedRows(images, labels, row, label, scale, noClass);
        for (int r = 0; r < rows(); r++) {
            timesteps[row + r] = this.timesteps[step()];
        }
    }

    @Override
    final void move(float[] outputs, int row) {
        if (rows() == 2) {
            Prediction.guide(outputs, row, row + 1, scale, output);
        } else {
            System.arraycopy(outputs, row * x.length, output, 0, x.length);
        }
        move(output);
    }

    /** Moves one step with the (guided) network output for the current step. */
    abstract void move(float[] output);

    /**
     * The clean image into {@link #x0} and the noise into {@link #noise} that the network's
     * {@code output} says x holds at ᾱ = {@code alphaBar}, by the model's prediction type.
     */
    protected final void estimate(float[] output, double alphaBar) {
        float alpha = (float) Math.sqrt(alphaBar);
        float sigma = (float) Math.sqrt(1 - alphaBar);
        PredictionType type = schedule.config().predictionType();
        for (int p = 0; p < x.length; p++) {
            switch (type) {
                case EPSILON -> {
                    x0[p] = (x[p] - sigma * output[p]) / alpha;
                    noise[p] = output[p];
                }
                case SAMPLE -> {
                    x0[p] = output[p];
                    noise[p] = (x[p] - alpha * output[p]) / sigma;
                }
                case V_PREDICTION -> {
                    x0[p] = alpha * x[p] - sigma * output[p];
                    noise[p] = alpha * output[p] + sigma * x[p];
                }
            }
        }
    }

    /** DDIM's and DDPM's clip of the clean-image estimate (the noise estimate is kept, as diffusers does). */
    protected final void clipEstimate() {
        if (schedule.config().clipSample()) {
            float range = (float) schedule.config().clipSampleRange();
            for (int p = 0; p < x0.length; p++) {
                x0[p] = Math.min(range, Math.max(-range, x0[p]));
            }
        }
    }

    /** Images end in [-1, 1], written as 0..255, channel after channel. */
    @Override
    public final byte[] image() {
        return fromDataRange();
    }
}
