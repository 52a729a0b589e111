package dev.denoise.trainer;

import dev.denoise.diffusion.ContactSheet;
import dev.denoise.diffusion.Denoiser;
import dev.denoise.diffusion.Sampler;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/** The class-conditioned recipes' sample sheets: a row per digit, seeds 0..79, eight a row. */
final class DigitSheets {
    private DigitSheets() {
    }

    /** One sheet per step count, {@code <prefix>-steps-NN.png} in {@code dir}; the files written. */
    static List<Path> write(Sampler sampler, Denoiser denoiser, float guidance, int[] stepCounts, Path dir, String prefix)
            throws IOException {
        long[] seeds = new long[80];
        int[] labels = new int[80];
        for (int i = 0; i < seeds.length; i++) {
            seeds[i] = i;
            labels[i] = i / 8;
        }
        List<Path> written = new ArrayList<>();
        for (int steps : stepCounts) {
            List<byte[]> samples = sampler.sample(denoiser, seeds, labels, guidance, steps);
            Path file = dir.resolve(String.format(Locale.ROOT, "%s-steps-%02d.png", prefix, steps));
            Files.write(file, new ContactSheet(8, 2, 1).renderPng(samples, 28, 28));
            written.add(file);
        }
        return written;
    }
}
