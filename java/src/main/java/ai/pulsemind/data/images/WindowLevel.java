package ai.pulsemind.data.images;

/**
 * A display window for images with more than 8 bits per sample (CT in Hounsfield units, 16-bit PNG, DICOM):
 * values in {@code [center - width/2, center + width/2]} map linearly onto 0..255, with the DICOM PS3.3 C.11.2.1.2
 * formula, everything below is black and everything above white.
 */
public record WindowLevel(double center, double width) {
    public WindowLevel {
        if (!(width >= 1)) throw new IllegalArgumentException("window width must be >= 1, got " + width);
        if (!Double.isFinite(center)) throw new IllegalArgumentException("window center must be finite, got " + center);
    }

    /** A window spanning {@code [min, max]} of the data, for images that carry none. */
    public static WindowLevel spanning(double min, double max) {
        double w = Math.max(1, max - min + 1);
        return new WindowLevel(min + (w - 1) / 2 + 0.5, w);
    }

    /** Parses "C,W" or "C/W" as given on a command line. */
    public static WindowLevel parse(String s) {
        String[] p = s.split("[,/]");
        if (p.length != 2) throw new IllegalArgumentException("window must be CENTER,WIDTH, got '" + s + "'");
        return new WindowLevel(Double.parseDouble(p[0].trim()), Double.parseDouble(p[1].trim()));
    }

    /** 0..255 for a value. */
    public int apply(double x) {
        double lo = center - 0.5 - (width - 1) / 2, hi = center - 0.5 + (width - 1) / 2;
        if (x <= lo) return 0;
        if (x > hi) return 255;
        double y = ((x - (center - 0.5)) / (width - 1) + 0.5) * 255;
        return (int) Math.max(0, Math.min(255, Math.round(y)));
    }

    /** Windows a whole (H, W) plane into gray bytes. */
    public byte[] apply(double[] values) {
        byte[] out = new byte[values.length];
        for (int i = 0; i < values.length; i++) out[i] = (byte) apply(values[i]);
        return out;
    }
}
