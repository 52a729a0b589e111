package dev.denoise.diffusion;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.data.Offset.offset;

class ArticleSamplerTest {

    private static final Shape ONE = new Shape(1, 1, 28, 28);

    @Test
    void mixesOneOverRemainingStepsEndingWithThePrediction() {
        assertThat(ArticleSampler.mix(0, 4)).isEqualTo(0.25f);
        assertThat(ArticleSampler.mix(1, 4)).isCloseTo(1f / 3, offset(1e-7f));
        assertThat(ArticleSampler.mix(3, 4)).isEqualTo(1f);
        try (NDManager manager = NDManager.newBaseManager()) {
            NDArray x = manager.create(new float[] {0f, 1f});
            NDArray p = manager.create(new float[] {1f, 0f});
            assertThat(ArticleSampler.step(x, p, 0, 2).toFloatArray()).containsExactly(0.5f, 0.5f);
            assertThat(ArticleSampler.step(x, p, 1, 2).toFloatArray()).containsExactly(1f, 0f);
        }
    }

    @Test
    void aConstantModelYieldsItsQuantisedConstant() {
        try (NDManager manager = NDManager.newBaseManager()) {
            List<byte[]> images = ArticleSampler.sample(x -> x.zerosLike().add(0.5f), manager,
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
            byte[] low = ArticleSampler.sample(x -> x.zerosLike().sub(3f), manager, ONE, new long[] {1}, 1).get(0);
            byte[] high = ArticleSampler.sample(x -> x.zerosLike().add(3f), manager, ONE, new long[] {1}, 1).get(0);
            assertThat(low[0] & 0xFF).isZero();
            assertThat(high[0] & 0xFF).isEqualTo(255);
        }
    }

    @Test
    void theIdentityModelLeavesEachSeedsOwnInitialNoise() {
        try (NDManager manager = NDManager.newBaseManager()) {
            byte[] alone = ArticleSampler.sample(x -> x.duplicate(), manager, ONE, new long[] {77}, 3).get(0);
            List<byte[]> batch = ArticleSampler.sample(x -> x.duplicate(), manager,
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
