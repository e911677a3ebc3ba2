package ai.pulsemind.tokenize;

import java.awt.image.BufferedImage;
import java.awt.image.ColorModel;
import java.awt.image.IndexColorModel;
import java.awt.image.Raster;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import javax.imageio.ImageIO;

/**
 * Decodes PNG, JPEG, BMP and GIF files to {@link RgbImage}, as PIL's {@code convert("RGB")} sees them: alpha is
 * dropped (not composited), gray is replicated, palettes are looked up. Samples are read from the raster, never
 * through {@code BufferedImage.getRGB}, which would colour-convert gray images. 16-bit samples keep their high byte.
 * PNG decoding is exact; JPEG decoders may differ from libjpeg's by ±1 on some pixels.
 */
public final class ImageDecoder {
    private ImageDecoder() {}

    public static RgbImage read(Path file) {
        byte[] bytes;
        try {
            bytes = Files.readAllBytes(file);
        } catch (NoSuchFileException e) {
            throw new TokenizerException(file, "image not found");
        } catch (IOException e) {
            throw new TokenizerException(file, "cannot read image: " + e.getMessage(), e);
        }
        return decode(bytes, file);
    }

    /** Decodes image bytes (from a data URL, say); {@code name} is used in errors. */
    public static RgbImage decode(byte[] bytes, Path name) {
        BufferedImage img;
        try {
            img = ImageIO.read(new ByteArrayInputStream(bytes));
        } catch (IOException | RuntimeException e) {
            throw new TokenizerException(name, "unreadable image: " + e.getMessage(), e);
        }
        if (img == null) throw new TokenizerException(name, "unreadable image (not a PNG, JPEG, BMP or GIF file)");
        return toRgb(img);
    }

    static RgbImage toRgb(BufferedImage img) {
        int h = img.getHeight(), w = img.getWidth();
        Raster r = img.getRaster();
        ColorModel cm = img.getColorModel();
        byte[] out = new byte[3 * h * w];
        int bands = r.getNumBands();
        int shift = Math.max(0, r.getSampleModel().getSampleSize(0) - 8);
        for (int y = 0; y < h; y++)
            for (int x = 0; x < w; x++) {
                int at = y * w + x;
                if (cm instanceof IndexColorModel icm) {
                    int idx = r.getSample(x, y, 0);
                    out[at] = (byte) icm.getRed(idx);
                    out[h * w + at] = (byte) icm.getGreen(idx);
                    out[2 * h * w + at] = (byte) icm.getBlue(idx);
                } else if (bands <= 2) { // gray, or gray + alpha
                    byte g = (byte) (r.getSample(x, y, 0) >> shift);
                    out[at] = g;
                    out[h * w + at] = g;
                    out[2 * h * w + at] = g;
                } else {
                    for (int c = 0; c < 3; c++) out[c * h * w + at] = (byte) (r.getSample(x, y, c) >> shift);
                }
            }
        return new RgbImage(h, w, out);
    }
}
