package dev.denoise.trainer;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.Device;
import dev.denoise.diffusion.CondUNet;
import dev.denoise.diffusion.Denoiser;
import dev.denoise.diffusion.DenoiserArchitecture;
import dev.denoise.diffusion.DistilledUNet;
import dev.denoise.diffusion.ModelFamilies;
import dev.denoise.diffusion.ModelFamily;
import dev.denoise.diffusion.UniformNoise;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.SplittableRandom;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Training steps (forward, backward, Adam, the weights' average) free everything they allocate:
 * exactly, no array stays under the model's manager; roughly, resident memory stays flat (its
 * bound sits far below the ~10 MB a step that leaked its activations would add, far above noise).
 */
class TrainingMemoryTest {

    @ParameterizedTest
    @MethodSource("families")
    void trainingStepsLeaveNoArrayBehind(String name) throws IOException {
        // A distilled student learns from a teacher, whose passes run inside every step.
        boolean distilled = name.equals(DistilledUNet.NAME);
        try (Denoiser teacher = Denoiser.initialized(new CondUNet(), Device.cpu(), 2)) {
            DenoiserArchitecture architecture = distilled ? FlowMapDistillation.studentOf(teacher)
                    : ModelFamilies.named(name).architecture();
            Recipe recipe = distilled ? new FlowMapDistillation(teacher) : Recipes.of(architecture);
            int teacherArrays = teacher.manager().getManagedArrays().size();
            trainingStepsLeaveNoArrayBehind(architecture, recipe);
            assertThat(teacher.manager().getManagedArrays()).as("arrays under the teacher's manager").hasSize(teacherArrays);
        }
    }

    private static void trainingStepsLeaveNoArrayBehind(DenoiserArchitecture architecture, Recipe recipe)
            throws IOException {
        try (Denoiser denoiser = Denoiser.initialized(architecture, Device.cpu(), 1);
             WeightAverage average = new WeightAverage(denoiser.block(), denoiser.manager(), 0.99f)) {
            denoiser.requireGradients(true);
            TrainingStep step = new TrainingStep(denoiser, recipe,
                    new Adam(denoiser.block(), denoiser.manager(), 1e-3f), average);
            float[] clean = UniformNoise.image(1, 32 * 784);
            int[] labels = new int[32];
            for (int i = 0; i < 5; i++) {
                step.run(clean, labels, new SplittableRandom(i));
            }
            int arrays = denoiser.manager().getManagedArrays().size();
            long before = residentKiB();
            for (int i = 0; i < 30; i++) {
                step.run(clean, labels, new SplittableRandom(i));
            }
            assertThat(denoiser.manager().getManagedArrays()).as("arrays under the model's manager").hasSize(arrays);
            assertThat((residentKiB() - before) / 1024).as("RSS growth over 30 steps, MiB").isLessThan(200);
        }
    }

    static Stream<String> families() {
        return ModelFamilies.ALL.stream().map(ModelFamily::name);
    }

    private static long residentKiB() throws IOException {
        for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
            if (line.startsWith("VmRSS:")) {
                return Long.parseLong(line.replaceAll("\\D", ""));
            }
        }
        throw new IllegalStateException("No VmRSS in /proc/self/status");
    }
}
