package ai.pulsemind.data.images;

/** Downscaling to a pixel budget, by area averaging (no aliasing on large reductions). */
public final class Resize {
    private Resize() {}

    /** The largest size with the same aspect ratio and at most {@code maxPixels} pixels; unchanged when it fits. */
    public static int[] fit(int w, int h, long maxPixels) {
        if (maxPixels <= 0 || (long) w * h <= maxPixels) return new int[] {w, h};
        double s = Math.sqrt((double) maxPixels / ((double) w * h));
        int nw = Math.max(1, (int) Math.floor(w * s)), nh = Math.max(1, (int) Math.floor(h * s));
        while ((long) nw * nh > maxPixels) { if (nw >= nh) nw--; else nh--; }
        return new int[] {nw, nh};
    }

    /** Area-average resample of an RGB image to (nw, nh); each output pixel averages the source box it covers. */
    public static DecodedImage area(DecodedImage im, int nw, int nh) {
        int w = im.width(), h = im.height();
        if (nw == w && nh == h) return im;
        byte[] src = im.rgb(), out = new byte[nw * nh * 3];
        double sx = (double) w / nw, sy = (double) h / nh;
        double[] acc = new double[3];
        for (int y = 0; y < nh; y++) {
            double y0 = y * sy, y1 = y0 + sy;
            for (int x = 0; x < nw; x++) {
                double x0 = x * sx, x1 = x0 + sx, area = 0;
                acc[0] = acc[1] = acc[2] = 0;
                for (int yy = (int) y0; yy < Math.min(h, Math.ceil(y1)); yy++) {
                    double wy = Math.min(y1, yy + 1) - Math.max(y0, yy);
                    for (int xx = (int) x0; xx < Math.min(w, Math.ceil(x1)); xx++) {
                        double wgt = wy * (Math.min(x1, xx + 1) - Math.max(x0, xx));
                        int s = (yy * w + xx) * 3;
                        acc[0] += wgt * (src[s] & 0xFF);
                        acc[1] += wgt * (src[s + 1] & 0xFF);
                        acc[2] += wgt * (src[s + 2] & 0xFF);
                        area += wgt;
                    }
                }
                int d = (y * nw + x) * 3;
                for (int c = 0; c < 3; c++) out[d + c] = Colour.clamp(acc[c] / area);
            }
        }
        return new DecodedImage(nw, nh, out);
    }
}
