package ai.pulsemind.data.images;

import javax.imageio.ImageIO;
import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.util.List;

/**
 * The image pixel module of a DICOM file, as read by {@link DicomReader}: geometry, sample format, rescale and
 * display window, and the pixel data of the first frame (native bytes or JPEG fragments).
 */
public final class DicomImage {
    public final String file;
    public final int rows, cols, samples, bitsAllocated, bitsStored, pixelRepresentation, planar, frames;
    public final String photometric, modality, transferSyntaxUid;
    public final double slope, intercept, windowCenter, windowWidth;
    private final byte[] nativePixels;
    private final boolean pixelsBigEndian;
    private final List<byte[]> fragments;

    private DicomImage(Builder b) {
        file = b.file; rows = b.rows; cols = b.cols; samples = b.samples; bitsAllocated = b.bitsAllocated;
        bitsStored = b.bitsStored == 0 ? b.bitsAllocated : b.bitsStored; pixelRepresentation = b.pixelRepresentation;
        planar = b.planar; frames = b.frames; photometric = b.photometric; modality = b.modality;
        transferSyntaxUid = b.transferSyntax.uid; slope = b.slope; intercept = b.intercept;
        windowCenter = b.windowCenter; windowWidth = b.windowWidth;
        nativePixels = b.nativePixels; pixelsBigEndian = b.pixelsBigEndian; fragments = b.fragments;
    }

    public boolean monochrome() { return photometric.startsWith("MONOCHROME"); }

    /**
     * The first frame's stored values with rescale applied (modality units, e.g. Hounsfield for CT): (rows, cols).
     * Native monochrome data only.
     */
    public double[] values() throws ImageError {
        if (!monochrome() || nativePixels == null) throw new ImageError(file + ": values() needs native monochrome pixel data");
        int n = rows * cols, bytes = bitsAllocated / 8;
        if (nativePixels.length < (long) n * bytes) throw new ImageError(file + ": pixel data has " + nativePixels.length + " bytes, expected " + (long) n * bytes);
        double[] v = new double[n];
        int shift = 32 - bitsStored;
        for (int i = 0; i < n; i++) {
            int raw;
            if (bytes == 1) raw = nativePixels[i] & 0xFF;
            else {
                int lo = nativePixels[2 * i] & 0xFF, hi = nativePixels[2 * i + 1] & 0xFF;
                raw = pixelsBigEndian ? (lo << 8) | hi : (hi << 8) | lo;
            }
            // Keep the stored bits only; signed data is sign-extended from the top stored bit.
            raw = pixelRepresentation == 1 ? (raw << shift) >> shift : (raw << shift) >>> shift;
            v[i] = raw * slope + intercept;
        }
        return v;
    }

    /** The first frame as 8-bit RGB; monochrome data goes through {@code window} (null: the file's, else min..max). */
    public DecodedImage decode(WindowLevel window) throws ImageError {
        if (rows <= 0 || cols <= 0) throw new ImageError(file + ": DICOM file has no image (Rows/Columns missing)");
        if (nativePixels == null && fragments == null) throw new ImageError(file + ": DICOM file has no PixelData (7FE0,0010)");
        if (fragments != null) return decodeJpeg();
        if (bitsAllocated != 8 && bitsAllocated != 16)
            throw new ImageError(file + ": BitsAllocated " + bitsAllocated + " is not supported (8 or 16)");
        if (monochrome()) {
            double[] v = values();
            WindowLevel w = window != null ? window : fileWindow(v);
            byte[] g = w.apply(v);
            if (photometric.equals("MONOCHROME1")) for (int i = 0; i < g.length; i++) g[i] = (byte) (255 - (g[i] & 0xFF));
            return DecodedImage.fromGray(cols, rows, g);
        }
        if (samples == 3 && bitsAllocated == 8 && (photometric.equals("RGB") || photometric.equals("YBR_FULL"))) return nativeColour();
        throw new ImageError(file + ": photometric interpretation " + photometric + " with " + samples + " samples of "
                + bitsAllocated + " bits is not supported (MONOCHROME1/2, RGB, YBR_FULL)");
    }

    private WindowLevel fileWindow(double[] v) {
        if (Double.isFinite(windowCenter) && Double.isFinite(windowWidth) && windowWidth >= 1)
            return new WindowLevel(windowCenter, windowWidth);
        double lo = Double.MAX_VALUE, hi = -Double.MAX_VALUE;
        for (double x : v) { lo = Math.min(lo, x); hi = Math.max(hi, x); }
        return WindowLevel.spanning(lo, hi);
    }

    private DecodedImage nativeColour() throws ImageError {
        int n = rows * cols;
        if (nativePixels.length < n * 3) throw new ImageError(file + ": pixel data has " + nativePixels.length + " bytes, expected " + n * 3);
        byte[] rgb = new byte[n * 3];
        for (int i = 0; i < n; i++)
            for (int c = 0; c < 3; c++)
                rgb[i * 3 + c] = planar == 1 ? nativePixels[c * n + i] : nativePixels[i * 3 + c];
        if (photometric.equals("YBR_FULL")) Colour.ybrFullToRgb(rgb);
        return new DecodedImage(cols, rows, rgb);
    }

    private DecodedImage decodeJpeg() throws ImageError {
        byte[] jpeg = frames > 1 && fragments.size() == frames ? fragments.get(0) : DicomReader.join(fragments);
        BufferedImage bi;
        try {
            bi = ImageIO.read(new ByteArrayInputStream(jpeg));
        } catch (IOException e) {
            throw new ImageError(file + ": cannot decode the JPEG pixel data: " + e.getMessage(), e);
        }
        if (bi == null) throw new ImageError(file + ": no JPEG decoder accepted the pixel data");
        return ImageDecoder.toRgb(bi, null, file);
    }

    /** Collects elements while the reader walks the file. */
    static final class Builder {
        String file, photometric = "MONOCHROME2", modality = "";
        int rows, cols, samples = 1, bitsAllocated = 16, bitsStored, pixelRepresentation, planar, frames = 1;
        double slope = 1, intercept = 0, windowCenter = Double.NaN, windowWidth = Double.NaN;
        DicomTransferSyntax transferSyntax;
        byte[] nativePixels;
        boolean pixelsBigEndian;
        List<byte[]> fragments;

        DicomImage build() { return new DicomImage(this); }
    }
}
