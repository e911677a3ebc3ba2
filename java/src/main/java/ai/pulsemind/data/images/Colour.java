package ai.pulsemind.data.images;

/** Colour-space conversions that ImageIO does not do for us. */
final class Colour {
    private Colour() {}

    /** In place: YCbCr (full range, ITU-R BT.601, as DICOM YBR_FULL) to RGB. rgb: (N, 3). */
    static void ybrFullToRgb(byte[] ybr) {
        for (int i = 0; i < ybr.length; i += 3) {
            double y = ybr[i] & 0xFF, cb = (ybr[i + 1] & 0xFF) - 128.0, cr = (ybr[i + 2] & 0xFF) - 128.0;
            ybr[i] = clamp(y + 1.402 * cr);
            ybr[i + 1] = clamp(y - 0.344136 * cb - 0.714136 * cr);
            ybr[i + 2] = clamp(y + 1.772 * cb);
        }
    }

    static byte clamp(double v) { return (byte) Math.max(0, Math.min(255, (int) Math.round(v))); }
}
