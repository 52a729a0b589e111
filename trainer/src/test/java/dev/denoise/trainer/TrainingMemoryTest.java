package dev.denoise.trainer;

import ai.djl.Device;
import dev.denoise.diffusion.ArticleUNet;
import dev.denoise.diffusion.Denoiser;
import dev.denoise.diffusion.UniformNoise;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;

/** Training steps (forward, backward, Adam) free everything they allocate. */
class TrainingMemoryTest {

    @Test
    void residentMemoryStaysFlatOverTrainingSteps() throws IOException {
        try (Denoiser denoiser = Denoiser.initialized(new ArticleUNet(), Device.cpu(), 1)) {
            denoiser.requireGradients(true);
            TrainingStep step = new TrainingStep(denoiser, new Adam(denoiser.block(), denoiser.manager(), 1e-3f));
            float[] clean = UniformNoise.image(1, 32 * 784);
            float[] noise = UniformNoise.image(2, 32 * 784);
            float[] amounts = UniformNoise.image(3, 32);
            for (int i = 0; i < 10; i++) {
                step.run(clean, amounts, noise);
            }
            long before = residentKiB();
            for (int i = 0; i < 60; i++) {
                step.run(clean, amounts, noise);
            }
            // Leaking a step's activations and gradients would cost ~10 MB per step here.
            assertThat((residentKiB() - before) / 1024).as("RSS growth over 60 steps, MiB").isLessThan(40);
        }
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
