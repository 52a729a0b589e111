package dev.denoise.diffusion;

import ai.djl.Device;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Sampling must free every step's activations. Exact where it can be (no array is left under the
 * model's manager); resident memory is noisy (the JVM's heap, glibc's arenas), so its bounds sit
 * far below the leaks they guard against and far above the noise.
 */
class NativeMemoryTest {

    @Test
    void samplingLeavesNoArrayBehindAndResidentMemoryStaysFlat() throws IOException {
        ArticleSampler sampler = new ArticleSampler();
        try (Denoiser denoiser = Denoiser.initialized(new ArticleUNet(), Device.cpu(), 1)) {
            long[] seeds = new long[16];
            for (int warmUp = 0; warmUp < 10; warmUp++) {
                sampler.sample(denoiser, seeds, 4);
            }
            int arraysBefore = denoiser.manager().getManagedArrays().size();
            long before = residentKiB();
            for (int batch = 0; batch < 150; batch++) {
                seeds[0] = batch;
                sampler.sample(denoiser, seeds, 4);
            }
            assertThat(denoiser.manager().getManagedArrays()).as("arrays under the model's manager after 150 batches")
                    .hasSize(arraysBefore);
            long growthMiB = (residentKiB() - before) / 1024;
            // Kept, 150 batches x 4 steps of activations would be ~1.5 GiB; 40-45 MiB of noise was seen.
            assertThat(growthMiB).as("RSS growth over 600 forward passes, MiB").isLessThan(300);
        }
    }

    @Test
    void oneLongSamplingRunFreesEachStep() throws IOException {
        ArticleSampler sampler = new ArticleSampler();
        try (Denoiser denoiser = Denoiser.initialized(new ArticleUNet(), Device.cpu(), 1)) {
            long[] seeds = new long[16];
            sampler.sample(denoiser, seeds, 3);
            long before = status("VmHWM:");
            sampler.sample(denoiser, seeds, 100);
            // Kept until the end of the call, 100 steps of activations would peak near 1 GiB.
            assertThat((status("VmHWM:") - before) / 1024)
                    .as("peak RSS growth during a 100-step sampling call, MiB").isLessThan(100);
        }
    }

    private static long residentKiB() throws IOException {
        return status("VmRSS:");
    }

    private static long status(String field) throws IOException {
        for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
            if (line.startsWith(field)) {
                return Long.parseLong(line.replaceAll("\\D", ""));
            }
        }
        throw new IllegalStateException("No " + field + " in /proc/self/status");
    }
}
