package dev.denoise.trainer;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import dev.denoise.diffusion.ArticleSampler;
import dev.denoise.diffusion.Corruption;
import dev.denoise.diffusion.Denoiser;
import dev.denoise.diffusion.UniformNoise;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * The article's recipe: corrupt each image with a uniform noise amount, predict the clean image,
 * MSE; judged by denoising MSE by noise amount and 40-step samples.
 */
final class ArticleRecipe implements Recipe {
    static final int QUALITY_STEPS = 40;

    @Override
    public NDArray loss(Denoiser denoiser, NDManager batch, float[] clean, int[] labels, SplittableRandom random) {
        int n = labels.length;
        float[] amounts = new float[n];
        float[] noise = new float[clean.length];
        UniformNoise.fill(random, amounts, 0, n);
        UniformNoise.fill(random, noise, 0, noise.length);
        Shape shape = denoiser.architecture().inputShape(n);
        NDArray x = batch.create(clean, shape);
        NDArray a = batch.create(amounts, new Shape(n, 1, 1, 1));
        NDArray noisy = Corruption.apply(x, a, batch.create(noise, shape));
        return denoiser.predict(noisy, true).sub(x).square().mean();
    }

    @Override
    public Map<String, Double> heldOut(Denoiser denoiser, MnistDataset heldOut) {
        return DenoisingEvaluation.mseByNoise(denoiser, heldOut);
    }

    @Override
    public List<Path> writeSheets(Denoiser denoiser, Path dir, String prefix) throws IOException {
        return DenoisingEvaluation.writeSampleSheets(denoiser, dir, prefix);
    }

    @Override
    public List<byte[]> qualitySamples(Denoiser denoiser, long[] seeds, int[] labels) {
        return new ArticleSampler().sample(denoiser, seeds, QUALITY_STEPS);
    }

    @Override
    public String qualityDescription() {
        return QUALITY_STEPS + " article steps";
    }

    @Override
    public boolean labelled() {
        return false;
    }

    @Override
    public float averageDecay() {
        return 0f;
    }
}
