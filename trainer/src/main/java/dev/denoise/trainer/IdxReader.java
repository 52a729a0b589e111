package dev.denoise.trainer;

import java.io.BufferedInputStream;
import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.zip.GZIPInputStream;

/**
 * Reads MNIST-format IDX files (unsigned bytes; gzip-compressed or raw, detected from the content):
 * images with magic 2051 (count, rows, columns) and labels with magic 2049 (count).
 */
public final class IdxReader {

    static final int IMAGES_MAGIC = 0x0803;
    static final int LABELS_MAGIC = 0x0801;

    private IdxReader() {
    }

    /** Row-major 8-bit images, {@code count · rows · columns} bytes. */
    public record Images(int count, int rows, int columns, byte[] pixels) {
    }

    public static Images readImages(Path file) {
        try (DataInputStream in = open(file)) {
            checkMagic(file, in.readInt(), IMAGES_MAGIC, "images");
            int count = in.readInt();
            int rows = in.readInt();
            int columns = in.readInt();
            if (count < 0 || rows <= 0 || columns <= 0) {
                throw new InvalidDatasetException(file + ": nonsensical header, count=" + count
                        + " rows=" + rows + " columns=" + columns);
            }
            byte[] pixels = new byte[Math.multiplyExact(count, Math.multiplyExact(rows, columns))];
            readFully(file, in, pixels, count + " images of " + rows + "x" + columns);
            return new Images(count, rows, columns, pixels);
        } catch (EOFException e) {
            throw new InvalidDatasetException(file + " is truncated inside its header", e);
        } catch (IOException e) {
            throw unreadable(file, e);
        }
    }

    public static byte[] readLabels(Path file) {
        try (DataInputStream in = open(file)) {
            checkMagic(file, in.readInt(), LABELS_MAGIC, "labels");
            int count = in.readInt();
            if (count < 0) {
                throw new InvalidDatasetException(file + ": negative label count " + count);
            }
            byte[] labels = new byte[count];
            readFully(file, in, labels, count + " labels");
            return labels;
        } catch (EOFException e) {
            throw new InvalidDatasetException(file + " is truncated inside its header", e);
        } catch (IOException e) {
            throw unreadable(file, e);
        }
    }

    private static DataInputStream open(Path file) throws IOException {
        InputStream raw = new BufferedInputStream(Files.newInputStream(file));
        raw.mark(2);
        int b0 = raw.read();
        int b1 = raw.read();
        raw.reset();
        boolean gzip = b0 == 0x1f && b1 == 0x8b;
        return new DataInputStream(new BufferedInputStream(gzip ? new GZIPInputStream(raw) : raw));
    }

    private static void checkMagic(Path file, int magic, int expected, String kind) {
        if (magic != expected) {
            throw new InvalidDatasetException(String.format(
                    "%s: wrong magic number 0x%08x, expected 0x%08x for IDX %s", file, magic,
                    expected, kind));
        }
    }

    private static void readFully(Path file, DataInputStream in, byte[] target, String what)
            throws IOException {
        int read = 0;
        while (read < target.length) {
            int n = in.read(target, read, target.length - read);
            if (n < 0) {
                throw new InvalidDatasetException(file + " is truncated: its header promises "
                        + what + " (" + target.length + " bytes) but only " + read
                        + " bytes follow");
            }
            read += n;
        }
    }

    private static InvalidDatasetException unreadable(Path file, IOException e) {
        if (e instanceof NoSuchFileException) {
            return new InvalidDatasetException("Missing file " + file, e);
        }
        return new InvalidDatasetException("Cannot read " + file + ": " + e.getMessage(), e);
    }
}
