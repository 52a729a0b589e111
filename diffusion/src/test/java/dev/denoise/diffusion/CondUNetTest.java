package dev.denoise.diffusion;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import java.util.Map;
import org.junit.jupiter.api.Test;

class CondUNetTest {

    @Test
    void predictsOneValueAPixelAndHasTheParametersItsLayersAddUpTo() {
        try (Denoiser denoiser = Denoiser.initialized(new CondUNet(), Device.cpu(), 1);
             NDManager call = denoiser.manager().newSubManager()) {
            NDArray x = call.create(GaussianNoise.batch(new long[] {1, 2, 3}, 0, 784), new Shape(3, 1, 28, 28));
            NDArray v = denoiser.predict(CondUNet.inputs(x, new int[] {0, 500, 999}, new int[] {4, CondUNet.NO_CLASS, 9}), false);
            assertThat(v.getShape()).isEqualTo(new Shape(3, 1, 28, 28));
            assertThat(denoiser.parameterCount()).isEqualTo(expectedParameters(32, 64, 128));
        }
    }

    /** Counted by hand from the layers, as a second derivation of the size. */
    private static long expectedParameters(int c0, int c1, int c2) {
        int e = UNet.EMBEDDING;
        long embedding = (e * e + e) * 2L + (long) UNet.CLASSES * e;
        long stem = 9L * c0 + c0;
        long out = 2L * c0 + 9L * c0 + 1;
        return embedding + stem + residual(c0, c0) + residual(c0, c1) + residual(c1, c2) + residual(c2, c2)
                + residual(2 * c2, c1) + residual(2 * c1, c0) + residual(2 * c0, c0) + out;
    }

    private static long residual(int in, int out) {
        long norms = 2L * in + 2L * out;
        long convs = 9L * in * out + out + 9L * out * out + out;
        long projection = (long) UNet.EMBEDDING * out + out;
        long shortcut = in == out ? 0 : (long) in * out + out;
        return norms + convs + projection + shortcut;
    }

    @Test
    void theTimestepAndTheLabelBothChangeThePrediction() {
        try (Denoiser denoiser = Denoiser.initialized(new CondUNet(), Device.cpu(), 2);
             NDManager call = denoiser.manager().newSubManager()) {
            NDArray x = call.create(GaussianNoise.batch(new long[] {5, 5, 5}, 0, 784), new Shape(3, 1, 28, 28));
            NDList inputs = CondUNet.inputs(x, new int[] {100, 900, 100}, new int[] {2, 2, 6});
            NDArray v = denoiser.predict(inputs, false);
            float[] values = v.toFloatArray();
            assertThat(java.util.Arrays.copyOfRange(values, 0, 784)).as("another timestep")
                    .isNotEqualTo(java.util.Arrays.copyOfRange(values, 784, 1568));
            assertThat(java.util.Arrays.copyOfRange(values, 0, 784)).as("another label")
                    .isNotEqualTo(java.util.Arrays.copyOfRange(values, 1568, 2352));
        }
    }

    @Test
    void itsWeightsRoundTripThroughTheirPublishedDescription() {
        try (Denoiser denoiser = Denoiser.initialized(new CondUNet(), Device.cpu(), 3)) {
            WeightsPackage weights = denoiser.weights();
            assertThat(weights.architecture()).isEqualTo("cond-unet");
            assertThat(weights.hyperParameters()).containsEntry("channels", "32,64,128").containsEntry("prediction", "v");
            try (Denoiser loaded = Denoiser.load(weights, Device.cpu())) {
                assertThat(loaded.weights().sha256()).isEqualTo(weights.sha256());
                assertThat(loaded.architecture().family().samplerNames()).containsExactly("ddim", "ddpm", "dpm-solver");
                assertThat(loaded.architecture().classConditioned()).isTrue();
            }
        }
        assertThatThrownBy(() -> ModelFamilies.architecture("cond-unet", Map.of("channels", "a,b")))
                .isInstanceOf(WeightsMismatchException.class).hasMessageContaining("three integers");
    }

    @Test
    void normalisationStartsAsTheIdentityScale() {
        try (Denoiser denoiser = Denoiser.initialized(new CondUNet(), Device.cpu(), 4)) {
            denoiser.block().getParameters().forEach(p -> {
                if (p.getKey().endsWith("gamma")) {
                    assertThat(p.getValue().getArray().toFloatArray()).as(p.getKey()).containsOnly(1f);
                } else if (p.getKey().endsWith("beta")) {
                    assertThat(p.getValue().getArray().toFloatArray()).as(p.getKey()).containsOnly(0f);
                }
            });
        }
    }
}
