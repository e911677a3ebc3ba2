package ai.pulsemind.tokenize;

import ai.pulsemind.data.EncodedImage;
import ai.pulsemind.data.images.DecodedImage;

import java.util.Arrays;

/**
 * The image half of {@link QwenSampleEncoder}: {@link ImageProcessor}'s normalise and patchify fused into one pass
 * that reads 8-bit pixels straight from the decoder's interleaved RGB (or from the resizer's planes when smart resize
 * changes the size), without the planar copy and the (C, H, W) float image in between: a loader encodes hundreds
 * of images a second, and those two arrays were a third of its allocation.
 *
 * <p>Values come from a 256-entry table per channel that {@link ImageProcessor#normalize} itself fills, so they are
 * bit-identical to it under every rescale/normalise setting; rows are in {@link ImageProcessor#patchify}'s order.
 * Both are tested against the processor's own {@code process}.
 */
public final class QwenPatches {
    private final ImageProcessor processor;
    private final ImageProcessorConfig config;
    private final float[][] lut; // (3, 256): channel value → normalised value

    public QwenPatches(ImageProcessor processor) {
        this.processor = processor;
        this.config = processor.config();
        byte[] ramp = new byte[3 * 256]; // a 1×256 image whose every channel runs 0..255
        for (int c = 0; c < 3; c++) for (int v = 0; v < 256; v++) ramp[c * 256 + v] = (byte) v;
        float[] n = processor.normalize(new RgbImage(1, 256, ramp)); // (3, 1, 256)
        lut = new float[3][];
        for (int c = 0; c < 3; c++) lut[c] = Arrays.copyOfRange(n, c * 256, (c + 1) * 256);
    }

    /**
     * One image through the processor: smart resize, then pixel_values rows (gh·gw, C·T·P·P) and the grid.
     *
     * @throws IllegalArgumentException for an aspect ratio over 200, or a size that is not a multiple of
     *                                  patch × merge when do_resize is off
     */
    public EncodedImage encode(DecodedImage im) {
        int h = im.height(), w = im.width();
        int[] hw = config.doResize() ? ImageProcessor.smartResize(h, w, config.factor(), config.minPixels(), config.maxPixels())
                : new int[] {h, w};
        float[] pixels;
        if (hw[0] == h && hw[1] == w) {
            if (h % config.factor() != 0 || w % config.factor() != 0)
                throw new IllegalArgumentException("image " + h + "x" + w + " is not a multiple of " + config.factor() + " (do_resize is off)");
            pixels = patches(im.rgb(), h, w, 1, 3 * w, 3); // (H, W, 3) interleaved
        } else {
            RgbImage r = processor.resized(planar(im));
            h = r.height();
            w = r.width();
            pixels = patches(r.planes(), h, w, h * w, w, 1); // (3, H, W) planes
        }
        int gh = h / config.patchSize(), gw = w / config.patchSize();
        return new EncodedImage(pixels, gh * gw, dim(), 1, gh, gw);
    }

    private int dim() { return 3 * config.temporalPatchSize() * config.patchSize() * config.patchSize(); }

    /**
     * (gh·gw, C·T·P·P) rows ordered by merge block (bh, bw), then within it (mh, mw); each row is channel, frame,
     * patch row, patch column, the frame repeated T times. Pixel (c, y, x) is {@code src[c·cs + y·ys + x·xs]}.
     */
    private float[] patches(byte[] src, int h, int w, int cs, int ys, int xs) {
        int p = config.patchSize(), m = config.mergeSize(), t = config.temporalPatchSize(), pp = p * p, dim = dim();
        int gh = h / p, gw = w / p;
        float[] out = new float[gh * gw * dim];
        int row = 0;
        for (int bh = 0; bh < gh / m; bh++)
            for (int bw = 0; bw < gw / m; bw++)
                for (int mh = 0; mh < m; mh++)
                    for (int mw = 0; mw < m; mw++, row++) {
                        int y0 = (bh * m + mh) * p, x0 = (bw * m + mw) * p;
                        for (int c = 0; c < 3; c++) {
                            float[] l = lut[c];
                            int o = row * dim + c * t * pp;
                            for (int py = 0; py < p; py++) {
                                int s = c * cs + (y0 + py) * ys + x0 * xs, d = o + py * p;
                                for (int px = 0; px < p; px++) out[d + px] = l[src[s + px * xs] & 0xFF];
                            }
                            for (int f = 1; f < t; f++) System.arraycopy(out, o, out, o + f * pp, pp);
                        }
                    }
        return out;
    }

    /** (H, W, 3) interleaved → (3, H, W) planes, the resizer's layout. */
    public static RgbImage planar(DecodedImage im) {
        int hw = im.width() * im.height();
        byte[] src = im.rgb(), dst = new byte[3 * hw];
        for (int i = 0, j = 0; i < hw; i++, j += 3) {
            dst[i] = src[j];
            dst[hw + i] = src[j + 1];
            dst[2 * hw + i] = src[j + 2];
        }
        return new RgbImage(im.height(), im.width(), dst);
    }
}
