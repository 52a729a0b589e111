package dev.denoise.trainer;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class IdxReaderTest {

    @TempDir
    Path dir;

    private static byte[] pixels(int n) {
        byte[] p = new byte[n];
        for (int i = 0; i < n; i++) {
            p[i] = (byte) i;
        }
        return p;
    }

    @Test
    void readsRawAndGzippedFiles() throws IOException {
        byte[] content = IdxFiles.images(IdxReader.IMAGES_MAGIC, 3, 2, 2, pixels(12));
        for (boolean gzip : new boolean[] {false, true}) {
            Path file = IdxFiles.write(dir.resolve("images" + gzip), content, gzip);
            IdxReader.Images images = IdxReader.readImages(file);
            assertThat(images.count()).isEqualTo(3);
            assertThat(images.rows()).isEqualTo(2);
            assertThat(images.pixels()).containsExactly(pixels(12));
        }
        Path labels = IdxFiles.write(dir.resolve("labels"),
                IdxFiles.labels(IdxReader.LABELS_MAGIC, 3, new byte[] {7, 1, 9}), true);
        assertThat(IdxReader.readLabels(labels)).containsExactly(7, 1, 9);
    }

    @Test
    void missingFile() {
        assertThatThrownBy(() -> IdxReader.readImages(dir.resolve("nope")))
                .isInstanceOf(InvalidDatasetException.class)
                .hasMessageContaining("Missing file").hasMessageContaining("nope");
    }

    @Test
    void wrongMagicNumber() throws IOException {
        Path labelsAsImages = IdxFiles.write(dir.resolve("x"),
                IdxFiles.labels(IdxReader.LABELS_MAGIC, 1, new byte[] {1}), false);
        assertThatThrownBy(() -> IdxReader.readImages(labelsAsImages))
                .isInstanceOf(InvalidDatasetException.class)
                .hasMessageContaining("wrong magic number 0x00000801, expected 0x00000803");
    }

    @Test
    void truncatedFile() throws IOException {
        byte[] full = IdxFiles.images(IdxReader.IMAGES_MAGIC, 3, 2, 2, pixels(12));
        Path cut = IdxFiles.write(dir.resolve("cut.gz"), Arrays.copyOf(full, full.length - 5), true);
        assertThatThrownBy(() -> IdxReader.readImages(cut))
                .isInstanceOf(InvalidDatasetException.class)
                .hasMessageContaining("truncated").hasMessageContaining("3 images of 2x2");
        Path header = IdxFiles.write(dir.resolve("header"), Arrays.copyOf(full, 6), false);
        assertThatThrownBy(() -> IdxReader.readImages(header))
                .isInstanceOf(InvalidDatasetException.class)
                .hasMessageContaining("truncated inside its header");
    }

    @Test
    void labelAndImageCountMismatch() throws IOException {
        IdxFiles.write(dir.resolve("train-images-idx3-ubyte"),
                IdxFiles.images(IdxReader.IMAGES_MAGIC, 3, 2, 2, pixels(12)), false);
        IdxFiles.write(dir.resolve("train-labels-idx1-ubyte.gz"),
                IdxFiles.labels(IdxReader.LABELS_MAGIC, 2, new byte[] {1, 2}), true);
        assertThatThrownBy(() -> MnistDataset.load(dir))
                .isInstanceOf(InvalidDatasetException.class)
                .hasMessageContaining("count mismatch").hasMessageContaining("3 images")
                .hasMessageContaining("2 labels");
    }

    @Test
    void folderWithoutThePairOrWithoutAnything() throws IOException {
        assertThatThrownBy(() -> MnistDataset.load(dir.resolve("absent")))
                .isInstanceOf(InvalidDatasetException.class).hasMessageContaining("does not exist");
        assertThatThrownBy(() -> MnistDataset.load(dir))
                .isInstanceOf(InvalidDatasetException.class).hasMessageContaining("No MNIST-format files");
        IdxFiles.write(dir.resolve("t10k-images-idx3-ubyte.gz"),
                IdxFiles.images(IdxReader.IMAGES_MAGIC, 1, 1, 1, pixels(1)), true);
        assertThatThrownBy(() -> MnistDataset.load(dir))
                .isInstanceOf(InvalidDatasetException.class)
                .hasMessageContaining("Missing file").hasMessageContaining("t10k-labels-idx1-ubyte");
    }

    @Test
    void readsTheShippedMnistTestSplit() {
        MnistDataset mnist = MnistDataset.load(IdxFiles.shippedMnist());
        assertThat(mnist.count()).isEqualTo(10_000);
        assertThat(mnist.rows()).isEqualTo(28);
        assertThat(mnist.name()).isEqualTo("mnist/t10k");
        assertThat(mnist.labels()[0]).isEqualTo((byte) 7); // the split's first digit is a 7
    }

    @Test
    void theShippedFilesHaveTheChecksumsTheirReadmeStates() throws Exception {
        Path dir = IdxFiles.shippedMnist();
        Matcher row = Pattern.compile("(?m)^\\| `([^`]+\\.gz)` \\| [\\d,]+ \\| `([0-9a-f]{32})` \\| `([0-9a-f]{64})` \\|")
                .matcher(Files.readString(dir.resolve("README.md")));
        Map<String, String> stated = new HashMap<>();
        while (row.find()) {
            stated.put(row.group(1), row.group(3));
        }
        assertThat(stated).containsOnlyKeys("t10k-images-idx3-ubyte.gz", "t10k-labels-idx1-ubyte.gz");
        for (Map.Entry<String, String> file : stated.entrySet()) {
            assertThat(sha256Hex(dir.resolve(file.getKey()))).as(file.getKey()).isEqualTo(file.getValue());
        }
    }

    private static String sha256Hex(Path file) throws Exception {
        return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(Files.readAllBytes(file)));
    }
}
