package dev.denoise.diffusion;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;

/**
 * Produces channels-last strided views of 4-d NCHW arrays. DJL has no memory-format call, but a
 * permute to NHWC, a reshape (which copies into NHWC order) and the inverse permute leave an array
 * that is logically NCHW with channels-last strides, which PyTorch's convolutions honour.
 */
final class ChannelsLast {

    private ChannelsLast() {
    }

    /**
     * Returns {@code x} in channels-last strides. Every intermediate is attached to {@code owner},
     * because an op's result belongs to its input's manager: called on a parameter, the
     * intermediates would otherwise pile up in the model's manager on every forward pass.
     */
    static NDArray of(NDArray x, NDManager owner) {
        Shape s = x.getShape();
        long n = s.get(0);
        long c = s.get(1);
        long h = s.get(2);
        long w = s.get(3);
        NDArray nhwc = owned(x.transpose(0, 2, 3, 1), owner);
        NDArray packed = owned(nhwc.reshape(n, h * w * c), owner);
        NDArray unflattened = owned(packed.reshape(n, h, w, c), owner);
        return owned(unflattened.transpose(0, 3, 1, 2), owner);
    }

    /** {@code array}, moved to {@code owner}: an op's result belongs to its input's manager otherwise. */
    static NDArray owned(NDArray array, NDManager owner) {
        array.attach(owner);
        return array;
    }
}
