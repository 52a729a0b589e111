package dev.denoise.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import ai.djl.Device;
import dev.denoise.bench.EvaluationTargets;
import dev.denoise.diffusion.ArticleUNet;
import dev.denoise.diffusion.CondUNet;
import dev.denoise.diffusion.Denoiser;
import dev.denoise.diffusion.MaskedSampler;
import dev.denoise.diffusion.MaskedUNet;
import dev.denoise.diffusion.TorchScriptArchitecture;
import dev.denoise.localstack.ProjectHome;
import dev.denoise.trainer.MaskedElbo;
import dev.denoise.trainer.MnistDataset;
import dev.denoise.trainer.TrainedModel;
import dev.denoise.trainer.TrainedModelFiles;
import dev.denoise.trainer.TrainingOptions;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Every model the demo publishes loads: its weights match the SHA-256 in its properties file (some
 * of whose metrics were measured again by `denoise evaluate`, see models/README.md) and the shapes
 * of its architecture. The masked model's held-out negative ELBO is measured again here on part of
 * the held-out digits and compared with the figure its properties file publishes.
 */
class ShippedWeightsTest {
    /** Held-out digits the ELBO is measured on: the first half of the trainer's 1,000 (about 4 s on 2 cores). */
    private static final int ELBO_DIGITS = 500;
    /** Masking levels a digit, as the trainer's estimate of the published figure (MaskedRecipe's HELD_OUT_DRAWS). */
    private static final int ELBO_DRAWS = 4;
    /** A bound on the estimate's standard error, so that the tolerance (4 of them) stays within 8 nats. */
    private static final double MAX_STANDARD_ERROR = 2.0;

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
    void theModelTrainedInPyTorchKeepsItsContractAndDrawsColour() throws Exception {
        TrainedModel model = TorchScriptFolder.read(ProjectHome.root().resolve(ProjectHome.SHIPPED_TORCHSCRIPT), "shapes",
                "test", warning -> { });
        TorchScriptArchitecture contract = TorchScriptArchitecture.of(model.hyperParameters());
        assertThat(contract.imageShape()).isEqualTo(new ai.djl.ndarray.types.Shape(3, 32, 32));
        assertThat(contract.classNames()).hasSize(contract.classes()).contains("circle", "square");
        try (Denoiser denoiser = Denoiser.load(model.weightsPackage(), Device.cpu())) {
            byte[] image = contract.family().defaultSampler().sample(denoiser, new long[] {0},
                    new int[] {contract.classNames().indexOf("circle")}, 2f, 8).get(0);
            int pixels = 32 * 32;
            int coloured = 0;
            for (int p = 0; p < pixels; p++) {
                int r = image[p] & 0xFF;
                int g = image[pixels + p] & 0xFF;
                int b = image[2 * pixels + p] & 0xFF;
                coloured += Math.max(r, Math.max(g, b)) - Math.min(r, Math.min(g, b)) > 32 ? 1 : 0;
            }
            // the shapes and their backgrounds are coloured: a grey or blank image would have almost none
            assertThat(coloured).as("pixels whose channels differ by more than 32 levels").isGreaterThan(pixels / 4);
        }
    }

    @Test
    void theMaskedModelDrawsBinaryDigits() throws Exception {
        TrainedModel model = TrainedModelFiles.read(ProjectHome.root().resolve(ProjectHome.SHIPPED_MASKED));
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

    @Test
    void theMaskedModelsHeldOutElboIsThePublishedFigure() throws Exception {
        TrainedModel model = TrainedModelFiles.read(ProjectHome.root().resolve(ProjectHome.SHIPPED_MASKED));
        double published = model.metrics().get("nelbo.nats");
        MnistDataset digits = MnistDataset.load(ProjectHome.shippedMnist());
        // The trainer holds out the last DEFAULT_HELD_OUT digits of the shipped split (models/README.md).
        int firstHeldOut = digits.count() - TrainingOptions.DEFAULT_HELD_OUT;
        MnistDataset heldOut = digits.slice(firstHeldOut, firstHeldOut + ELBO_DIGITS, "#held-out");
        try (Denoiser denoiser = Denoiser.load(model.weightsPackage(), Device.cpu())) {
            MaskedElbo.Estimate measured = MaskedElbo.heldOut(denoiser, heldOut, ELBO_DRAWS);
            System.out.printf("held-out -ELBO of %s on %d digits, %d levels each: %.2f ± %.2f nats an image (published %.2f)%n",
                    ProjectHome.SHIPPED_MASKED, measured.digits(), measured.draws(), measured.nats(),
                    measured.standardError(), published);
            // The published figure is the trainer's Monte Carlo estimate over all 1,000 held-out digits;
            // this one (deterministic: MaskedElbo draws binarisation and masks from fixed seeds) is over
            // half of them, so the two differ by sampling error: which digits, and which binarisation and
            // masking levels. The measured standard error is over the digits' own estimates, so it covers
            // both; with 500 digits it is about 1.1 nats (all 1,000 digits: 86.6 ± 0.8, published 87.5;
            // models/README.md: 86.9 ± 0.7 with 16 levels a digit). Four standard errors, about 4.5 nats,
            // make a false failure rarer than 1 in 10,000 (normal approximation over the digits), while an
            // estimate from weights, data or an estimator that do not match the figure lands well outside
            // (binarising at 0.5 instead of by grey level: 69 nats; masked tokens not weighted by 1/t: 50;
            // an estimate that knows nothing about the pixels: 784 ln 2 = 543 nats an image).
            assertThat(measured.standardError()).as("standard error, nats").isLessThan(MAX_STANDARD_ERROR);
            assertThat(measured.nats()).as("held-out -ELBO, nats an image, against the published %.2f", published)
                    .isCloseTo(published, within(4 * measured.standardError()));
            assertThat(measured.nats()).as("held-out -ELBO against masked-unet's target")
                    .isLessThan(EvaluationTargets.of(MaskedUNet.NAME).negativeElbo());
        }
    }
}
