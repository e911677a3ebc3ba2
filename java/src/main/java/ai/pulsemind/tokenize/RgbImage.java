package ai.pulsemind.tokenize;

/**
 * An 8-bit RGB image in planar (C, H, W) layout, as torchvision holds it.
 *
 * @param height rows
 * @param width  columns
 * @param planes 3 × height × width bytes: R plane, G plane, B plane, each row-major
 */
public record RgbImage(int height, int width, byte[] planes) {
    public RgbImage {
        if (height <= 0 || width <= 0) throw new IllegalArgumentException("image must be non-empty, got " + height + "x" + width);
        if (planes.length != 3L * height * width)
            throw new IllegalArgumentException(planes.length + " bytes do not hold a 3x" + height + "x" + width + " image");
    }

    /** Channel c at (y, x), 0..255. */
    public int at(int c, int y, int x) { return planes[(c * height + y) * width + x] & 0xFF; }
}
