package dev.denoise.cli;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.Device;
import dev.denoise.diffusion.ArticleUNet;
import dev.denoise.diffusion.CondUNet;
import dev.denoise.diffusion.Denoiser;
import dev.denoise.diffusion.MaskedSampler;
import dev.denoise.diffusion.MaskedUNet;
import dev.denoise.localstack.ProjectHome;
import dev.denoise.trainer.TrainedModel;
import dev.denoise.trainer.TrainedModelFiles;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Every model the demo publishes loads: its weights match the SHA-256 in its properties file (some
 * of whose metrics were measured again by `denoise evaluate`, see models/README.md) and the shapes
 * of its architecture.
 */
class ShippedWeightsTest {

    @Test
    void theThreeShippedModelsLoadWithTheirArchitectures() throws Exception {
        Map<String, String> architectures = Map.of(ProjectHome.SHIPPED_ARTICLE, ArticleUNet.NAME,
                ProjectHome.SHIPPED_CONDITIONED, CondUNet.NAME, ProjectHome.SHIPPED_MASKED, MaskedUNet.NAME);
        for (Map.Entry<String, String> shipped : architectures.entrySet()) {
            TrainedModel model = TrainedModelFiles.read(ProjectHome.root().resolve(shipped.getKey()));
            assertThat(model.architecture()).as(shipped.getKey()).isEqualTo(shipped.getValue());
            try (Denoiser denoiser = Denoiser.load(model.weightsPackage(), Device.cpu())) {
                assertThat(denoiser.weights().sha256()).as(shipped.getKey()).isEqualTo(model.sha256());
            }
        }
    }

    @Test
    void theMaskedModelDrawsBinaryDigits() throws Exception {
        TrainedModel model = TrainedModelFiles.read(ProjectHome.root().resolve(ProjectHome.SHIPPED_MASKED));
        assertThat(model.metrics().get("nelbo.nats")).as("held-out -ELBO, nats an image").isLessThan(100.0);
        try (Denoiser denoiser = Denoiser.load(model.weightsPackage(), Device.cpu())) {
            byte[] image = new MaskedSampler(MaskedSampler.RANDOM_ORDER)
                    .sample(denoiser, new long[] {0}, new int[] {3}, MaskedUNet.DEFAULT_GUIDANCE, 8).get(0);
            int white = 0;
            for (byte pixel : image) {
                assertThat(pixel & 0xFF).isIn(0, 255);
                white += pixel != 0 ? 1 : 0;
            }
            // strokes, not noise or a blank: MNIST's mean grey level is about 0.13, about 100 white pixels a digit
            assertThat(white).isBetween(40, 400);
        }
    }
}
