package dev.denoise.diffusion;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.AbstractBlock;
import ai.djl.nn.Parameter;
import ai.djl.training.ParameterStore;
import ai.djl.util.PairList;

/**
 * Group normalisation (Wu and He, 2018) of NCHW input, which DJL 0.36 lacks: each image's
 * channels in {@code groups} groups, each normalised over its channels and pixels, then scaled
 * and shifted per channel (γ starts at 1, β at 0; see {@link FanInUniformInit}).
 */
final class GroupNorm extends AbstractBlock {
    private static final float EPSILON = 1e-5f;

    private final int channels;
    private final int groups;
    private final Parameter gamma;
    private final Parameter beta;

    GroupNorm(int channels, int groups) {
        if (channels % groups != 0) {
            throw new IllegalArgumentException(channels + " channels do not split into " + groups + " groups");
        }
        this.channels = channels;
        this.groups = groups;
        this.gamma = addParameter(Parameter.builder().setName("gamma").setType(Parameter.Type.GAMMA)
                .optShape(new Shape(channels)).build());
        this.beta = addParameter(Parameter.builder().setName("beta").setType(Parameter.Type.BETA)
                .optShape(new Shape(channels)).build());
    }

    @Override
    protected NDList forwardInternal(ParameterStore store, NDList inputs, boolean training,
                                     PairList<String, Object> params) {
        NDArray x = inputs.singletonOrThrow();
        NDManager owner = x.getManager();
        long n = x.getShape().get(0);
        // Statistics from per-channel moments, so the full-size array is read twice and written
        // once, in whatever strides it has: reshaping it into groups would copy a channels-last
        // array, and the next convolution would copy it back.
        NDArray groupMean = groupMean(pixelMean(x, n), n);
        NDArray groupSquare = groupMean(pixelMean(x.square(), n), n);
        NDArray groupStd = groupSquare.sub(groupMean.square()).maximum(0f).add(EPSILON).sqrt();
        // Ops on a parameter belong to the parameter's manager: attach them to the input's.
        NDArray gammaRow = store.getValue(gamma, x.getDevice(), training).reshape(1, channels);
        gammaRow.attach(owner);
        NDArray betaRow = store.getValue(beta, x.getDevice(), training).reshape(1, channels);
        betaRow.attach(owner);
        NDArray scale = gammaRow.div(perChannel(groupStd, n));
        NDArray shift = betaRow.sub(perChannel(groupMean, n).mul(scale));
        return new NDList(x.mul(scale.reshape(n, channels, 1, 1)).add(shift.reshape(n, channels, 1, 1)));
    }

    /** (N, C) means over each channel's pixels; the reshape is a view in either layout. */
    private NDArray pixelMean(NDArray x, long n) {
        return x.reshape(n, channels, -1).mean(new int[] {2});
    }

    /** (N, C) per-channel values → (N, G, 1) means over each group's channels. */
    private NDArray groupMean(NDArray perChannel, long n) {
        return perChannel.reshape(n, groups, channels / groups).mean(new int[] {2}, true);
    }

    /** (N, G, 1) per-group values → (N, C), each channel its group's. */
    private NDArray perChannel(NDArray perGroup, long n) {
        return perGroup.repeat(2, channels / groups).reshape(n, channels);
    }

    @Override
    public Shape[] getOutputShapes(Shape[] inputShapes) {
        return new Shape[] {inputShapes[0]};
    }
}
