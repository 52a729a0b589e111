package dev.denoise.diffusion;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class ArticleUNetTest {

    @Test
    void hasTheArticlesParameterCount() {
        try (Denoiser denoiser = Denoiser.initialized(new ArticleUNet(), Device.cpu(), 1)) {
            assertThat(denoiser.parameterCount()).isEqualTo(309_057);
            assertThat(denoiser.block().getParameters().size()).isEqualTo(12);
        }
    }

    @Test
    void mapsABatchToImagesOfTheSameShape() {
        try (Denoiser denoiser = Denoiser.initialized(new ArticleUNet(), Device.cpu(), 1);
             NDManager call = denoiser.manager().newSubManager()) {
            NDArray x = call.create(UniformNoise.batch(new long[] {1, 2, 3}, 784), new Shape(3, 1, 28, 28));
            NDArray y = denoiser.predict(x);
            assertThat(y.getShape()).isEqualTo(new Shape(3, 1, 28, 28));
            assertThat(y.isInfinite().any().getBoolean()).isFalse();
            assertThat(y.isNaN().any().getBoolean()).isFalse();
        }
    }

    @Test
    void layoutDoesNotChangeTheForwardPass() {
        try (Denoiser channelsLast = Denoiser.initialized(new ArticleUNet(Layout.CHANNELS_LAST), Device.cpu(), 7);
             Denoiser contiguous = Denoiser.initialized(new ArticleUNet(Layout.CONTIGUOUS), Device.cpu(), 7);
             NDManager call = channelsLast.manager().newSubManager()) {
            NDArray x = call.create(UniformNoise.batch(new long[] {4, 5}, 784), new Shape(2, 1, 28, 28));
            float[] a = channelsLast.predict(x).toFloatArray();
            float[] b = contiguous.predict(x).toFloatArray();
            for (int i = 0; i < a.length; i++) {
                assertThat(a[i]).isCloseTo(b[i], org.assertj.core.data.Offset.offset(1e-4f));
            }
        }
    }

    @Test
    void sameSeedGivesSameInitialWeights() {
        try (Denoiser a = Denoiser.initialized(new ArticleUNet(), Device.cpu(), 42);
             Denoiser b = Denoiser.initialized(new ArticleUNet(), Device.cpu(), 42);
             Denoiser c = Denoiser.initialized(new ArticleUNet(), Device.cpu(), 43)) {
            assertThat(a.weights().sha256()).isEqualTo(b.weights().sha256());
            assertThat(a.weights().sha256()).isNotEqualTo(c.weights().sha256());
        }
    }
}
