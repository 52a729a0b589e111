package dev.denoise.diffusion;

import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.zip.CRC32;
import java.util.zip.Deflater;
import javax.imageio.ImageIO;

/** 8-bit grey pixels ↔ PNG bytes. */
public final class PngImages {
    private static final byte[] SIGNATURE = {(byte) 0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'};

    private PngImages() {
    }

    /**
     * Encodes row-major 8-bit grey pixels (0 = black) as a grayscale PNG. Written directly (IHDR,
     * one zlib IDAT, IEND) rather than through ImageIO, which costs ~100 µs an image: the sampler
     * encodes every image it emits.
     */
    public static byte[] encode(byte[] pixels, int width, int height) {
        if (pixels.length != width * height) {
            throw new IllegalArgumentException("Expected " + width * height + " pixels, got "
                    + pixels.length);
        }
        try {
            ByteArrayOutputStream png = new ByteArrayOutputStream(pixels.length + 64);
            png.write(SIGNATURE);
            ByteArrayOutputStream header = new ByteArrayOutputStream(13);
            DataOutputStream ihdr = new DataOutputStream(header);
            ihdr.writeInt(width);
            ihdr.writeInt(height);
            ihdr.write(new byte[] {8, 0, 0, 0, 0}); // 8-bit depth, greyscale, deflate, no filter, no interlace
            chunk(png, "IHDR", header.toByteArray());
            chunk(png, "IDAT", deflate(pixels, width, height));
            chunk(png, "IEND", new byte[0]);
            return png.toByteArray();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * The scanlines (each led by filter byte 0, None) deflated in one call, at the fastest level:
     * for 28x28 digits that is twice as fast as level 6 for ~6 % more bytes, and a server encodes
     * every image it sends.
     */
    private static byte[] deflate(byte[] pixels, int width, int height) {
        byte[] scanlines = new byte[height * (width + 1)];
        for (int row = 0; row < height; row++) {
            System.arraycopy(pixels, row * width, scanlines, row * (width + 1) + 1, width);
        }
        Deflater deflater = new Deflater(Deflater.BEST_SPEED);
        try {
            deflater.setInput(scanlines);
            deflater.finish();
            byte[] out = new byte[scanlines.length + 64];
            int length = 0;
            while (!deflater.finished()) {
                if (length == out.length) {
                    out = Arrays.copyOf(out, out.length * 2);
                }
                length += deflater.deflate(out, length, out.length - length);
            }
            return Arrays.copyOf(out, length);
        } finally {
            deflater.end();
        }
    }

    private static void chunk(ByteArrayOutputStream png, String type, byte[] data) throws IOException {
        DataOutputStream out = new DataOutputStream(png);
        byte[] typeBytes = type.getBytes(StandardCharsets.US_ASCII);
        out.writeInt(data.length);
        out.write(typeBytes);
        out.write(data);
        CRC32 crc = new CRC32();
        crc.update(typeBytes);
        crc.update(data);
        out.writeInt((int) crc.getValue());
    }

    static byte[] write(BufferedImage image) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try {
            if (!ImageIO.write(image, "png", out)) {
                throw new IllegalStateException("No PNG writer available");
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toByteArray();
    }
}
