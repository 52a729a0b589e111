package dev.denoise.diffusion;

import ai.djl.Device;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Block;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class WeightsCodecTest {

    @Test
    void roundTripsBitExactly() {
        try (Denoiser original = Denoiser.initialized(new ArticleUNet(), Device.cpu(), 99)) {
            WeightsPackage weights = original.weights();
            assertThat(weights.sha256()).hasSize(64).isEqualTo(WeightsCodec.sha256Hex(weights.weights()));
            try (Denoiser loaded = Denoiser.load(weights, Device.cpu())) {
                assertThat(loaded.weights().weights()).isEqualTo(weights.weights());
                for (int i = 0; i < original.block().getParameters().size(); i++) {
                    float[] a = original.block().getParameters().get(i).getValue().getArray().toFloatArray();
                    float[] b = loaded.block().getParameters().get(i).getValue().getArray().toFloatArray();
                    assertThat(b).containsExactly(a);
                }
            }
        }
    }

    @Test
    void refusesAMismatchedHash() {
        WeightsPackage good = weights();
        WeightsPackage bad = new WeightsPackage(good.architecture(), good.hyperParameters(),
                good.weights(), "00" + good.sha256().substring(2));
        assertThatThrownBy(() -> Denoiser.load(bad, Device.cpu()))
                .isInstanceOf(WeightsMismatchException.class)
                .hasMessageContaining("hash mismatch");
    }

    @Test
    void refusesCorruptedBytes() {
        WeightsPackage good = weights();
        byte[] flipped = good.weights().clone();
        flipped[flipped.length / 2] ^= 1;
        WeightsPackage bad = new WeightsPackage(good.architecture(), good.hyperParameters(),
                flipped, good.sha256());
        assertThatThrownBy(() -> Denoiser.load(new ArticleUNet(), bad, Device.cpu()))
                .isInstanceOf(WeightsMismatchException.class)
                .hasMessageContaining("hash mismatch");
    }

    @Test
    void refusesAnotherArchitectureOrHyperParameters() {
        WeightsPackage good = weights();
        WeightsPackage renamed = new WeightsPackage("other-net", good.hyperParameters(),
                good.weights(), good.sha256());
        assertThatThrownBy(() -> Denoiser.load(new ArticleUNet(), renamed, Device.cpu()))
                .isInstanceOf(WeightsMismatchException.class)
                .hasMessageContaining("'other-net'");
        assertThatThrownBy(() -> Denoiser.load(renamed, Device.cpu()))
                .isInstanceOf(WeightsMismatchException.class)
                .hasMessageContaining("Unknown architecture 'other-net'");

        Map<String, String> wider = new HashMap<>(good.hyperParameters());
        wider.put("down", "64,128,128");
        WeightsPackage otherHyper = new WeightsPackage(good.architecture(), wider,
                good.weights(), good.sha256());
        assertThatThrownBy(() -> Denoiser.load(new ArticleUNet(), otherHyper, Device.cpu()))
                .isInstanceOf(WeightsMismatchException.class)
                .hasMessageContaining("hyper-parameters");
    }

    @Test
    void refusesParametersOfTheWrongShape() {
        // An architecture that claims the article's identity but builds other shapes.
        DenoiserArchitecture impostor = new DenoiserArchitecture() {
            @Override public String name() { return ArticleUNet.NAME; }
            @Override public Map<String, String> hyperParameters() { return new ArticleUNet().hyperParameters(); }
            @Override public Block build() { return new LayoutConv2d(1, 1, 3, Layout.CONTIGUOUS); }
            @Override public Shape imageShape() { return new Shape(1, 28, 28); }
        };
        WeightsPackage wrongShapes;
        try (Denoiser small = Denoiser.initialized(impostor, Device.cpu(), 1)) {
            wrongShapes = small.weights();
        }
        assertThatThrownBy(() -> Denoiser.load(new ArticleUNet(), wrongShapes, Device.cpu()))
                .isInstanceOf(WeightsMismatchException.class)
                .hasMessageContaining(ArticleUNet.NAME);
    }

    private static WeightsPackage weights() {
        try (Denoiser denoiser = Denoiser.initialized(new ArticleUNet(), Device.cpu(), 5)) {
            return denoiser.weights();
        }
    }
}
