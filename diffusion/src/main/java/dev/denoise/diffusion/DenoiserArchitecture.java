package dev.denoise.diffusion;

import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Block;

import java.util.Map;

/**
 * A denoising network family: a stable name and the hyper-parameters that, together with the
 * name, determine the parameter shapes. Weights are only ever loaded into an architecture whose
 * name and hyper-parameters match the ones they were trained with.
 */
public interface DenoiserArchitecture {

    /** Stable identifier stored with every set of weights, e.g. {@code article-unet}. */
    String name();

    /** Everything besides the name that shapes the parameters, as strings (published as is). */
    Map<String, String> hyperParameters();

    /** A fresh, uninitialised block; one input (N, C, H, W) in, one prediction of the same shape out. */
    Block build();

    /** Shape of one image without the batch axis: (channels, height, width). */
    Shape imageShape();

    /** Input shape for a batch of {@code batchSize} images. */
    default Shape inputShape(long batchSize) {
        Shape image = imageShape();
        return new Shape(batchSize, image.get(0), image.get(1), image.get(2));
    }
}
