package dev.denoise.diffusion;

import ai.djl.ndarray.NDArray;
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
        if (layout == Layout.CHANNELS_LAST) {
            x = ChannelsLast.of(x, owner);
            w = ChannelsLast.of(w, owner);
        }
        int pad = kernel / 2;
        return Conv2d.conv2d(x, w, b, new Shape(1, 1), new Shape(pad, pad), new Shape(1, 1), 1);
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
