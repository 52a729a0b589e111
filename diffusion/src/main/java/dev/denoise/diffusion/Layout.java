package dev.denoise.diffusion;

/**
 * Memory layout of convolution inputs and weights. Both are logically NCHW; CHANNELS_LAST only
 * changes the strides. On the PyTorch 2.7.1 CPU library that DJL 0.36 ships, float32 NCHW
 * convolutions with one output channel compute wrong input gradients, while channels-last ones are
 * right and faster, so CHANNELS_LAST is the default; CONTIGUOUS exists for benchmarks and probes.
 */
public enum Layout {
    CHANNELS_LAST,
    CONTIGUOUS
}
