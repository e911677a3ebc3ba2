package ai.pulsemind.data.images;

import java.awt.image.BufferedImage;
import java.util.Objects;

/**
 * A decoded image as 8-bit RGB, row-major and interleaved: {@code rgb[(y * width + x) * 3 + c]}.
 * Grayscale sources have R = G = B. This is what image processors consume; everything upstream (EXIF orientation,
 * window/level, DICOM rescale, the pixel budget) has already been applied.
 *
 * @param rgb (H, W, 3) uint8
 */
public record DecodedImage(int width, int height, byte[] rgb) {
    public DecodedImage {
        if (width <= 0 || height <= 0) throw new IllegalArgumentException("image size must be positive, got " + width + "x" + height);
        Objects.requireNonNull(rgb, "rgb");
        if (rgb.length != width * height * 3)
            throw new IllegalArgumentException("rgb has " + rgb.length + " bytes, expected " + width + "*" + height + "*3");
    }

    public long pixels() { return (long) width * height; }

    /** Channel {@code c} of pixel (x, y), 0..255. */
    public int at(int x, int y, int c) { return rgb[(y * width + x) * 3 + c] & 0xFF; }

    public static DecodedImage fromGray(int width, int height, byte[] gray) { // gray: (H, W)
        byte[] rgb = new byte[width * height * 3];
        for (int i = 0, j = 0; i < gray.length; i++, j += 3) rgb[j] = rgb[j + 1] = rgb[j + 2] = gray[i];
        return new DecodedImage(width, height, rgb);
    }

    public BufferedImage toBufferedImage() {
        BufferedImage bi = new BufferedImage(width, height, BufferedImage.TYPE_3BYTE_BGR);
        byte[] dst = ((java.awt.image.DataBufferByte) bi.getRaster().getDataBuffer()).getData();
        for (int i = 0; i < rgb.length; i += 3) {
            dst[i] = rgb[i + 2];
            dst[i + 1] = rgb[i + 1];
            dst[i + 2] = rgb[i];
        }
        return bi;
    }
}
