package dev.denoise.diffusion;

/**
 * One image on its way from its seed's noise to a sample, a step at a time: what a sampler keeps
 * of it between steps. Each step it asks the network for one row (two where guidance mixes a
 * conditional and an unconditional prediction) and moves with the answer; {@link StepBatch}
 * gathers the rows of many trajectories into one pass. Everything a step does to an image is
 * computed from that image's rows alone, so no image depends on which others shared its passes.
 */
public abstract class Trajectory {
    private final long seed;
    private final int steps;
    /** The current sample, one value a pixel. */
    protected final float[] x;
    private int step;

    protected Trajectory(long seed, int steps, float[] start) {
        if (steps < 1) {
            throw new IllegalArgumentException("steps must be at least 1, was " + steps);
        }
        this.seed = seed;
        this.steps = steps;
        this.x = start;
    }

    public final long seed() {
        return seed;
    }

    public final int steps() {
        return steps;
    }

    /** Steps taken so far. */
    public final int step() {
        return step;
    }

    public final boolean finished() {
        return step == steps;
    }

    public final int pixels() {
        return x.length;
    }

    /** Network rows the next step needs. */
    public abstract int rows();

    /** Writes the next step's rows from {@code row} on: the noisy image, its timestep and the label asked for. */
    abstract void writeRows(float[] images, int[] timesteps, int[] labels, int row);

    /**
     * The rows of a class-conditioned sampler from {@code row} on: the current sample in each of
     * {@link #rows()} rows, the first asking for {@code label} (no class at scale 0), a second, when
     * guidance mixes two, for no class.
     */
    protected final void writeGuidedRows(float[] images, int[] labels, int row, int label, float scale) {
        writeGuidedRows(images, labels, row, label, scale, CondUNet.NO_CLASS);
    }

    /** As above for a network whose "no class" is the index {@code noClass}. */
    protected final void writeGuidedRows(float[] images, int[] labels, int row, int label, float scale, int noClass) {
        int rows = rows();
        for (int r = 0; r < rows; r++) {
            System.arraycopy(x, 0, images, (row + r) * x.length, x.length);
        }
        labels[row] = scale == 0f ? noClass : label;
        if (rows == 2) {
            labels[row + 1] = noClass;
        }
    }

    /**
     * The guidance scale handed to the network as an input on this step's rows, for a network that
     * takes one (a distilled student); other networks ignore it.
     */
    float networkGuidance() {
        return 0f;
    }

    /** Moves one step with the network's outputs for this step's rows, which start at {@code row}. */
    abstract void move(float[] outputs, int row);

    final void advance(float[] outputs, int row) {
        if (finished()) {
            throw new IllegalStateException("trajectory of seed " + seed + " already took its " + steps + " steps");
        }
        move(outputs, row);
        step++;
    }

    /** The sample as 8-bit grey pixels (0 = black), once {@link #finished()}. */
    public abstract byte[] image();

    /** The current sample in the data range, for tests of the arithmetic. */
    final float[] values() {
        return x.clone();
    }

    /** The sample of a sampler whose images end in the data range [-1, 1], as 0..255 a value. */
    protected final byte[] fromDataRange() {
        byte[] image = new byte[x.length];
        for (int p = 0; p < x.length; p++) {
            image[p] = grey((x[p] + 1) / 2);
        }
        return image;
    }

    /** Clamps {@code value} (in [0,1] after the caller's shift) and rounds it to a grey level. */
    static byte grey(float value) {
        return (byte) Math.round(Math.min(1f, Math.max(0f, value)) * 255f);
    }
}
