package ai.pulsemind.data;

import ai.pulsemind.data.images.DecodedImage;
import ai.pulsemind.data.images.DicomImage;
import ai.pulsemind.data.images.DicomReader;
import ai.pulsemind.data.images.ImageDecoder;
import ai.pulsemind.data.images.ImageError;
import ai.pulsemind.data.images.WindowLevel;
import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.*;

/** Image decoding against pydicom's arrays (dicom/expected.json) and hand-made images (make_fixtures.py). */
class ImageDecoderTest {
    static JsonNode expected(String name) throws Exception {
        return Records.MAPPER.readTree(Fixtures.path("dicom/expected.json").toFile()).get(name);
    }

    /** Native DICOM: stored values bit-exact against pydicom, in all three uncompressed syntaxes. */
    @Test
    void nativeMonochromeMatchesPydicomExactly() throws Exception {
        for (String f : new String[] {"MR_small.dcm", "MR_small_implicit.dcm", "MR_small_bigendian.dcm", "CT_small.dcm"}) {
            JsonNode e = expected(f);
            DicomImage im = DicomReader.read(Fixtures.path("dicom/" + f));
            assertEquals(e.get("rows").asInt(), im.rows, f);
            assertEquals(e.get("cols").asInt(), im.cols, f);
            double[] v = im.values();
            double slope = e.get("slope").asDouble(), icpt = e.get("intercept").asDouble();
            JsonNode px = e.get("pixels");
            assertEquals(px.size(), v.length, f);
            for (int i = 0; i < v.length; i++) {
                double want = px.get(i).asDouble() * slope + icpt;
                if (v[i] != want) fail(f + ": first mismatch at index " + i + ": got " + v[i] + ", pydicom " + want);
            }
        }
    }

    @Test
    void mrUsesTheFilesWindowAndCtItsRescale() throws Exception {
        DicomImage mr = DicomReader.read(Fixtures.path("dicom/MR_small.dcm"));
        assertEquals(600, mr.windowCenter);
        assertEquals(1600, mr.windowWidth);
        DecodedImage d = ImageDecoder.decode(Fixtures.path("dicom/MR_small.dcm"));
        WindowLevel w = new WindowLevel(600, 1600);
        double[] v = mr.values();
        for (int i = 0; i < v.length; i += 97) assertEquals(w.apply(v[i]), d.rgb()[i * 3] & 0xFF, "pixel " + i);
        DicomImage ct = DicomReader.read(Fixtures.path("dicom/CT_small.dcm"));
        assertEquals(-1024, ct.intercept);
        // A soft-tissue window chosen on the command line overrides the data's span.
        DecodedImage soft = ImageDecoder.decode(Fixtures.path("dicom/CT_small.dcm"), new ImageDecoder.Options(new WindowLevel(40, 400), 0));
        double[] hu = ct.values();
        for (int i = 0; i < hu.length; i += 131) assertEquals(new WindowLevel(40, 400).apply(hu[i]), soft.rgb()[i * 3] & 0xFF);
    }

    @Test
    void nativeRgbMatchesPydicom() throws Exception {
        JsonNode e = expected("SC_rgb_small_odd.dcm");
        DecodedImage d = ImageDecoder.decode(Fixtures.path("dicom/SC_rgb_small_odd.dcm"));
        assertEquals(3, d.width());
        for (int i = 0; i < d.rgb().length; i++) assertEquals(e.get("pixels").get(i).asInt(), d.rgb()[i] & 0xFF, "byte " + i);
    }

    /** JPEG baseline inside DICOM; decoders may round differently, so mean |diff| <= 1.5 and max <= 16 per channel. */
    @Test
    void jpegBaselineDicomCloseToPydicom() throws Exception {
        JsonNode e = expected("SC_rgb_jpeg_dcmtk.dcm");
        DecodedImage d = ImageDecoder.decode(Fixtures.path("dicom/SC_rgb_jpeg_dcmtk.dcm"));
        assertEquals(e.get("cols").asInt(), d.width());
        assertEquals(e.get("rows").asInt(), d.height());
        double sum = 0;
        int max = 0, argmax = -1;
        for (int i = 0; i < d.rgb().length; i++) {
            int diff = Math.abs((d.rgb()[i] & 0xFF) - e.get("pixels").get(i).asInt());
            sum += diff;
            if (diff > max) { max = diff; argmax = i; }
        }
        double mean = sum / d.rgb().length;
        assertTrue(mean <= 1.5 && max <= 16, "mean |diff| " + mean + ", max " + max + " at byte " + argmax);
    }

    @Test
    void otherTransferSyntaxesAreNamedErrors() {
        ImageError rle = assertThrows(ImageError.class, () -> ImageDecoder.decode(Fixtures.path("dicom/MR_small_RLE.dcm")));
        assertTrue(rle.getMessage().contains("MR_small_RLE.dcm") && rle.getMessage().contains("1.2.840.10008.1.2.5 (RLE Lossless)"), rle.getMessage());
        ImageError j2k = assertThrows(ImageError.class, () -> ImageDecoder.decode(Fixtures.path("dicom/MR_small_jp2klossless.dcm")));
        assertTrue(j2k.getMessage().contains("JPEG 2000"), j2k.getMessage());
    }

    @Test
    void truncatedDicomIsAClearError(@org.junit.jupiter.api.io.TempDir Path tmp) throws Exception {
        byte[] all = Files.readAllBytes(Fixtures.path("dicom/MR_small.dcm"));
        Path cut = tmp.resolve("cut.dcm");
        Files.write(cut, java.util.Arrays.copyOf(all, 700));
        ImageError e = assertThrows(ImageError.class, () -> ImageDecoder.decode(cut));
        assertTrue(e.getMessage().contains("cut.dcm") && e.getMessage().contains("truncated"), e.getMessage());
    }

    /** make_fixtures.py stores a 40x20 picture rotated counter-clockwise with orientation 6; we must undo it. */
    @Test
    void exifOrientationIsApplied() throws Exception {
        DecodedImage d = ImageDecoder.decode(Fixtures.path("images/exif6.jpg"));
        assertEquals(40, d.width());
        assertEquals(20, d.height());
        assertTrue(d.at(1, 1, 0) > 200 && d.at(1, 1, 2) < 60, "red marker top-left after rotation: " + d.at(1, 1, 0) + "," + d.at(1, 1, 2));
        assertTrue(d.at(38, 18, 2) > 200 && d.at(38, 18, 0) < 60, "blue elsewhere");
    }

    @Test
    void sixteenBitGrayIsWindowed() throws Exception {
        DecodedImage auto = ImageDecoder.decode(Fixtures.path("images/gray16.png"));
        assertEquals(0, auto.at(0, 0, 0));
        assertEquals(255, auto.at(63, 0, 0));
        assertEquals(new WindowLevel(0, 1).getClass(), WindowLevel.class);
        WindowLevel w = new WindowLevel(2000, 1000); // 1500..2500 spans 0..255
        DecodedImage win = ImageDecoder.decode(Fixtures.path("images/gray16.png"), new ImageDecoder.Options(w, 0));
        assertEquals(0, win.at(5, 0, 0));       // 1500: bottom of the window
        assertEquals(255, win.at(16, 0, 0));    // 2600: above it
        assertEquals(w.apply(2000), win.at(10, 3, 1));
    }

    @Test
    void pixelBudgetDownscales() throws Exception {
        DecodedImage d = ImageDecoder.decode(Fixtures.path("dicom/CT_small.dcm"), new ImageDecoder.Options(null, 64 * 64));
        assertTrue(d.pixels() <= 64 * 64, d.width() + "x" + d.height());
        assertEquals(64, d.width());
    }

    @Test
    void corruptImagesNameTheFile() {
        ImageError t = assertThrows(ImageError.class, () -> ImageDecoder.decode(Fixtures.path("images/truncated.jpg")));
        assertTrue(t.getMessage().contains("truncated.jpg"), t.getMessage());
        ImageError n = assertThrows(ImageError.class, () -> ImageDecoder.decode(Fixtures.path("images/not_an_image.png")));
        assertTrue(n.getMessage().contains("not_an_image.png") && n.getMessage().contains("not an image format"), n.getMessage());
    }
}
