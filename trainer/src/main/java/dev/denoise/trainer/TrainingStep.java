package dev.denoise.trainer;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.GradientCollector;
import dev.denoise.diffusion.Corruption;
import dev.denoise.diffusion.Denoiser;

/**
 * One optimizer step of the article's recipe: corrupt the clean batch, predict it back, MSE
 * against the clean images, backward, Adam. Everything the step allocates lives in one
 * sub-manager that is closed before returning.
 */
final class TrainingStep {

    private final Denoiser denoiser;
    private final Adam adam;

    TrainingStep(Denoiser denoiser, Adam adam) {
        this.denoiser = denoiser;
        this.adam = adam;
    }

    /**
     * @param clean   n images in [0,1], row-major
     * @param amounts n noise amounts
     * @param noise   per-pixel noise, as many values as {@code clean}
     * @return the batch's loss before the update
     */
    double run(float[] clean, float[] amounts, float[] noise) {
        int n = amounts.length;
        Shape shape = denoiser.architecture().inputShape(n);
        try (NDManager batch = denoiser.manager().newSubManager()) {
            NDArray x = batch.create(clean, shape);
            NDArray a = batch.create(amounts, new Shape(n, 1, 1, 1));
            NDArray noisy = Corruption.apply(x, a, batch.create(noise, shape));
            NDArray loss;
            try (GradientCollector collector = Engine.getInstance().newGradientCollector()) {
                loss = denoiser.predict(noisy, true).sub(x).square().mean();
                collector.backward(loss);
            }
            adam.step(batch);
            return loss.getFloat();
        }
    }
}
