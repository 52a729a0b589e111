package dev.denoise.diffusion;

import java.awt.image.BufferedImage;
import java.awt.image.WritableRaster;
import java.util.List;

/** Lays equally sized grey images out on a grid (row-major) and encodes the grid as a PNG. */
public final class ContactSheet {

    private final int columns;
    private final int scale;
    private final int gap;

    /**
     * @param columns images per row
     * @param scale   integer upscaling per image (nearest neighbour), so 28x28 digits are visible
     * @param gap     grey-level 0 pixels between images, before scaling
     */
    public ContactSheet(int columns, int scale, int gap) {
        if (columns < 1 || scale < 1 || gap < 0) {
            throw new IllegalArgumentException("columns and scale ≥ 1, gap ≥ 0");
        }
        this.columns = columns;
        this.scale = scale;
        this.gap = gap;
    }

    public byte[] renderPng(List<byte[]> images, int width, int height) {
        int rows = Math.max(1, (images.size() + columns - 1) / columns);
        int cellW = (width + gap) * scale;
        int cellH = (height + gap) * scale;
        BufferedImage sheet = new BufferedImage(columns * cellW + gap * scale,
                rows * cellH + gap * scale, BufferedImage.TYPE_BYTE_GRAY);
        WritableRaster raster = sheet.getRaster();
        for (int i = 0; i < images.size(); i++) {
            byte[] pixels = images.get(i);
            if (pixels.length != width * height) {
                throw new IllegalArgumentException("Image " + i + " has " + pixels.length
                        + " pixels, expected " + width * height);
            }
            int left = (i % columns) * cellW + gap * scale;
            int top = (i / columns) * cellH + gap * scale;
            for (int y = 0; y < height * scale; y++) {
                for (int x = 0; x < width * scale; x++) {
                    int value = pixels[(y / scale) * width + x / scale] & 0xFF;
                    raster.setSample(left + x, top + y, 0, value);
                }
            }
        }
        return PngImages.write(sheet);
    }
}
