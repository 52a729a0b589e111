package dev.denoise.trainer;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.training.GradientCollector;
import dev.denoise.diffusion.Denoiser;
import java.util.SplittableRandom;

/**
 * One optimizer step: the recipe's loss of a batch, backward, Adam, then the weights' moving
 * average where the recipe keeps one. Everything the step allocates lives in one sub-manager that
 * is closed before returning.
 */
public final class TrainingStep {

    private final Denoiser denoiser;
    private final Recipe recipe;
    private final Adam adam;
    private final WeightAverage average;

    /** @param average the moving average to update, or null */
    TrainingStep(Denoiser denoiser, Recipe recipe, Adam adam, WeightAverage average) {
        this.denoiser = denoiser;
        this.recipe = recipe;
        this.adam = adam;
        this.average = average;
    }

    /** A step of the architecture's own recipe with a fresh Adam at {@code learningRate}, no moving average. */
    public static TrainingStep withAdam(Denoiser denoiser, float learningRate) {
        return new TrainingStep(denoiser, Recipes.of(denoiser.architecture()),
                new Adam(denoiser.block(), denoiser.manager(), learningRate), null);
    }

    /**
     * @param clean  n images in [0,1], row-major
     * @param labels their digits
     * @param random every random draw of the step
     * @return the batch's loss before the update
     */
    public double run(float[] clean, int[] labels, SplittableRandom random) {
        try (NDManager batch = denoiser.manager().newSubManager()) {
            NDArray loss;
            try (GradientCollector collector = Engine.getInstance().newGradientCollector()) {
                loss = recipe.loss(denoiser, batch, clean, labels, random);
                collector.backward(loss);
            }
            adam.step(batch);
            if (average != null) {
                average.update(batch);
            }
            return loss.getFloat();
        }
    }
}
