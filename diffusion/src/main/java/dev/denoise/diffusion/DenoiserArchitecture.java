package dev.denoise.diffusion;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Block;
import java.util.List;
import java.util.Map;

/**
 * A denoising network: its family's name and the hyper-parameters that, together with the name,
 * determine the parameter shapes. Weights are only ever loaded into an architecture whose name and
 * hyper-parameters match the ones they were trained with. What a request gets by default (sampler,
 * steps, guidance) belongs to its {@link ModelFamily}.
 */
public interface DenoiserArchitecture {

    /** Stable identifier stored with every set of weights, e.g. {@code article-unet}. */
    String name();

    /** Everything besides the name that shapes the parameters, as strings (published as is). */
    Map<String, String> hyperParameters();

    /** A fresh, uninitialised block; its inputs (the images (N, C, H, W) first), one prediction of the images' shape out. */
    Block build();

    /** Shape of one image without the batch axis: (channels, height, width). */
    Shape imageShape();

    /** The shapes of every input the block takes, for a batch of {@code batchSize} images. */
    default Shape[] inputShapes(long batchSize) {
        return new Shape[] {inputShape(batchSize)};
    }

    /** All the block's inputs for a forward pass on {@code x} at a middle noise level and without a label: for checks and benchmarks. */
    default NDList exampleInputs(NDArray x) {
        return new NDList(x);
    }

    /**
     * The block's inputs for a pass over {@code images}, row i at {@code timesteps[i]} asking for
     * {@code labels[i]}; an architecture without those inputs ignores them.
     */
    default NDList forwardInputs(NDArray images, int[] timesteps, int[] labels) {
        return new NDList(images);
    }

    /** As above, with a guidance scale a row for a network that takes the scale as an input; others ignore it. */
    default NDList forwardInputs(NDArray images, int[] timesteps, int[] labels, float[] guidance) {
        return forwardInputs(images, timesteps, labels);
    }

    /** Whether requests may ask it for a class (a digit for the MNIST models). */
    default boolean classConditioned() {
        return false;
    }

    /** How many classes a request may ask for, 0 to classes − 1; 0 when not class-conditioned. */
    default int classes() {
        return classConditioned() ? CondUNet.NO_CLASS : 0;
    }

    /** The class index its samplers write for "no class" (classifier-free guidance's unconditional row). */
    default int noClass() {
        return CondUNet.NO_CLASS;
    }

    /** The classes' names, for requests that name one instead of its index; empty when they have none. */
    default List<String> classNames() {
        return List.of();
    }

    /** The family of that name among {@link ModelFamilies#ALL}: its samplers and defaults. */
    default ModelFamily family() {
        return ModelFamilies.named(name());
    }

    /** The shape of the network's prediction for a batch of {@code batchSize} images: the images' own, unless it predicts something else. */
    default Shape outputShape(long batchSize) {
        return inputShape(batchSize);
    }

    /** Input shape for a batch of {@code batchSize} images. */
    default Shape inputShape(long batchSize) {
        Shape image = imageShape();
        return new Shape(batchSize, image.get(0), image.get(1), image.get(2));
    }
}
