package dev.denoise.diffusion;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Block;
import java.util.Arrays;
import java.util.Map;

/**
 * A masked (absorbing-state) discrete diffusion model over a binarised digit's 784 pixels (Austin
 * et al., 2021; Sahoo et al., 2024, MDLM): each pixel is a token, 0 (black), 1 (white) or
 * {@link #MASK}. The network is the {@link UNet} that {@link CondUNet} is built on, with the
 * tokens one-hot in (three channels, so its first convolution is a token embedding summed over
 * each 3x3 neighbourhood) and two logits a pixel out (black, white); class-conditioned the same
 * way (label dropout, guidance).
 *
 * <p>No time input: how far a sample has come is the number of masked tokens, which the tokens
 * themselves tell. The network's time embedding is fed that count, computed from the input here,
 * so a sampler writes only tokens and labels and the model cannot be handed a count that
 * disagrees with its input.
 *
 * <p>Images given to {@link #forwardInputs} hold one token a pixel (0, 1 or 2 as floats).
 */
public final class MaskedUNet implements DenoiserArchitecture {

    public static final String NAME = "masked-unet";
    /** The absorbing token's value. */
    public static final int MASK = 2;
    /** Tokens a pixel can hold: black, white, masked. */
    static final int TOKENS = 3;
    /** Logits a pixel: black, white. */
    public static final int VALUES = 2;
    public static final int PIXELS = 28 * 28;
    /**
     * The guidance a request gets when it names none: the conditional model alone (1) misses the
     * label-accuracy target, 1.5 meets it at the price of a second pass a step and less variety
     * (figures in docs/models.md).
     */
    public static final float DEFAULT_GUIDANCE = 1.5f;
    /** The step count a request gets when it names none. */
    private static final int DEFAULT_STEPS = 32;
    /** Its family: the network, its samplers and the defaults of a request. */
    public static final ModelFamily FAMILY = new ModelFamily(NAME, MaskedUNet::new, MaskedUNet::of,
            MaskedSampler.NAMES.stream().<Sampler>map(MaskedSampler::new).toList(), DEFAULT_STEPS, DEFAULT_GUIDANCE);

    private final int[] channels;

    /** The shipped size, cond-unet's: 32, 64 and 128 channels at 28, 14 and 7 pixels. */
    public MaskedUNet() {
        this(new int[] {32, 64, 128});
    }

    public MaskedUNet(int[] channels) {
        if (channels.length != 3) {
            throw new IllegalArgumentException(NAME + " has three levels, not " + channels.length);
        }
        this.channels = channels.clone();
    }

    /** From published hyper-parameters (the channels); the rest is fixed by the name. */
    static MaskedUNet of(Map<String, String> hyperParameters) {
        return new MaskedUNet(UNet.channels(NAME, hyperParameters));
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
                "embedding", String.valueOf(UNet.EMBEDDING),
                "classes", "10+none",
                "tokens", "black,white,mask",
                "time", "masked-count"));
    }

    @Override
    public Block build() {
        return new UNet(channels, TOKENS, VALUES, Layout.CHANNELS_LAST);
    }

    @Override
    public Shape imageShape() {
        return new Shape(1, 28, 28);
    }

    @Override
    public Shape[] inputShapes(long batchSize) {
        return new Shape[] {new Shape(batchSize, TOKENS, 28, 28), new Shape(batchSize, 1),
                new Shape(batchSize, UNet.CLASSES)};
    }

    /** Two logits a pixel (black, white). */
    @Override
    public Shape outputShape(long batchSize) {
        return new Shape(batchSize, VALUES, 28, 28);
    }

    /** Every token masked, no label: where every sample starts. */
    @Override
    public NDList exampleInputs(NDArray x) {
        int n = Math.toIntExact(x.getShape().get(0));
        int[] labels = new int[n];
        Arrays.fill(labels, CondUNet.NO_CLASS);
        return inputs(x.zerosLike().add(MASK), labels);
    }

    /** The timesteps are ignored: the masked count is read off the tokens. */
    @Override
    public NDList forwardInputs(NDArray images, int[] timesteps, int[] labels) {
        return inputs(images, labels);
    }

    /**
     * The block's inputs for {@code tokens} (N,1,28,28) asking for {@code labels}: the tokens one-hot,
     * the masked count of each image, the labels one-hot; all in the tokens' manager.
     */
    public static NDList inputs(NDArray tokens, int[] labels) {
        NDArray masked = tokens.eq((float) MASK);
        NDArray oneHot = NDArrays.concat(new NDList(tokens.eq(0f), tokens.eq(1f), masked), 1)
                .toType(DataType.FLOAT32, false);
        NDArray counts = masked.toType(DataType.FLOAT32, false).sum(new int[] {1, 2, 3}).reshape(labels.length, 1);
        return UNet.inputs(oneHot, counts, labels);
    }

    /**
     * −log p(target) a pixel, shape (N,1,H,W), for logits (N,2,H,W) over black and white and binary
     * targets (N,1,H,W). With z the white logit minus the black it is softplus(z) − target·z, the
     * two-class log-softmax in elementwise operations: training runs no log-softmax kernel over the
     * channels-last output, a kernel no other network's training uses.
     */
    public static NDArray crossEntropy(NDArray logits, NDArray targets) {
        NDArray z = logits.get(":, 1:2").sub(logits.get(":, 0:1"));
        NDArray softplus = z.maximum(0f).add(z.abs().neg().exp().add(1f).log());
        return softplus.sub(targets.mul(z));
    }

    @Override
    public boolean classConditioned() {
        return true;
    }
}
