package dev.denoise.cli;

import dev.denoise.diffusion.ContactSheet;
import dev.denoise.schemas.GeneratedImage;
import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import javax.imageio.ImageIO;

/** Where generated images land as PNG files, named by request, seed and model version, and their contact sheet. */
final class ImageFolder {
    private final Path dir;

    ImageFolder(Path dir) {
        this.dir = dir;
        try {
            Files.createDirectories(dir);
            if (!Files.isWritable(dir)) {
                throw new IOException("not writable");
            }
        } catch (IOException e) {
            throw new IllegalArgumentException("Cannot write images to " + dir.toAbsolutePath() + ": " + e.getMessage());
        }
    }

    Path dir() {
        return dir;
    }

    Path write(GeneratedImage image) throws IOException {
        Path file = dir.resolve(String.format("%s-seed%d-%s-v%d.png", image.getRequestId(), image.getSeed(),
                image.getModel(), image.getModelVersion()));
        Files.write(file, bytes(image.getPng()));
        return file;
    }

    /** A grid of the images in request order (index), 8 to a row, enlarged for a person to look at. */
    static void writeSheet(List<GeneratedImage> images, Path file) throws IOException {
        writeSheet(images, file, 8);
    }

    /** The images by request, then index, {@code columns} to a row. */
    static void writeSheet(List<GeneratedImage> images, Path file, int columns) throws IOException {
        List<GeneratedImage> ordered = new ArrayList<>(images);
        ordered.sort(Comparator.comparing(GeneratedImage::getRequestId).thenComparingInt(GeneratedImage::getIndex));
        List<BufferedImage> decoded = new ArrayList<>();
        for (GeneratedImage image : ordered) {
            decoded.add(ImageIO.read(new ByteArrayInputStream(bytes(image.getPng()))));
        }
        Path parent = file.toAbsolutePath().getParent();
        if (parent != null) {
            Files.createDirectories(parent);
        }
        Files.write(file, new ContactSheet(columns, 2, 2).render(decoded));
    }

    static byte[] bytes(ByteBuffer buffer) {
        ByteBuffer copy = buffer.duplicate();
        byte[] bytes = new byte[copy.remaining()];
        copy.get(bytes);
        return bytes;
    }
}
