package dev.denoise.trainer;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;

/**
 * An MNIST-format data set: 8-bit images with their labels. Loaded from a folder holding
 * {@code train-images-idx3-ubyte} and {@code train-labels-idx1-ubyte} (or the {@code t10k-}
 * test split), each optionally {@code .gz}.
 */
public record MnistDataset(String name, int count, int rows, int columns, byte[] pixels,
                           byte[] labels) {

    private static final List<String> SPLITS = List.of("train", "t10k");

    public int pixelsPerImage() {
        return rows * columns;
    }

    /** Image {@code i} as floats in [0,1] written into {@code target} at {@code offset}. */
    public void copyImage(int i, float[] target, int offset) {
        int size = pixelsPerImage();
        for (int p = 0; p < size; p++) {
            target[offset + p] = (pixels[i * size + p] & 0xFF) / 255f;
        }
    }

    /** Images {@code from} (inclusive) to {@code to} (exclusive) as a new data set. */
    public MnistDataset slice(int from, int to, String suffix) {
        int size = pixelsPerImage();
        return new MnistDataset(name + suffix, to - from, rows, columns,
                Arrays.copyOfRange(pixels, from * size, to * size),
                Arrays.copyOfRange(labels, from, to));
    }

    /** Loads the training split from {@code dir}, or the test split when that is all there is. */
    public static MnistDataset load(Path dir) {
        if (!Files.isDirectory(dir)) {
            throw new InvalidDatasetException("Data folder " + dir + " does not exist");
        }
        for (String split : SPLITS) {
            Path images = find(dir, split + "-images-idx3-ubyte");
            Path labels = find(dir, split + "-labels-idx1-ubyte");
            if (images != null || labels != null) {
                if (images == null || labels == null) {
                    throw new InvalidDatasetException("Missing file in " + dir + ": "
                            + split + (images == null ? "-images-idx3-ubyte[.gz]" : "-labels-idx1-ubyte[.gz]"));
                }
                return fromFiles(dir.toAbsolutePath().normalize().getFileName() + "/" + split,
                        images, labels);
            }
        }
        throw new InvalidDatasetException("No MNIST-format files in " + dir
                + ": expected train-images-idx3-ubyte[.gz] and train-labels-idx1-ubyte[.gz]"
                + " (or the t10k- pair)");
    }

    /** Reads one image file and one label file and checks they describe the same items. */
    public static MnistDataset fromFiles(String name, Path imagesFile, Path labelsFile) {
        IdxReader.Images images = IdxReader.readImages(imagesFile);
        byte[] labels = IdxReader.readLabels(labelsFile);
        if (images.count() != labels.length) {
            throw new InvalidDatasetException("Image/label count mismatch: " + imagesFile + " has "
                    + images.count() + " images but " + labelsFile + " has " + labels.length
                    + " labels");
        }
        return new MnistDataset(name, images.count(), images.rows(), images.columns(),
                images.pixels(), labels);
    }

    private static Path find(Path dir, String base) {
        for (String candidate : List.of(base, base + ".gz")) {
            Path file = dir.resolve(candidate);
            if (Files.isRegularFile(file)) {
                return file;
            }
        }
        return null;
    }
}
