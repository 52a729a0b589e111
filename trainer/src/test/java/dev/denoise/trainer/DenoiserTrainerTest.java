package dev.denoise.trainer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.djl.Device;
import dev.denoise.diffusion.ArticleUNet;
import dev.denoise.diffusion.Denoiser;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Short runs on 600 digits (500 trained, 100 held out). */
class DenoiserTrainerTest {

    @TempDir
    static Path temp;
    static Path data;

    @BeforeAll
    static void writeSubset() throws IOException {
        data = IdxFiles.subset(temp.resolve("data"), 600);
    }

    private static TrainingOptions options(String out, int epochs) {
        return TrainingOptions.defaults().withDataDir(data).withEpochs(epochs).withSeed(3)
                .withHeldOut(100).withOutputDir(temp.resolve(out));
    }

    private static TrainedModel train(TrainingOptions options) throws IOException {
        return new DenoiserTrainer(new ArticleUNet(), 20).train(options, TrainingListener.SILENT);
    }

    @Test
    void sameSeedSameDataGiveIdenticalWeightsAndResumeContinuesExactly() throws IOException {
        TrainedModel first = train(options("a", 2));
        TrainedModel again = train(options("b", 2));
        assertThat(again.sha256()).isEqualTo(first.sha256());
        assertThat(again.weights()).isEqualTo(first.weights());

        TrainedModel other = train(options("c", 2).withSeed(4));
        assertThat(other.sha256()).isNotEqualTo(first.sha256());

        train(options("d", 1));
        TrainedModel resumed = train(options("d", 2).withResume(true));
        assertThat(resumed.sha256()).isEqualTo(first.sha256());
    }

    @Test
    void producesLoadableWeightsMetricsSheetsAndCheckpoint() throws IOException {
        TrainingOptions options = options("e", 1);
        TrainedModel model = train(options);
        Path out = options.outputDir();
        assertThat(model.architecture()).isEqualTo(ArticleUNet.NAME);
        assertThat(model.dataset()).isEqualTo("data/train");
        assertThat(model.metrics()).containsKeys("mse@0.1", "mse@0.3", "mse@0.5", "mse@0.7",
                "mse@0.9", "classifier.confidence", "classifier.class-entropy-bits");
        assertThat(model.metrics().get("mse@0.9")).isGreaterThan(model.metrics().get("mse@0.1"));
        assertThat(model.finalLoss()).isPositive().isLessThan(0.5);
        assertThat(out.resolve("samples-epoch-01-steps-08.png")).exists();
        assertThat(out.resolve("samples-epoch-01-steps-40.png")).exists();
        assertThat(out.resolve(Checkpoint.PROPERTIES)).exists();
        assertThat(Files.readAllBytes(out.resolve("mnist.weights"))).isEqualTo(model.weights());
        try (Denoiser loaded = Denoiser.load(model.weightsPackage(), Device.cpu())) {
            assertThat(loaded.weights().sha256()).isEqualTo(model.sha256());
        }
        // The classifier is cached: a second run finds it.
        try (var files = Files.list(out.resolve("cache"))) {
            assertThat(files.filter(f -> f.getFileName().toString().startsWith("digit-classifier"))).hasSize(1);
        }
    }

    @Test
    void refusesToResumeWithAnotherRecipe() throws IOException {
        train(options("f", 1));
        assertThatThrownBy(() -> train(options("f", 2).withResume(true).withSeed(9)))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("seed 3 vs 9");
    }
}
