package dev.denoise.diffusion;

/**
 * The article's sampler: x ~ U[0,1); for i in 0..n−1: p = f(x), m = 1/(n−i), x = x(1−m) + p·m;
 * then clamp to [0,1] and quantise to 8 bits. The last step has m = 1, so the result is the
 * model's final prediction.
 */
public final class ArticleSampler implements Sampler {

    public static final String NAME = "article";

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public Trajectory start(long seed, int steps, int label, float scale, int pixels) {
        if (label != CondUNet.NO_CLASS) {
            throw new UnsupportedOperationException("Sampler " + NAME + " takes no labels");
        }
        return new Mix(seed, steps, UniformNoise.image(seed, pixels));
    }

    /** The fraction of the prediction mixed in at step {@code i} of {@code steps}. */
    static float mix(int i, int steps) {
        return 1f / (steps - i);
    }

    /** One image under the article's update; the network sees only the image. */
    static final class Mix extends Trajectory {
        Mix(long seed, int steps, float[] start) {
            super(seed, steps, start);
        }

        @Override
        public int rows() {
            return 1;
        }

        @Override
        void writeRows(float[] images, int[] timesteps, int[] labels, int row) {
            System.arraycopy(x, 0, images, row * x.length, x.length);
            labels[row] = CondUNet.NO_CLASS;
        }

        /** x(1−m) + p·m with m = {@link #mix(int, int)}. */
        @Override
        void move(float[] outputs, int row) {
            float m = mix(step(), steps());
            int offset = row * x.length;
            for (int p = 0; p < x.length; p++) {
                x[p] = x[p] * (1f - m) + outputs[offset + p] * m;
            }
        }

        @Override
        public byte[] image() {
            byte[] image = new byte[x.length];
            for (int p = 0; p < x.length; p++) {
                image[p] = grey(x[p]);
            }
            return image;
        }
    }
}
