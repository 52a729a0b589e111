package dev.denoise.diffusion;

/**
 * Memory layout of convolution inputs and weights. Both are logically NCHW; CHANNELS_LAST only
 * changes the strides. On the PyTorch 2.7.1 CPU library that DJL 0.36 ships, float32 NCHW
 * convolutions with one output channel compute wrong input gradients, while channels-last ones are
 * right and faster, so every network is built channels-last. CONTIGUOUS is for the tests: the
 * float64 gradient reference the channels-last networks are checked against, and the checks that
 * both layouts compute the same.
 */
enum Layout {
    CHANNELS_LAST,
    CONTIGUOUS
}
