package dev.denoise.diffusion;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.AbstractBlock;
import ai.djl.nn.Block;
import ai.djl.nn.core.Linear;
import ai.djl.nn.pooling.Pool;
import ai.djl.training.ParameterStore;
import ai.djl.util.PairList;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;
import java.util.Map;

/**
 * The conditioned U-Net that {@link CondUNet} and {@link MaskedUNet} are built on, for 28x28
 * images: residual blocks (GroupNorm, SiLU, 3x3 convolutions, the conditioning added between the
 * two convolutions), one per level at 28, 14 and 7 pixels plus one in the middle, average pooling
 * down, nearest upsampling up, skips concatenated. It takes {@code in} input channels and gives
 * {@code out}, conditioned on a scalar "time" (N,1), which enters as a sinusoidal embedding through
 * a two-layer MLP, on a one-hot class (N,11): the digits and {@link CondUNet#NO_CLASS}, and, in a
 * distilled student ({@link DistilledUNet}), on the guidance scale (N,1) through a two-layer MLP.
 *
 * <p>Inputs: the images (N,in,28,28), the time (N,1), the one-hot classes (N,11); built by
 * {@link #inputs}. Child order fixes the parameter order in saved weights.
 */
final class UNet extends AbstractBlock {
    /** Width of the one-hot class input: 0-9 and "no class". */
    static final int CLASSES = 11;
    static final int EMBEDDING = 128;
    static final int GROUPS = 8;
    /** PyTorch's interpolation mode number for nearest-neighbour. */
    private static final int NEAREST = 0;

    private final int[] channels;
    private final int inChannels;
    private final int outChannels;
    private final Linear time1;
    private final Linear time2;
    private final Linear classEmbedding;
    private final LayoutConv2d stem;
    private final List<ResidualBlock> down;
    private final ResidualBlock middle;
    private final List<ResidualBlock> up;
    private final GroupNorm outNorm;
    private final LayoutConv2d out;
    /** The guidance scale's embedding, for a network that takes the scale as an input; else null. */
    private final Linear guidance1;
    private final Linear guidance2;

    /** {@code c}: the channels at 28, 14 and 7 pixels. */
    UNet(int[] c, int inputChannels, int outputChannels, Layout layout) {
        this(c, inputChannels, outputChannels, layout, false);
    }

    /**
     * As above; with {@code guidanceInput} it takes a fourth input, the guidance scale (N,1), whose
     * embedding is added to the time's and the class's. Its layers come after all others, so the
     * parameters of a network without it are a prefix of this one's, with the same names.
     */
    UNet(int[] c, int inputChannels, int outputChannels, Layout layout, boolean guidanceInput) {
        channels = c.clone();
        inChannels = inputChannels;
        outChannels = outputChannels;
        time1 = addChildBlock("time1", Linear.builder().setUnits(EMBEDDING).build());
        time2 = addChildBlock("time2", Linear.builder().setUnits(EMBEDDING).build());
        classEmbedding = addChildBlock("class", Linear.builder().setUnits(EMBEDDING).optBias(false).build());
        stem = addChildBlock("stem", new LayoutConv2d(inputChannels, c[0], 3, layout));
        down = List.of(
                addChildBlock("down0", new ResidualBlock(c[0], c[0], layout)),
                addChildBlock("down1", new ResidualBlock(c[0], c[1], layout)),
                addChildBlock("down2", new ResidualBlock(c[1], c[2], layout)));
        middle = addChildBlock("middle", new ResidualBlock(c[2], c[2], layout));
        up = List.of(
                addChildBlock("up2", new ResidualBlock(2 * c[2], c[1], layout)),
                addChildBlock("up1", new ResidualBlock(2 * c[1], c[0], layout)),
                addChildBlock("up0", new ResidualBlock(2 * c[0], c[0], layout)));
        outNorm = addChildBlock("outNorm", new GroupNorm(c[0], GROUPS));
        out = addChildBlock("out", new LayoutConv2d(c[0], outputChannels, 3, layout));
        guidance1 = guidanceInput ? addChildBlock("guidance1", Linear.builder().setUnits(EMBEDDING).build()) : null;
        guidance2 = guidanceInput ? addChildBlock("guidance2", Linear.builder().setUnits(EMBEDDING).build()) : null;
    }

    /** The published "channels" hyper-parameter of a network built on this U-Net ({@code name}'s). */
    static int[] channels(String name, Map<String, String> hyperParameters) {
        String[] parts = hyperParameters.getOrDefault("channels", "").split(",");
        int[] channels = new int[parts.length];
        try {
            for (int i = 0; i < parts.length; i++) {
                channels[i] = Integer.parseInt(parts[i].trim());
            }
        } catch (NumberFormatException e) {
            throw new WeightsMismatchException(name + " channels must be three integers, not "
                    + hyperParameters.get("channels"));
        }
        if (channels.length != 3) {
            throw new WeightsMismatchException(name + " has three levels, not " + channels.length);
        }
        return channels;
    }

    /** The inputs for {@code x} at {@code time} (N,1), asking for {@code labels}; all in {@code x}'s manager. */
    static NDList inputs(NDArray x, NDArray time, int[] labels) {
        int n = labels.length;
        float[] oneHot = new float[n * CLASSES];
        for (int i = 0; i < n; i++) {
            oneHot[i * CLASSES + labels[i]] = 1f;
        }
        return new NDList(x, time, x.getManager().create(oneHot, new Shape(n, CLASSES)));
    }

    @Override
    protected NDList forwardInternal(ParameterStore store, NDList inputs, boolean training,
                                     PairList<String, Object> params) {
        NDArray x = inputs.get(0);
        NDArray embedding = conditioning(store, inputs, training);
        x = forward(stem, store, x, training);
        Deque<NDArray> skips = new ArrayDeque<>();
        for (int level = 0; level < 3; level++) {
            x = down.get(level).forward(store, x, embedding, training);
            skips.push(x);
            if (level < 2) {
                x = Pool.avgPool2d(x, new Shape(2, 2), new Shape(2, 2), new Shape(0, 0), false, true);
            }
        }
        x = middle.forward(store, x, embedding, training);
        for (int level = 0; level < 3; level++) {
            if (level > 0) {
                x = upsample2x(x);
            }
            x = up.get(level).forward(store, NDArrays.concat(new NDList(x, skips.pop()), 1), embedding, training);
        }
        x = forward(out, store, silu(forward(outNorm, store, x, training)), training);
        return new NDList(x);
    }

    /** SiLU(MLP(sinusoid(t)) + class embedding [+ MLP(guidance)]), shape (N, EMBEDDING). */
    private NDArray conditioning(ParameterStore store, NDList inputs, boolean training) {
        NDArray t = inputs.get(1);
        NDArray classes = inputs.get(2);
        int half = EMBEDDING / 2;
        float[] frequencies = new float[half];
        for (int i = 0; i < half; i++) {
            frequencies[i] = (float) Math.exp(-Math.log(10_000) * i / half);
        }
        NDArray angles = t.mul(t.getManager().create(frequencies, new Shape(1, half)).toType(t.getDataType(), false));
        NDArray sinusoid = NDArrays.concat(new NDList(angles.sin(), angles.cos()), 1);
        NDArray time = forward(time2, store, silu(forward(time1, store, sinusoid, training)), training);
        NDArray sum = time.add(forward(classEmbedding, store, classes, training));
        if (guidance1 != null) {
            NDArray scale = inputs.get(3);
            sum = sum.add(forward(guidance2, store, silu(forward(guidance1, store, scale, training)), training));
        }
        return silu(sum);
    }

    @Override
    public Shape[] getOutputShapes(Shape[] inputShapes) {
        Shape in = inputShapes[0];
        return new Shape[] {new Shape(in.get(0), outChannels, in.get(2), in.get(3))};
    }

    @Override
    protected void initializeChildBlocks(NDManager manager, DataType dataType, Shape... inputShapes) {
        long n = inputShapes[0].get(0);
        int[] c = channels;
        Shape embedding = new Shape(n, EMBEDDING);
        time1.initialize(manager, dataType, new Shape(n, EMBEDDING));
        time2.initialize(manager, dataType, new Shape(n, EMBEDDING));
        classEmbedding.initialize(manager, dataType, new Shape(n, CLASSES));
        stem.initialize(manager, dataType, new Shape(n, inChannels, 28, 28));
        down.get(0).initialize(manager, dataType, new Shape(n, c[0], 28, 28), embedding);
        down.get(1).initialize(manager, dataType, new Shape(n, c[0], 14, 14), embedding);
        down.get(2).initialize(manager, dataType, new Shape(n, c[1], 7, 7), embedding);
        middle.initialize(manager, dataType, new Shape(n, c[2], 7, 7), embedding);
        up.get(0).initialize(manager, dataType, new Shape(n, 2 * c[2], 7, 7), embedding);
        up.get(1).initialize(manager, dataType, new Shape(n, 2 * c[1], 14, 14), embedding);
        up.get(2).initialize(manager, dataType, new Shape(n, 2 * c[0], 28, 28), embedding);
        outNorm.initialize(manager, dataType, new Shape(n, c[0], 28, 28));
        out.initialize(manager, dataType, new Shape(n, c[0], 28, 28));
        if (guidance1 != null) {
            guidance1.initialize(manager, dataType, new Shape(n, 1));
            guidance2.initialize(manager, dataType, embedding);
        }
    }

    private static NDArray forward(Block block, ParameterStore store, NDArray x, boolean training) {
        return block.forward(store, new NDList(x), training).singletonOrThrow();
    }

    /** x·sigmoid(x), as in {@link ArticleUNet}. */
    private static NDArray silu(NDArray x) {
        return x.mul(x.getNDArrayInternal().sigmoid());
    }

    /**
     * Nearest-neighbour 2x upsampling in one op that keeps channels-last strides (two repeats
     * give the same values but copy twice, into NCHW).
     */
    private static NDArray upsample2x(NDArray x) {
        Shape s = x.getShape();
        return x.getNDArrayInternal().interpolation(new long[] {2 * s.get(2), 2 * s.get(3)}, NEAREST, false);
    }

    /**
     * GroupNorm, SiLU, conv; plus the conditioning projected to the channels; GroupNorm, SiLU,
     * conv; plus the input (through a 1x1 convolution where the channel count changes).
     */
    private static final class ResidualBlock extends AbstractBlock {
        private final int outChannels;
        private final GroupNorm norm1;
        private final LayoutConv2d conv1;
        private final Linear projection;
        private final GroupNorm norm2;
        private final LayoutConv2d conv2;
        private final LayoutConv2d shortcut;

        ResidualBlock(int in, int out, Layout layout) {
            outChannels = out;
            norm1 = addChildBlock("norm1", new GroupNorm(in, GROUPS));
            conv1 = addChildBlock("conv1", new LayoutConv2d(in, out, 3, layout));
            projection = addChildBlock("projection", Linear.builder().setUnits(out).build());
            norm2 = addChildBlock("norm2", new GroupNorm(out, GROUPS));
            conv2 = addChildBlock("conv2", new LayoutConv2d(out, out, 3, layout));
            shortcut = in == out ? null : addChildBlock("shortcut", new LayoutConv2d(in, out, 1, layout));
        }

        NDArray forward(ParameterStore store, NDArray x, NDArray embedding, boolean training) {
            return forward(store, new NDList(x, embedding), training).singletonOrThrow();
        }

        @Override
        protected NDList forwardInternal(ParameterStore store, NDList inputs, boolean training,
                                         PairList<String, Object> params) {
            NDArray x = inputs.get(0);
            NDArray embedding = inputs.get(1);
            NDArray h = UNet.forward(conv1, store, silu(UNet.forward(norm1, store, x, training)), training);
            NDArray shift = UNet.forward(projection, store, embedding, training);
            h = h.add(shift.reshape(shift.getShape().get(0), outChannels, 1, 1));
            h = UNet.forward(conv2, store, silu(UNet.forward(norm2, store, h, training)), training);
            NDArray skip = shortcut == null ? x : UNet.forward(shortcut, store, x, training);
            return new NDList(h.add(skip));
        }

        @Override
        public Shape[] getOutputShapes(Shape[] inputShapes) {
            Shape in = inputShapes[0];
            return new Shape[] {new Shape(in.get(0), outChannels, in.get(2), in.get(3))};
        }

        @Override
        protected void initializeChildBlocks(NDManager manager, DataType dataType, Shape... inputShapes) {
            Shape in = inputShapes[0];
            Shape outShape = new Shape(in.get(0), outChannels, in.get(2), in.get(3));
            norm1.initialize(manager, dataType, in);
            conv1.initialize(manager, dataType, in);
            projection.initialize(manager, dataType, inputShapes[1]);
            norm2.initialize(manager, dataType, outShape);
            conv2.initialize(manager, dataType, outShape);
            if (shortcut != null) {
                shortcut.initialize(manager, dataType, in);
            }
        }
    }
}
