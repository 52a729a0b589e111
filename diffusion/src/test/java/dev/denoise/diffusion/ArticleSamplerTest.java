package dev.denoise.diffusion;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.function.UnaryOperator;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.data.Offset.offset;

class ArticleSamplerTest {

    private static final Shape ONE = new Shape(1, 1, 28, 28);

    @Test
    void mixesOneOverRemainingStepsEndingWithThePrediction() {
        assertThat(ArticleSampler.mix(0, 4)).isEqualTo(0.25f);
        assertThat(ArticleSampler.mix(1, 4)).isCloseTo(1f / 3, offset(1e-7f));
        assertThat(ArticleSampler.mix(3, 4)).isEqualTo(1f);
        Trajectory mix = new ArticleSampler.Mix(1, 2, new float[] {0f, 1f});
        mix.advance(new float[] {9f, 9f, 1f, 0f}, 1); // its row is the second
        assertThat(mix.values()).containsExactly(0.5f, 0.5f);
        mix.advance(new float[] {1f, 0f}, 0);
        assertThat(mix.values()).containsExactly(1f, 0f);
        assertThat(mix.finished()).isTrue();
    }

    /** The article's loop over a network that sees only the images. */
    private static List<byte[]> sample(UnaryOperator<NDArray> model, NDManager manager, Shape shape, long[] seeds, int steps) {
        List<Trajectory> trajectories = new ArrayList<>();
        for (long seed : seeds) {
            trajectories.add(new ArticleSampler().start(seed, steps, CondUNet.NO_CLASS, 0f, 784));
        }
        StepBatch.runToEnd((x, t, labels, guidance) -> model.apply(x), manager, new Shape(1, 28, 28), trajectories);
        assertThat(shape.get(0)).isEqualTo(seeds.length);
        return StepBatch.images(trajectories);
    }

    @Test
    void aConstantModelYieldsItsQuantisedConstant() {
        try (NDManager manager = NDManager.newBaseManager()) {
            List<byte[]> images = sample(x -> x.zerosLike().add(0.5f), manager,
                    new Shape(2, 1, 28, 28), new long[] {1, 2}, 5);
            assertThat(images).hasSize(2);
            for (byte[] image : images) {
                assertThat(image).hasSize(784);
                for (byte b : image) {
                    assertThat(b & 0xFF).isEqualTo(128); // round(0.5 * 255)
                }
            }
        }
    }

    @Test
    void clampsBeforeQuantising() {
        try (NDManager manager = NDManager.newBaseManager()) {
            byte[] low = sample(x -> x.zerosLike().sub(3f), manager, ONE, new long[] {1}, 1).get(0);
            byte[] high = sample(x -> x.zerosLike().add(3f), manager, ONE, new long[] {1}, 1).get(0);
            assertThat(low[0] & 0xFF).isZero();
            assertThat(high[0] & 0xFF).isEqualTo(255);
        }
    }

    @Test
    void theIdentityModelLeavesEachSeedsOwnInitialNoise() {
        try (NDManager manager = NDManager.newBaseManager()) {
            byte[] alone = sample(x -> x.duplicate(), manager, ONE, new long[] {77}, 3).get(0);
            List<byte[]> batch = sample(x -> x.duplicate(), manager,
                    new Shape(3, 1, 28, 28), new long[] {5, 77, 6}, 3);
            assertThat(batch.get(1)).containsExactly(alone);
            float[] noise = UniformNoise.image(77, 784);
            assertThat(alone[10] & 0xFF).isEqualTo(Math.round(noise[10] * 255f));
        }
    }

    @Test
    void anImageDoesNotDependOnItsBatchMates() {
        try (Denoiser denoiser = Denoiser.initialized(new ArticleUNet(), Device.cpu(), 3)) {
            ArticleSampler sampler = new ArticleSampler();
            byte[] alone = sampler.sample(denoiser, new long[] {11}, 4).get(0);
            byte[] inBatch = sampler.sample(denoiser, new long[] {1, 2, 11, 4}, 4).get(2);
            // Kernels may block differently per batch size (float rounding), never more than a level.
            for (int p = 0; p < alone.length; p++) {
                assertThat(Math.abs((alone[p] & 0xFF) - (inBatch[p] & 0xFF))).isLessThanOrEqualTo(1);
            }
        }
    }
}
