package dev.denoise.diffusion;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.AbstractBlock;
import ai.djl.nn.Parameter;
import ai.djl.nn.convolutional.Conv2d;
import ai.djl.training.ParameterStore;
import ai.djl.util.PairList;

/**
 * A square-kernel, stride-1 2-d convolution with "same" padding whose input and weight are put
 * into the requested {@link Layout} before PyTorch sees them. Parameters stay plain contiguous
 * NCHW arrays, so saving, loading and the optimizer see ordinary tensors; the layout conversion
 * is part of the autograd graph and gradients flow back to them.
 */
final class LayoutConv2d extends AbstractBlock {

    /** Channel counts below this (and above one) are split into one-channel convolutions. */
    private static final int FEW_CHANNELS = 8;

    private final int inChannels;
    private final int outChannels;
    private final int kernel;
    private final Layout layout;
    private final Parameter weight;
    private final Parameter bias;

    LayoutConv2d(int inChannels, int outChannels, int kernel, Layout layout) {
        this.inChannels = inChannels;
        this.outChannels = outChannels;
        this.kernel = kernel;
        this.layout = layout;
        this.weight = addParameter(Parameter.builder()
                .setName("weight")
                .setType(Parameter.Type.WEIGHT)
                .optShape(new Shape(outChannels, inChannels, kernel, kernel))
                .build());
        this.bias = addParameter(Parameter.builder()
                .setName("bias")
                .setType(Parameter.Type.BIAS)
                .optShape(new Shape(outChannels))
                .build());
    }

    @Override
    protected NDList forwardInternal(ParameterStore store, NDList inputs, boolean training,
                                     PairList<String, Object> params) {
        NDArray x = inputs.singletonOrThrow();
        NDManager owner = x.getManager();
        NDArray w = store.getValue(weight, x.getDevice(), training);
        NDArray b = store.getValue(bias, x.getDevice(), training);
        return new NDList(convolve(x, w, b, owner));
    }

    /**
     * A convolution with a few (2 to {@value #FEW_CHANNELS} − 1) input or output channels runs as
     * one convolution per such channel, summed or stacked. PyTorch picks its convolution kernels by
     * the CPU's instruction set, and on one CI host masked-unet, the only network with such shapes
     * (3 channels in, 2 out), failed its gradient check; one-channel shapes have passed it on every
     * host. Same parameters, same sums.
     */
    private NDArray convolve(NDArray x, NDArray w, NDArray b, NDManager owner) {
        long out = w.getShape().get(0);
        long in = w.getShape().get(1);
        if (isFew(out)) {
            NDList planes = new NDList();
            for (long o = 0; o < out; o++) {
                // Slices of parameters belong to the model's manager unless moved: they would outlive the pass.
                NDArray filter = ChannelsLast.owned(w.get("{}:{}", o, o + 1), owner);
                planes.add(convolve(x, filter, ChannelsLast.owned(b.get("{}:{}", o, o + 1), owner), owner));
            }
            return NDArrays.concat(planes, 1);
        }
        if (isFew(in)) {
            NDArray sum = null;
            for (long i = 0; i < in; i++) {
                NDArray weights = ChannelsLast.owned(w.get(":, {}:{}", i, i + 1), owner);
                NDArray term = convolve(x.get(":, {}:{}", i, i + 1), weights, i == 0 ? b : null, owner);
                sum = sum == null ? term : sum.add(term);
            }
            return sum;
        }
        if (layout == Layout.CHANNELS_LAST) {
            x = ChannelsLast.of(x, owner);
            w = ChannelsLast.of(w, owner);
        }
        int pad = kernel / 2;
        return Conv2d.conv2d(x, w, b, new Shape(1, 1), new Shape(pad, pad), new Shape(1, 1), 1).singletonOrThrow();
    }

    private static boolean isFew(long channels) {
        return channels > 1 && channels < FEW_CHANNELS;
    }

    @Override
    public Shape[] getOutputShapes(Shape[] inputShapes) {
        Shape in = inputShapes[0];
        return new Shape[] {new Shape(in.get(0), outChannels, in.get(2), in.get(3))};
    }

    @Override
    public String toString() {
        return "LayoutConv2d(" + inChannels + "->" + outChannels + ", " + kernel + "x" + kernel
                + ", " + layout + ")";
    }
}
