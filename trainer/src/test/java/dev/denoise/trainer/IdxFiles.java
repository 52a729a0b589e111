package dev.denoise.trainer;

import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.zip.GZIPOutputStream;

/** Writes small IDX files for tests, and finds the MNIST test split the project ships. */
final class IdxFiles {

    private IdxFiles() {
    }

    /** {@code data/mnist} in the project root (Surefire sets denoise.home to it). */
    static Path shippedMnist() {
        String home = System.getProperty("denoise.home");
        Path root = home != null ? Path.of(home) : Path.of("..");
        return root.resolve("data/mnist").toAbsolutePath().normalize();
    }

    static byte[] images(int magic, int count, int rows, int columns, byte[] pixels) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (DataOutputStream out = new DataOutputStream(bytes)) {
            out.writeInt(magic);
            out.writeInt(count);
            out.writeInt(rows);
            out.writeInt(columns);
            out.write(pixels);
        }
        return bytes.toByteArray();
    }

    static byte[] labels(int magic, int count, byte[] labels) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (DataOutputStream out = new DataOutputStream(bytes)) {
            out.writeInt(magic);
            out.writeInt(count);
            out.write(labels);
        }
        return bytes.toByteArray();
    }

    static Path write(Path file, byte[] content, boolean gzip) throws IOException {
        try (OutputStream out = gzip ? new GZIPOutputStream(Files.newOutputStream(file))
                : Files.newOutputStream(file)) {
            out.write(content);
        }
        return file;
    }

    /** The first {@code count} digits of the shipped MNIST split as a train- pair in {@code dir}. */
    static Path subset(Path dir, int count) throws IOException {
        MnistDataset all = MnistDataset.load(shippedMnist());
        MnistDataset part = all.slice(0, count, "");
        Files.createDirectories(dir);
        write(dir.resolve("train-images-idx3-ubyte.gz"), images(IdxReader.IMAGES_MAGIC, count,
                part.rows(), part.columns(), part.pixels()), true);
        write(dir.resolve("train-labels-idx1-ubyte"), labels(IdxReader.LABELS_MAGIC, count,
                part.labels()), false);
        return dir;
    }
}
