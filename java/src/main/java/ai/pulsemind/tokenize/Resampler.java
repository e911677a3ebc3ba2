package ai.pulsemind.tokenize;

/**
 * Antialiased bicubic resizing of 8-bit images, bit-exact with the two resizers transformers uses for Qwen2-VL.
 *
 * <p>Both are separable (a horizontal pass, the result clamped to 8 bits, then a vertical pass), use the Keys cubic
 * with a = -0.5 stretched by the downscale factor (antialiasing), normalise each output's weights in double, and
 * accumulate in integers with fixed-point weights and a rounding bias. They differ only in the fixed point:
 * <ul>
 *   <li>{@link #TORCHVISION}: torch's uint8 kernel ({@code _compute_index_ranges_int16_weights}), reached through
 *       torchvision's {@code resize(antialias=True)}, which transformers 5's default (torchvision) Qwen2-VL image
 *       processor calls: int16 weights whose precision is chosen so the largest weight fits in 15 bits;</li>
 *   <li>{@link #PIL}: Pillow's {@code ImagingResample} (the slow Qwen2VLImageProcessorPil): int32 weights with 22
 *       fractional bits.</li>
 * </ul>
 * The two agree on most pixels and differ by ±1 on a few (tools/oracle measures it), hence two exact paths.
 */
public enum Resampler {
    TORCHVISION, PIL;

    private static final int PIL_PRECISION = 22; // Pillow: 32 - 8 (pixel) - 2 (headroom)

    /** Resizes to (outH, outW); same size returns the input. */
    public RgbImage resize(RgbImage in, int outH, int outW) {
        if (outH == in.height() && outW == in.width()) return in;
        int h = in.height(), w = in.width();
        byte[] src = in.planes();
        if (outW != w) {
            src = horizontal(src, 3 * h, w, outW, weights(w, outW));
            w = outW;
        }
        if (outH != h) {
            src = vertical(src, h, w, outH, weights(h, outH));
            h = outH;
        }
        return new RgbImage(h, w, src);
    }

    /** Resamples each of {@code rows} rows of width {@code w} to {@code outW}. */
    private static byte[] horizontal(byte[] src, int rows, int w, int outW, Weights wt) {
        byte[] out = new byte[rows * outW];
        for (int r = 0; r < rows; r++)
            for (int o = 0; o < outW; o++) {
                long acc = 1L << (wt.precision - 1); // rounds the final shift to nearest
                for (int j = 0, k0 = o * wt.kmax, at = r * w + wt.start[o]; j < wt.size[o]; j++)
                    acc += (long) wt.k[k0 + j] * (src[at + j] & 0xFF);
                out[r * outW + o] = clamp8(acc >> wt.precision);
            }
        return out;
    }

    /** Resamples each column of the three (h, w) planes to height {@code outH}. */
    private static byte[] vertical(byte[] src, int h, int w, int outH, Weights wt) {
        byte[] out = new byte[3 * outH * w];
        for (int c = 0; c < 3; c++)
            for (int o = 0; o < outH; o++)
                for (int x = 0; x < w; x++) {
                    long acc = 1L << (wt.precision - 1);
                    for (int j = 0, k0 = o * wt.kmax, at = (c * h + wt.start[o]) * w + x; j < wt.size[o]; j++)
                        acc += (long) wt.k[k0 + j] * (src[at + j * w] & 0xFF);
                    out[(c * outH + o) * w + x] = clamp8(acc >> wt.precision);
                }
        return out;
    }

    private static byte clamp8(long v) { return (byte) (v < 0 ? 0 : Math.min(v, 255)); }

    private record Weights(int[] start, int[] size, int[] k, int kmax, int precision) {}

    /** Fixed-point weights for one axis, in this resizer's rounding. */
    private Weights weights(int inSize, int outSize) {
        double scale = (double) inSize / outSize;
        double support = scale >= 1.0 ? 2.0 * scale : 2.0; // cubic support 2, stretched when downscaling
        int kmax = (int) Math.ceil(support) * 2 + 1;
        double invscale = scale >= 1.0 ? 1.0 / scale : 1.0;
        int[] start = new int[outSize], size = new int[outSize];
        double[] wf = new double[outSize * kmax];
        double wtMax = 0;
        for (int i = 0; i < outSize; i++) {
            double center = scale * (i + 0.5);
            int xmin = Math.max((int) (center - support + 0.5), 0);
            int xsize = Math.min((int) (center + support + 0.5), inSize) - xmin;
            if (this == TORCHVISION) xsize = Math.clamp(xsize, 0, kmax);
            double total = 0;
            for (int j = 0; j < xsize; j++) {
                double x = (j + xmin - center + 0.5) * invscale;
                double v = this == TORCHVISION ? torchCubic(x) : pilCubic(x);
                wf[i * kmax + j] = v;
                total += v;
            }
            if (total != 0.0)
                for (int j = 0; j < xsize; j++) {
                    wf[i * kmax + j] /= total;
                    wtMax = Math.max(wtMax, wf[i * kmax + j]);
                }
            start[i] = xmin;
            size[i] = xsize;
        }
        int precision = this == PIL ? PIL_PRECISION : torchPrecision(wtMax);
        int[] k = new int[wf.length];
        for (int i = 0; i < wf.length; i++) {
            double v = wf[i] * (1 << precision);
            int r = (int) (v < 0 ? -0.5 + v : 0.5 + v);
            k[i] = this == TORCHVISION ? (short) r : r; // torch stores int16
        }
        return new Weights(start, size, k, kmax, precision);
    }

    /** The first precision at which the largest weight would overflow int16 one bit later (torch's loop). */
    private static int torchPrecision(double wtMax) {
        int p = 0;
        for (; p < 22; p++) {
            int next = (int) (0.5 + wtMax * (1 << (p + 1)));
            if (next >= (1 << 15)) break;
        }
        return p;
    }

    /** torch HelperInterpCubic::aa_filter: cubic_convolution1/2 with A = -0.5, written as in UpSample.h. */
    private static double torchCubic(double x) {
        final double a = -0.5;
        x = Math.abs(x);
        if (x < 1.0) return ((a + 2) * x - (a + 3)) * x * x + 1;
        if (x < 2.0) return ((a * x - 5 * a) * x + 8 * a) * x - 4 * a;
        return 0.0;
    }

    /** Pillow's bicubic_filter (a = -0.5), written as in Resample.c. */
    private static double pilCubic(double x) {
        final double a = -0.5;
        if (x < 0.0) x = -x;
        if (x < 1.0) return ((a + 2.0) * x - (a + 3.0)) * x * x + 1;
        if (x < 2.0) return (((x - 5) * x + 8) * x - 4) * a;
        return 0.0;
    }
}
