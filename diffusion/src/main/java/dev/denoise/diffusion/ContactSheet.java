package dev.denoise.diffusion;

import java.awt.image.BufferedImage;
import java.util.ArrayList;
import java.util.List;

/**
 * Lays images out on a grid (row-major) and encodes the grid as a PNG: grey when every image is
 * grey, RGB otherwise. Each cell is as large as the largest image, so images of any size share a
 * sheet.
 */
public final class ContactSheet {

    private final int columns;
    private final int scale;
    private final int gap;

    /**
     * @param columns images per row
     * @param scale   integer upscaling per image (nearest neighbour), so 28x28 digits are visible
     * @param gap     black pixels between images, before scaling
     */
    public ContactSheet(int columns, int scale, int gap) {
        if (columns < 1 || scale < 1 || gap < 0) {
            throw new IllegalArgumentException("columns and scale ≥ 1, gap ≥ 0");
        }
        this.columns = columns;
        this.scale = scale;
        this.gap = gap;
    }

    /** Equally sized grey images, each row-major 8-bit pixels. */
    public byte[] renderPng(List<byte[]> images, int width, int height) {
        return renderPng(images, width, height, 1);
    }

    /** Equally sized images, each {@code channels} planes (grey, or red, green, blue) of row-major 8-bit values. */
    public byte[] renderPng(List<byte[]> images, int width, int height, int channels) {
        List<BufferedImage> decoded = new ArrayList<>();
        for (int i = 0; i < images.size(); i++) {
            byte[] planes = images.get(i);
            if (planes.length != width * height * channels) {
                throw new IllegalArgumentException("Image " + i + " has " + planes.length + " values, expected "
                        + width * height * channels);
            }
            decoded.add(image(planes, width, height, channels));
        }
        return render(decoded);
    }

    /** Any images, grey or colour, of any sizes. */
    public byte[] render(List<BufferedImage> images) {
        int cellWidth = 1;
        int cellHeight = 1;
        boolean grey = true;
        for (BufferedImage image : images) {
            cellWidth = Math.max(cellWidth, image.getWidth());
            cellHeight = Math.max(cellHeight, image.getHeight());
            grey &= isGrey(image);
        }
        int rows = Math.max(1, (images.size() + columns - 1) / columns);
        int cellW = (cellWidth + gap) * scale;
        int cellH = (cellHeight + gap) * scale;
        BufferedImage sheet = new BufferedImage(columns * cellW + gap * scale, rows * cellH + gap * scale,
                grey ? BufferedImage.TYPE_BYTE_GRAY : BufferedImage.TYPE_INT_RGB);
        for (int i = 0; i < images.size(); i++) {
            BufferedImage image = images.get(i);
            int left = (i % columns) * cellW + gap * scale;
            int top = (i / columns) * cellH + gap * scale;
            for (int y = 0; y < image.getHeight() * scale; y++) {
                for (int x = 0; x < image.getWidth() * scale; x++) {
                    int rgb = rgb(image, x / scale, y / scale);
                    if (grey) {
                        sheet.getRaster().setSample(left + x, top + y, 0, rgb & 0xFF);
                    } else {
                        sheet.setRGB(left + x, top + y, rgb);
                    }
                }
            }
        }
        return PngImages.write(sheet);
    }

    private static boolean isGrey(BufferedImage image) {
        return image.getColorModel().getNumColorComponents() == 1;
    }

    /**
     * The pixel as 0xRRGGBB; a grey image's raw level in all three (its getRGB would convert
     * through a linear grey colour space and brighten it).
     */
    private static int rgb(BufferedImage image, int x, int y) {
        if (isGrey(image)) {
            int level = image.getRaster().getSample(x, y, 0) & 0xFF;
            return level << 16 | level << 8 | level;
        }
        return image.getRGB(x, y) & 0xFFFFFF;
    }

    private static BufferedImage image(byte[] planes, int width, int height, int channels) {
        BufferedImage image = new BufferedImage(width, height,
                channels == 1 ? BufferedImage.TYPE_BYTE_GRAY : BufferedImage.TYPE_INT_RGB);
        int pixels = width * height;
        for (int p = 0; p < pixels; p++) {
            if (channels == 1) {
                image.getRaster().setSample(p % width, p / width, 0, planes[p] & 0xFF);
            } else {
                image.setRGB(p % width, p / width, (planes[p] & 0xFF) << 16 | (planes[pixels + p] & 0xFF) << 8
                        | (planes[2 * pixels + p] & 0xFF));
            }
        }
        return image;
    }
}
