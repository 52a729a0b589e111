package dev.denoise.diffusion;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;

import java.util.ArrayList;
import java.util.List;
import java.util.function.UnaryOperator;

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
    public List<byte[]> sample(Denoiser denoiser, long[] seeds, int steps) {
        return sample(denoiser::predict, denoiser.manager(),
                denoiser.architecture().inputShape(seeds.length), seeds, steps);
    }

    /** The loop itself, over any prediction function (tests use simple ones). */
    static List<byte[]> sample(UnaryOperator<NDArray> model, NDManager parent, Shape batchShape,
                               long[] seeds, int steps) {
        if (steps < 1) {
            throw new IllegalArgumentException("steps must be at least 1, was " + steps);
        }
        int pixels = Math.toIntExact(batchShape.size() / batchShape.get(0));
        try (NDManager run = parent.newSubManager()) {
            NDArray x = run.create(UniformNoise.batch(seeds, pixels), batchShape);
            for (int i = 0; i < steps; i++) {
                // Each step's activations live in their own manager, freed when it closes.
                NDArray next;
                try (NDManager step = run.newSubManager()) {
                    x.tempAttach(step);
                    next = step(x, model.apply(x), i, steps);
                    next.attach(run);
                }
                x.close();
                x = next;
            }
            return quantise(x, seeds.length, pixels);
        }
    }

    /** The fraction of the prediction mixed in at step {@code i} of {@code steps}. */
    static float mix(int i, int steps) {
        return 1f / (steps - i);
    }

    /** x(1−m) + p·m with m = {@link #mix(int, int)}. */
    static NDArray step(NDArray x, NDArray prediction, int i, int steps) {
        float m = mix(i, steps);
        return x.mul(1f - m).add(prediction.mul(m));
    }

    /** Clamp to [0,1], scale to 0..255, round to nearest; one byte array per image. */
    static List<byte[]> quantise(NDArray x, int images, int pixels) {
        float[] values = x.toFloatArray();
        List<byte[]> out = new ArrayList<>(images);
        for (int i = 0; i < images; i++) {
            byte[] image = new byte[pixels];
            for (int p = 0; p < pixels; p++) {
                float v = Math.min(1f, Math.max(0f, values[i * pixels + p]));
                image[p] = (byte) Math.round(v * 255f);
            }
            out.add(image);
        }
        return out;
    }
}
