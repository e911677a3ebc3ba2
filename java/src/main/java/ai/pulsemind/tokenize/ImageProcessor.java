package ai.pulsemind.tokenize;

import ai.pulsemind.tensor.DType;
import ai.pulsemind.tensor.Shape;
import ai.pulsemind.tensor.Tensor;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Qwen2-VL image preprocessing, as transformers' Qwen2VLImageProcessor does it: smart resize (sides multiples of
 * patch × merge, area within [min_pixels, max_pixels], aspect kept), antialiased bicubic, rescale and normalise,
 * the frame repeated temporal_patch_size times, and patches flattened in Qwen's order. Output: pixel_values
 * (N, C·T·P·P) f32, where N = Σ h·w over images, and one (t, h, w) grid per image in patches.
 */
public final class ImageProcessor {
    private static final ValueLayout.OfFloat F32 = ValueLayout.JAVA_FLOAT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);

    private final ImageProcessorConfig config;

    public ImageProcessor(ImageProcessorConfig config) { this.config = config; }

    public static ImageProcessor load(Path modelDir) { return new ImageProcessor(ImageProcessorConfig.load(modelDir)); }

    public ImageProcessorConfig config() { return config; }

    /** Patch rows and grids for a batch of images. */
    public record Processed(Tensor pixelValues, List<int[]> gridThw) {
        /** LLM tokens of image i: t·h·w / merge². */
        public int tokens(int i, int mergeSize) {
            int[] g = gridThw.get(i);
            return g[0] * g[1] * g[2] / (mergeSize * mergeSize);
        }
    }

    /**
     * Qwen2-VL's smart_resize: the nearest multiples of {@code factor} (Python's round: half to even), scaled down
     * when the area exceeds maxPixels, up when below minPixels. Returns {height, width}.
     */
    public static int[] smartResize(int height, int width, int factor, int minPixels, int maxPixels) {
        if ((double) Math.max(height, width) / Math.min(height, width) > 200)
            throw new IllegalArgumentException("absolute aspect ratio must be smaller than 200, got "
                    + (double) Math.max(height, width) / Math.min(height, width));
        long hBar = (long) Math.rint((double) height / factor) * factor;
        long wBar = (long) Math.rint((double) width / factor) * factor;
        if (hBar * wBar > maxPixels) {
            double beta = Math.sqrt((double) height * width / maxPixels);
            hBar = Math.max(factor, (long) Math.floor(height / beta / factor) * factor);
            wBar = Math.max(factor, (long) Math.floor(width / beta / factor) * factor);
        } else if (hBar * wBar < minPixels) {
            double beta = Math.sqrt((double) minPixels / ((double) height * width));
            hBar = (long) Math.ceil(height * beta / factor) * factor;
            wBar = (long) Math.ceil(width * beta / factor) * factor;
        }
        return new int[] {Math.toIntExact(hBar), Math.toIntExact(wBar)};
    }

    /** The image as the processor resizes it (unchanged when no resize is due). */
    public RgbImage resized(RgbImage img) {
        if (!config.doResize()) return img;
        int[] hw = smartResize(img.height(), img.width(), config.factor(), config.minPixels(), config.maxPixels());
        return config.resampler().resize(img, hw[0], hw[1]);
    }

    public Processed process(List<RgbImage> images) {
        List<float[]> parts = new ArrayList<>();
        List<int[]> grids = new ArrayList<>();
        long rows = 0;
        int dim = 3 * config.temporalPatchSize() * config.patchSize() * config.patchSize();
        for (RgbImage img : images) {
            RgbImage r = resized(img);
            if (r.height() % config.factor() != 0 || r.width() % config.factor() != 0)
                throw new IllegalArgumentException("image " + r.height() + "x" + r.width() + " is not a multiple of "
                        + config.factor() + " (do_resize is off)");
            int gh = r.height() / config.patchSize(), gw = r.width() / config.patchSize();
            parts.add(patchify(normalize(r), r.height(), r.width()));
            grids.add(new int[] {1, gh, gw});
            rows += (long) gh * gw;
        }
        Tensor out = Tensor.hostEmpty(DType.F32, Shape.of(Math.toIntExact(rows), dim)); // (N, C·T·P·P)
        MemorySegment seg = out.segment();
        long at = 0;
        for (float[] p : parts) {
            MemorySegment.copy(p, 0, seg, F32, at, p.length);
            at += (long) p.length * 4;
        }
        return new Processed(out, grids);
    }

    /**
     * Rescale and normalise in f32 as the chosen processor does: torchvision fuses them into (x − mean/s)/(std/s)
     * with s = rescale_factor; the PIL processor rescales in f64, rounds to f32, then normalises.
     */
    float[] normalize(RgbImage img) {
        int hw = img.height() * img.width();
        float[] out = new float[3 * hw];
        byte[] px = img.planes();
        for (int c = 0; c < 3; c++) {
            float mean = (float) (double) config.mean().get(c), std = (float) (double) config.std().get(c);
            boolean fused = config.resampler() == Resampler.TORCHVISION && config.doRescale() && config.doNormalize();
            float inv = (float) (1.0 / config.rescaleFactor());
            float m = fused ? mean * inv : mean, s = fused ? std * inv : std;
            for (int i = 0; i < hw; i++) {
                int x = px[c * hw + i] & 0xFF;
                float v = fused || !config.doRescale() ? (float) x : (float) (x * config.rescaleFactor());
                out[c * hw + i] = config.doNormalize() ? (v - m) / s : v;
            }
        }
        return out;
    }

    /**
     * (C, H, W) → (gh·gw, C·T·P·P): rows ordered by merge block (bh, bw), then within it (mh, mw); each row is
     * channel, frame, patch row, patch column, with the frame repeated T times (a still image).
     */
    float[] patchify(float[] chw, int h, int w) {
        int p = config.patchSize(), m = config.mergeSize(), t = config.temporalPatchSize();
        int gh = h / p, gw = w / p, dim = 3 * t * p * p;
        float[] out = new float[gh * gw * dim];
        int row = 0;
        for (int bh = 0; bh < gh / m; bh++)
            for (int bw = 0; bw < gw / m; bw++)
                for (int mh = 0; mh < m; mh++)
                    for (int mw = 0; mw < m; mw++, row++) {
                        int y0 = (bh * m + mh) * p, x0 = (bw * m + mw) * p;
                        for (int c = 0; c < 3; c++)
                            for (int f = 0; f < t; f++)
                                for (int py = 0; py < p; py++)
                                    System.arraycopy(chw, (c * h + y0 + py) * w + x0, out,
                                            row * dim + ((c * t + f) * p + py) * p, p);
                    }
        return out;
    }
}
