package dev.denoise.trainer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import ai.djl.Device;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import dev.denoise.diffusion.MaskedUNet;
import java.io.IOException;
import java.nio.file.Path;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The masked-diffusion recipe: its ELBO arithmetic by hand, and a short run of it on 300 digits. */
class MaskedTrainingTest {

    @TempDir
    Path temp;

    @Test
    void theWeightedCrossEntropyEqualsItsClosedForm() {
        try (NDManager manager = NDManager.newBaseManager(Device.cpu())) {
            // Two images of two pixels (1x2), logits as (black, white) planes.
            float ln3 = (float) Math.log(3);
            float ln4 = (float) Math.log(4);
            float[] logits = {
                0f, 1f, /* white */ ln3, 1f,   // image 0: pixel 0 p(white) = 3/4; pixel 1 even odds at (1, 1)
                ln4, 0f, /* white */ 0f, 0f};  // image 1: pixel 0 p(black) = 4/5; pixel 1 even odds
            float[] targets = {1, 0, 0, 1};
            float[] weights = {2, 0, 4, 4}; // image 0: pixel 0 masked at t = 1/2; image 1: both at t = 1/4
            float[] nelbo = MaskedElbo.weightedCrossEntropy(manager.create(logits, new Shape(2, 2, 1, 2)),
                    manager.create(targets, new Shape(2, 1, 1, 2)), manager.create(weights, new Shape(2, 1, 1, 2)))
                    .toFloatArray();
            // 1e-5: the weighted terms' float32 rounding (exp and log round differently by CPU), far below a wrong formula's error
            assertThat(nelbo[0]).isCloseTo((float) (2 * Math.log(4.0 / 3)), within(1e-5f));
            assertThat(nelbo[1]).isCloseTo((float) (4 * Math.log(5.0 / 4) + 4 * Math.log(2)), within(1e-5f));
        }
    }

    @Test
    void maskingAtLevelTMasksAboutTAndWeighsEachMaskedTokenOneOverT() {
        float[] binary = new float[3 * 784];
        for (int p = 0; p < binary.length; p++) {
            binary[p] = p % 3 == 0 ? 1f : 0f;
        }
        MaskedElbo.Masking masking = MaskedElbo.Masking.of(binary, new float[] {1f, 0.25f, 1e-9f}, new SplittableRandom(7));
        int maskedAtQuarter = 0;
        for (int p = 0; p < binary.length; p++) {
            boolean masked = masking.tokens()[p] == MaskedUNet.MASK;
            int image = p / 784;
            if (image == 0) {
                assertThat(masked).as("level 1 masks everything").isTrue();
            }
            if (image == 2) {
                assertThat(masked).as("level ~0 masks nothing").isFalse();
            }
            if (masked) {
                assertThat(masking.weights()[p]).isEqualTo(image == 0 ? 1f : 4f);
                maskedAtQuarter += image == 1 ? 1 : 0;
            } else {
                assertThat(masking.tokens()[p]).as("an unmasked token is the data").isEqualTo(binary[p]);
                assertThat(masking.weights()[p]).isZero();
            }
        }
        // Binomial(784, 1/4): mean 196, standard deviation 12.1
        assertThat(maskedAtQuarter).isBetween(196 - 49, 196 + 49);
    }

    /**
     * A model that knows nothing (even odds everywhere) has −ELBO = E_t[Σ masked ln 2 / t] = 784 ln 2
     * nats: the expected total weight of the masked tokens is 784 at any level, and the stratified
     * levels estimate it without bias.
     */
    @Test
    void forAnUninformedModelTheEstimateIs784Ln2() {
        SplittableRandom random = new SplittableRandom(11);
        int images = 512;
        double total = 0;
        for (int draw = 0; draw < 8; draw++) {
            float[] levels = MaskedElbo.stratifiedLevels(images, random);
            for (float level : levels) {
                assertThat(level).isGreaterThan(0f).isLessThanOrEqualTo(1f);
            }
            MaskedElbo.Masking masking = MaskedElbo.Masking.of(new float[images * 784], levels, random);
            for (float weight : masking.weights()) {
                total += weight * Math.log(2);
            }
        }
        assertThat(total / (8 * images)).isCloseTo(784 * Math.log(2), within(0.03 * 784 * Math.log(2)));
    }

    @Test
    void trainsAndReportsTheHeldOutElboAndTheClassifierMetrics() throws IOException {
        Path data = IdxFiles.subset(temp.resolve("data"), 300);
        TrainingOptions options = TrainingOptions.defaults().withDataDir(data).withEpochs(2).withSeed(3).withBatchSize(64)
                .withHeldOut(100).withOutputDir(temp.resolve("out")).withModelName("mnist-masked");
        TrainedModel model = new DenoiserTrainer(new MaskedUNet(), 20).train(options, TrainingListener.SILENT);
        assertThat(model.architecture()).isEqualTo(MaskedUNet.NAME);
        assertThat(model.metrics()).containsKeys("nelbo.nats", "classifier.label-accuracy", "classifier.confidence");
        // Two epochs on 200 digits already beat knowing nothing (784 ln 2 = 543 nats).
        assertThat(model.metrics().get("nelbo.nats")).isLessThan(784 * Math.log(2));
        assertThat(temp.resolve("out").resolve("samples-epoch-02-steps-32.png")).exists();
    }
}
