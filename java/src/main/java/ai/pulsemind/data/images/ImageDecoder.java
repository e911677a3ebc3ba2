package ai.pulsemind.data.images;

import javax.imageio.ImageIO;
import javax.imageio.ImageReadParam;
import javax.imageio.ImageReader;
import javax.imageio.stream.ImageInputStream;
import java.awt.image.BufferedImage;
import java.awt.image.DataBuffer;
import java.awt.image.DataBufferByte;
import java.awt.image.Raster;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Iterator;

/**
 * Decodes an image file to 8-bit RGB: PNG, JPEG (TwelveMonkeys for CMYK/YCCK and broken headers), BMP, GIF, TIFF,
 * and DICOM. JPEG EXIF orientation is applied; 16-bit grayscale goes through a window; images over the pixel
 * budget are subsampled while decoding and then area-averaged down to it. Errors name the file.
 */
public final class ImageDecoder {
    /**
     * @param window    for data deeper than 8 bits; null: the file's own (DICOM), else the data's min..max
     * @param maxPixels upper bound on width × height of the result; 0 for no bound
     */
    public record Options(WindowLevel window, long maxPixels) {
        public static final Options DEFAULT = new Options(null, 0);

        public Options {
            if (maxPixels < 0) throw new IllegalArgumentException("maxPixels must be >= 0, got " + maxPixels);
        }
    }

    private ImageDecoder() {}

    static {
        ImageIO.setUseCache(false); // decode in memory; no temp files per image
        ImageIO.scanForPlugins();
    }

    public static DecodedImage decode(Path file) throws IOException { return decode(file, Options.DEFAULT); }

    public static DecodedImage decode(Path file, Options opt) throws IOException {
        byte[] bytes;
        try {
            bytes = Files.readAllBytes(file);
        } catch (java.nio.file.NoSuchFileException e) {
            throw new ImageError(file + ": no such file");
        }
        return decode(file.toString(), bytes, opt);
    }

    public static DecodedImage decode(String name, byte[] bytes, Options opt) throws IOException {
        if (bytes.length == 0) throw new ImageError(name + ": empty file");
        DecodedImage im;
        if (DicomReader.hasMagic(bytes) || name.toLowerCase(java.util.Locale.ROOT).endsWith(".dcm")) {
            im = DicomReader.read(name, bytes).decode(opt.window());
        } else {
            im = decodeImageIo(name, bytes, opt);
            im = Exif.apply(im, Exif.orientation(bytes));
        }
        int[] fit = Resize.fit(im.width(), im.height(), opt.maxPixels());
        return Resize.area(im, fit[0], fit[1]);
    }

    private static DecodedImage decodeImageIo(String name, byte[] bytes, Options opt) throws IOException {
        try (ImageInputStream in = ImageIO.createImageInputStream(new ByteArrayInputStream(bytes))) {
            Iterator<ImageReader> it = ImageIO.getImageReaders(in);
            if (!it.hasNext()) throw new ImageError(name + ": not an image format this reader knows (PNG, JPEG, BMP, GIF, TIFF, DICOM)");
            ImageReader r = it.next();
            try {
                r.setInput(in, true, true);
                ImageReadParam p = r.getDefaultReadParam();
                long px = (long) r.getWidth(0) * r.getHeight(0);
                if (opt.maxPixels() > 0 && px > 4 * opt.maxPixels()) {
                    // Decode every s-th pixel: far less work and memory for huge scans; Resize finishes the job.
                    int s = (int) Math.floor(Math.sqrt((double) px / opt.maxPixels()));
                    p.setSourceSubsampling(s, s, 0, 0);
                }
                java.util.List<String> warnings = new java.util.ArrayList<>();
                r.addIIOReadWarningListener((src, msg) -> warnings.add(msg));
                BufferedImage bi = r.read(0, p);
                // Decoders fill a cut-off image with gray and only warn; data with holes is not an image to train on.
                for (String w : warnings)
                    if (w.matches("(?is).*(premature|corrupt|truncat|end of (file|stream)|eof).*"))
                        throw new ImageError(name + ": corrupt or truncated " + r.getFormatName() + " image: " + w);
                return toRgb(bi, opt.window(), name);
            } catch (IOException | RuntimeException e) {
                if (e instanceof ImageError ie) throw ie;
                throw new ImageError(name + ": corrupt or truncated " + r.getFormatName() + " image: " + e.getMessage(), e);
            } finally {
                r.dispose();
            }
        }
    }

    /** Any BufferedImage to 8-bit RGB; single-band data deeper than 8 bits is windowed. */
    public static DecodedImage toRgb(BufferedImage bi, WindowLevel window, String name) throws ImageError {
        int w = bi.getWidth(), h = bi.getHeight();
        Raster ras = bi.getRaster();
        int type = ras.getDataBuffer().getDataType();
        if (ras.getNumBands() == 1 && (type == DataBuffer.TYPE_USHORT || type == DataBuffer.TYPE_SHORT || type == DataBuffer.TYPE_INT)) {
            double[] v = ras.getPixels(0, 0, w, h, (double[]) null);
            if (type == DataBuffer.TYPE_SHORT) for (int i = 0; i < v.length; i++) v[i] = (short) v[i];
            WindowLevel wl = window;
            if (wl == null) {
                double lo = Double.MAX_VALUE, hi = -Double.MAX_VALUE;
                for (double x : v) { lo = Math.min(lo, x); hi = Math.max(hi, x); }
                wl = WindowLevel.spanning(lo, hi);
            }
            return DecodedImage.fromGray(w, h, wl.apply(v));
        }
        if (bi.getType() == BufferedImage.TYPE_BYTE_GRAY)
            return DecodedImage.fromGray(w, h, ((DataBufferByte) ras.getDataBuffer()).getData().clone());
        byte[] rgb = new byte[w * h * 3];
        if (bi.getType() == BufferedImage.TYPE_3BYTE_BGR) {
            byte[] s = ((DataBufferByte) ras.getDataBuffer()).getData();
            for (int i = 0; i < rgb.length; i += 3) { rgb[i] = s[i + 2]; rgb[i + 1] = s[i + 1]; rgb[i + 2] = s[i]; }
        } else {
            int[] row = new int[w];
            for (int y = 0; y < h; y++) {
                bi.getRGB(0, y, w, 1, row, 0, w);
                for (int x = 0; x < w; x++) {
                    int p = row[x], d = (y * w + x) * 3;
                    rgb[d] = (byte) (p >> 16); rgb[d + 1] = (byte) (p >> 8); rgb[d + 2] = (byte) p;
                }
            }
        }
        if (w <= 0 || h <= 0) throw new ImageError(name + ": image has no pixels");
        return new DecodedImage(w, h, rgb);
    }
}
