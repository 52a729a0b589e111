package dev.denoise.trainer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.djl.Device;
import dev.denoise.diffusion.CondUNet;
import dev.denoise.diffusion.Denoiser;
import dev.denoise.diffusion.DistilledUNet;
import java.io.IOException;
import java.nio.file.Path;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A short distillation run through the trainer's loop on 300 digits' labels, from an untrained teacher. */
class DistillationTrainingTest {

    @TempDir
    static Path temp;
    static Path data;

    @BeforeAll
    static void writeSubset() throws IOException {
        data = IdxFiles.subset(temp.resolve("data"), 300);
    }

    private static TrainingOptions options(int epochs) {
        return TrainingOptions.defaults().withDataDir(data).withEpochs(epochs).withSeed(3).withBatchSize(64)
                .withHeldOut(100).withOutputDir(temp.resolve("fast")).withModelName("mnist-fast");
    }

    @Test
    void aStudentIsJudgedAtEveryPassCountAndResumesOnlyWithItsOwnTeacher() throws IOException {
        TrainedModel student;
        try (Denoiser teacher = Denoiser.initialized(new CondUNet(), Device.cpu(), 1)) {
            student = DenoiserTrainer.distilling(teacher, 20).train(options(1), TrainingListener.SILENT);
        }
        assertThat(student.architecture()).isEqualTo(DistilledUNet.NAME);
        assertThat(student.metrics()).containsKeys("teacher-mse@1-pass", "teacher-mse@2-passes", "teacher-mse@4-passes",
                "classifier.label-accuracy", "classifier.frechet-distance", "classifier.label-accuracy@2-passes",
                "classifier.frechet-distance@4-passes");
        for (String sheet : new String[] {"01", "02", "04"}) {
            assertThat(temp.resolve("fast").resolve("samples-epoch-01-steps-" + sheet + ".png")).exists();
        }
        try (Denoiser loaded = Denoiser.load(student.weightsPackage(), Device.cpu())) {
            assertThat(loaded.architecture()).isInstanceOf(DistilledUNet.class);
        }

        try (Denoiser another = Denoiser.initialized(new CondUNet(), Device.cpu(), 2)) {
            assertThatThrownBy(() -> DenoiserTrainer.distilling(another, 20).train(options(2).withResume(true),
                    TrainingListener.SILENT)).hasMessageContaining("Cannot resume").hasMessageContaining("teacher");
        }
    }
}
