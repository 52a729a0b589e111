package dev.denoise.diffusion;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Block;
import java.util.Arrays;
import java.util.Map;

/**
 * The {@link UNet} conditioned on the diffusion timestep and on the digit, for 28x28
 * single-channel images. The digit is one of 11 classes (0-9 and "no class", which training uses
 * for dropped labels, so one network predicts with and without a label and classifier-free
 * guidance can mix the two). It predicts v (see {@link Prediction}).
 *
 * <p>Inputs: the noisy images (N,1,28,28), the timesteps as floats (N,1), the one-hot classes
 * (N,11); built by {@link #inputs}.
 */
public final class CondUNet implements DenoiserArchitecture {

    public static final String NAME = "cond-unet";
    /** The class index of "no label". */
    public static final int NO_CLASS = 10;
    /** The classifier-free guidance scale a request gets when it names none. */
    public static final float DEFAULT_GUIDANCE = 2f;
    /** The step count a request gets when it names none. */
    private static final int DEFAULT_STEPS = 8;
    /** Its family: the network, its samplers and the defaults of a request. */
    public static final ModelFamily FAMILY = new ModelFamily(NAME, CondUNet::new, CondUNet::of,
            NoiseScheduleSampler.NAMES.stream().<Sampler>map(NoiseScheduleSampler::new).toList(),
            DEFAULT_STEPS, DEFAULT_GUIDANCE);

    private final int[] channels;
    private final Layout layout;

    /** The shipped size: 32, 64 and 128 channels at 28, 14 and 7 pixels. */
    public CondUNet() {
        this(new int[] {32, 64, 128}, Layout.CHANNELS_LAST);
    }

    CondUNet(int[] channels, Layout layout) {
        if (channels.length != 3) {
            throw new IllegalArgumentException(NAME + " has three levels, not " + channels.length);
        }
        this.channels = channels.clone();
        this.layout = layout;
    }

    /** From published hyper-parameters (the channels); the rest is fixed by the name. */
    static CondUNet of(Map<String, String> hyperParameters) {
        return new CondUNet(UNet.channels(NAME, hyperParameters), Layout.CHANNELS_LAST);
    }

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public Map<String, String> hyperParameters() {
        return SortedMaps.of(Map.of(
                "image", "1x28x28",
                "channels", channels[0] + "," + channels[1] + "," + channels[2],
                "groups", String.valueOf(UNet.GROUPS),
                "embedding", String.valueOf(UNet.EMBEDDING),
                "classes", "10+none",
                "schedule", "cosine-" + Prediction.SCHEDULE_LENGTH,
                "prediction", "v"));
    }

    @Override
    public Shape imageShape() {
        return new Shape(1, 28, 28);
    }

    @Override
    public Shape[] inputShapes(long batchSize) {
        return new Shape[] {inputShape(batchSize), new Shape(batchSize, 1), new Shape(batchSize, UNet.CLASSES)};
    }

    @Override
    public NDList exampleInputs(NDArray x) {
        int n = Math.toIntExact(x.getShape().get(0));
        int[] timesteps = new int[n];
        int[] labels = new int[n];
        Arrays.fill(timesteps, Prediction.SCHEDULE_LENGTH / 2);
        Arrays.fill(labels, NO_CLASS);
        return inputs(x, timesteps, labels);
    }

    @Override
    public NDList forwardInputs(NDArray images, int[] timesteps, int[] labels) {
        return inputs(images, timesteps, labels);
    }

    @Override
    public boolean classConditioned() {
        return true;
    }

    @Override
    public Block build() {
        return new UNet(channels, 1, 1, layout);
    }

    /**
     * The network's inputs for {@code x} at {@code timesteps}, asking for {@code labels} (0-9, or
     * {@link #NO_CLASS}); all in {@code x}'s manager.
     */
    public static NDList inputs(NDArray x, int[] timesteps, int[] labels) {
        int n = timesteps.length;
        float[] t = new float[n];
        for (int i = 0; i < n; i++) {
            t[i] = timesteps[i];
        }
        return UNet.inputs(x, x.getManager().create(t, new Shape(n, 1)), labels);
    }
}
