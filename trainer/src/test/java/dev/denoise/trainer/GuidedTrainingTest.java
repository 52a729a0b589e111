package dev.denoise.trainer;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.Device;
import ai.djl.nn.ParameterList;
import dev.denoise.diffusion.CondUNet;
import dev.denoise.diffusion.Denoiser;
import dev.denoise.diffusion.WeightsPackage;
import java.io.IOException;
import java.nio.file.Path;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Short runs of the conditioned U-Net's recipe on 300 digits (200 trained, 100 held out). */
class GuidedTrainingTest {

    @TempDir
    static Path temp;
    static Path data;

    @BeforeAll
    static void writeSubset() throws IOException {
        data = IdxFiles.subset(temp.resolve("data"), 300);
    }

    private static TrainingOptions options(String out, int epochs) {
        return TrainingOptions.defaults().withDataDir(data).withEpochs(epochs).withSeed(3).withBatchSize(64)
                .withHeldOut(100).withOutputDir(temp.resolve(out)).withModelName("mnist-cond");
    }

    private static TrainedModel train(TrainingOptions options) throws IOException {
        return new DenoiserTrainer(new CondUNet(), 20).train(options, TrainingListener.SILENT);
    }

    @Test
    void publishesTheAveragedWeightsWithItsMetricsAndResumesWithItsAverage() throws IOException {
        TrainedModel whole = train(options("whole", 2));
        assertThat(whole.architecture()).isEqualTo(CondUNet.NAME);
        assertThat(whole.metrics()).containsKeys("vmse@t100", "vmse@t900", "classifier.label-accuracy",
                "classifier.confidence", "classifier.frechet-distance", "classifier.frechet-distance-real");
        assertThat(whole.metrics().get("classifier.frechet-distance-real"))
                .as("two real sets are closer than untrained samples are to them")
                .isLessThan(whole.metrics().get("classifier.frechet-distance"));
        assertThat(temp.resolve("whole").resolve("samples-epoch-02-steps-08.png")).exists();
        assertThat(temp.resolve("whole").resolve(Checkpoint.AVERAGE)).exists();

        Checkpoint last = Checkpoint.read(temp.resolve("whole")).orElseThrow();
        assertThat(last.averageWeights()).isEqualTo(whole.weights());
        float averageToLastStep = maxDifference(whole.weights(), last.weights());
        assertThat(averageToLastStep).as("the published average differs from the last step's weights").isPositive();

        train(options("resumed", 1));
        TrainedModel resumed = train(options("resumed", 2).withResume(true));
        // The resumed run repeats the whole run's arithmetic, but CPU kernels need not round alike
        // from run to run. Rounding moves float32 weights of this size by far less than the bound;
        // an average that restarts from fresh weights at the resume moves them well beyond it.
        assertThat(maxDifference(resumed.weights(), whole.weights())).as("the average is checkpointed too")
                .isLessThan(1e-6f);
        try (Denoiser loaded = Denoiser.load(whole.weightsPackage(), Device.cpu())) {
            assertThat(loaded.weights().sha256()).isEqualTo(whole.sha256());
        }
    }

    /** The largest absolute difference between two cond-unet weight sets, parameter by parameter. */
    private static float maxDifference(byte[] a, byte[] b) {
        CondUNet architecture = new CondUNet();
        try (Denoiser x = Denoiser.load(WeightsPackage.of(architecture, a), Device.cpu());
             Denoiser y = Denoiser.load(WeightsPackage.of(architecture, b), Device.cpu())) {
            ParameterList px = x.block().getParameters();
            ParameterList py = y.block().getParameters();
            float max = 0;
            for (int i = 0; i < px.size(); i++) {
                max = Math.max(max, px.valueAt(i).getArray().sub(py.valueAt(i).getArray()).abs().max().getFloat());
            }
            return max;
        }
    }
}
