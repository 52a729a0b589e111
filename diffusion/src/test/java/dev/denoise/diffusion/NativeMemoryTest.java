package dev.denoise.diffusion;

import ai.djl.Device;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;

/** Sampling must free every step's activations: resident memory stays flat over many batches. */
class NativeMemoryTest {

    @Test
    void residentMemoryStaysFlatWhileSampling() throws IOException {
        ArticleSampler sampler = new ArticleSampler();
        try (Denoiser denoiser = Denoiser.initialized(new ArticleUNet(), Device.cpu(), 1)) {
            long[] seeds = new long[16];
            for (int warmUp = 0; warmUp < 10; warmUp++) {
                sampler.sample(denoiser, seeds, 4);
            }
            long before = residentKiB();
            for (int batch = 0; batch < 150; batch++) {
                seeds[0] = batch;
                sampler.sample(denoiser, seeds, 4);
            }
            long growthMiB = (residentKiB() - before) / 1024;
            // Without per-step managers, 150 batches x 4 steps of activations would be ~1.5 GiB.
            assertThat(growthMiB).as("RSS growth over 600 forward passes, MiB").isLessThan(40);
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
