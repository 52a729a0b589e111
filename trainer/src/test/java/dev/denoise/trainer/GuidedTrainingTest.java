package dev.denoise.trainer;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.Device;
import dev.denoise.diffusion.CondUNet;
import dev.denoise.diffusion.Denoiser;
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
        assertThat(last.averageWeights()).as("the checkpoint holds the published average").isEqualTo(whole.weights());
        assertThat(last.weights()).as("the published average differs from the last step's weights")
                .isNotEqualTo(whole.weights());

        // A resume that has no epoch left to train publishes what it restored: the average must come
        // back from the checkpoint, not start again from fresh weights. Two epochs against one plus
        // one are not compared bit for bit: CPU kernels need not round alike from run to run, and
        // Adam can turn that noise into whole steps where the true gradient is zero (biases that
        // GroupNorm cancels). The article model's test holds the rest of a resume to bit equality.
        train(options("resumed", 1));
        byte[] checkpointed = Checkpoint.read(temp.resolve("resumed")).orElseThrow().averageWeights();
        TrainedModel resumed = train(options("resumed", 1).withResume(true));
        assertThat(resumed.weights()).as("the average is checkpointed too").isEqualTo(checkpointed);

        try (Denoiser loaded = Denoiser.load(whole.weightsPackage(), Device.cpu())) {
            assertThat(loaded.weights().sha256()).isEqualTo(whole.sha256());
        }
    }
}
