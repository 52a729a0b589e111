package dev.denoise.diffusion;

import org.junit.jupiter.api.Test;

import javax.imageio.ImageIO;
import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

class ImagesTest {

    @Test
    void encodesGreyPixelsAsPng() throws IOException {
        byte[] pixels = new byte[784];
        for (int i = 0; i < pixels.length; i++) {
            pixels[i] = (byte) (i % 256);
        }
        BufferedImage decoded = ImageIO.read(new ByteArrayInputStream(PngImages.encode(pixels, 28, 28)));
        assertThat(decoded.getWidth()).isEqualTo(28);
        assertThat(decoded.getRaster().getSample(5, 1, 0)).isEqualTo(33);
        assertThat(decoded.getRaster().getSample(27, 27, 0)).isEqualTo(783 % 256);
    }

    @Test
    void everyPixelSurvivesAStandardPngDecoder() throws IOException {
        byte[] pixels = new byte[28 * 20];
        new java.util.Random(5).nextBytes(pixels);
        BufferedImage decoded = ImageIO.read(new ByteArrayInputStream(PngImages.encode(pixels, 28, 20)));
        assertThat(decoded.getType()).isEqualTo(BufferedImage.TYPE_BYTE_GRAY);
        assertThat(decoded.getHeight()).isEqualTo(20);
        assertThat((byte[]) decoded.getRaster().getDataElements(0, 0, 28, 20, null)).isEqualTo(pixels);
    }

    @Test
    void laysImagesOutOnAGrid() throws IOException {
        byte[] white = new byte[784];
        java.util.Arrays.fill(white, (byte) 255);
        byte[] png = new ContactSheet(2, 2, 1).renderPng(List.of(white, white, white), 28, 28);
        BufferedImage sheet = ImageIO.read(new ByteArrayInputStream(png));
        assertThat(sheet.getWidth()).isEqualTo(2 * 29 * 2 + 2);
        assertThat(sheet.getHeight()).isEqualTo(2 * 29 * 2 + 2);
        assertThat(sheet.getRaster().getSample(3, 3, 0)).isEqualTo(255);   // first image
        assertThat(sheet.getRaster().getSample(0, 0, 0)).isZero();          // gap
        assertThat(sheet.getRaster().getSample(70, 70, 0)).isZero();        // empty fourth cell
    }
}
