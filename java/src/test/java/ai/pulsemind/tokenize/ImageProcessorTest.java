package ai.pulsemind.tokenize;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import ai.pulsemind.model.io.OracleFixtures;
import ai.pulsemind.model.io.SafetensorsFile;
import ai.pulsemind.tensor.Tensor;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.lang.foreign.ValueLayout;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Qwen2-VL image processing against transformers' torchvision (default) and PIL processors (tools/oracle). */
public class ImageProcessorTest {
    /**
     * Tolerances, |x − ref| ≤ ATOL + RTOL·|ref|. Decoding and resizing are integer and must match exactly; the
     * normalisation is the same f32 arithmetic as the reference, so 1e-5 (the brief's bound) leaves margin for a
     * different but correct operation order. Resized images get no looser bound because their uint8 planes match.
     */
    public static final double ATOL = 1e-5, RTOL = 0;

    @TempDir Path tmp;
    static JsonNode meta;
    static SafetensorsFile expected;

    @BeforeAll
    static void load() throws IOException {
        meta = new ObjectMapper().readTree(OracleFixtures.path("images/images.json").toFile());
        expected = SafetensorsFile.open(OracleFixtures.path("images/expected.safetensors"));
    }

    @AfterAll
    static void close() { expected.close(); }

    static ImageProcessor processor(Resampler r) {
        return new ImageProcessor(ImageProcessorConfig.load(OracleFixtures.path("images")).withResampler(r));
    }

    static RgbImage image(String name) { return read(OracleFixtures.path("images/" + name + ".png")); }

    /** The one image path: data/images decoding, as planes for the processor. */
    static RgbImage read(Path file) {
        try {
            return QwenPatches.planar(ai.pulsemind.data.images.ImageDecoder.decode(file));
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    @Test
    void decodesPngLikePillowConvertRgb() {
        for (JsonNode m : meta.get("images")) {
            String name = m.get("name").asText();
            RgbImage img = image(name);
            assertArrayEquals(expected.bytes(name + ".input_u8").toArray(ValueLayout.JAVA_BYTE), img.planes(),
                    name + " (" + m.get("mode").asText() + ")");
        }
    }

    @Test
    void resizesBitExactlyWithBothResizers() {
        List<String> bad = new ArrayList<>();
        int resized = 0;
        for (JsonNode m : meta.get("images")) {
            String name = m.get("name").asText();
            for (Resampler r : Resampler.values()) {
                String tag = r == Resampler.TORCHVISION ? "torchvision" : "pil";
                RgbImage got = processor(r).resized(image(name));
                byte[] want = expected.bytes(name + "." + tag + ".resized_u8").toArray(ValueLayout.JAVA_BYTE);
                assertEquals(m.get("resized_hw").get(0).asInt(), got.height(), name);
                assertEquals(m.get("resized_hw").get(1).asInt(), got.width(), name);
                int diff = 0, max = 0;
                for (int i = 0; i < want.length; i++) {
                    int d = Math.abs((want[i] & 0xFF) - (got.planes()[i] & 0xFF));
                    if (d != 0) diff++;
                    max = Math.max(max, d);
                }
                if (diff > 0) bad.add(name + " " + tag + ": " + diff + " of " + want.length + " samples differ, max " + max);
                if (got.height() != m.get("size_hw").get(0).asInt() || got.width() != m.get("size_hw").get(1).asInt())
                    resized++;
            }
        }
        assertEquals(10, resized, "5 of the 7 images are resized, by each resizer");
        if (!bad.isEmpty()) fail(String.join("\n", bad));
    }

    @Test
    void pixelValuesAndGrids() {
        int compared = 0;
        for (JsonNode m : meta.get("images")) {
            String name = m.get("name").asText();
            for (Resampler r : Resampler.values()) {
                String tag = r == Resampler.TORCHVISION ? "torchvision" : "pil";
                ImageProcessor.Processed got = processor(r).process(List.of(image(name)));
                JsonNode g = m.get(tag + "_grid_thw");
                assertArrayEquals(new int[] {g.get(0).asInt(), g.get(1).asInt(), g.get(2).asInt()}, got.gridThw().getFirst(), name);
                String key = name + "." + tag + ".pixel_values";
                if (!expected.contains(key)) continue;
                assertClose(key, expected.tensor(key), got.pixelValues());
                compared++;
            }
        }
        assertEquals(6, compared);
    }

    static void assertClose(String what, Tensor want, Tensor got) {
        assertEquals(want.shape(), got.shape(), what);
        float[] w = want.toFloatArray(), g = got.toFloatArray();
        double maxDiff = 0;
        int first = -1;
        for (int i = 0; i < w.length; i++) {
            double d = Math.abs(w[i] - g[i]);
            maxDiff = Math.max(maxDiff, d);
            if (first < 0 && d > ATOL + RTOL * Math.abs(w[i])) first = i;
        }
        if (first >= 0)
            fail(what + ": max |diff| " + maxDiff + ", first mismatch at flat index " + first + " (row " + first / want.dim(-1)
                    + ", col " + first % want.dim(-1) + "): expected " + w[first] + " got " + g[first]);
    }

    @Test
    void smartResizeMatchesTheReference() {
        assertArrayEquals(new int[] {56, 84}, ImageProcessor.smartResize(56, 84, 28, 1568, 6272));
        assertArrayEquals(new int[] {56, 84}, ImageProcessor.smartResize(100, 150, 28, 1568, 6272));
        assertArrayEquals(new int[] {56, 56}, ImageProcessor.smartResize(20, 20, 28, 1568, 6272));
        // Expected values from transformers' smart_resize: 1.5 and 2.5 both round to 2 (half to even).
        assertArrayEquals(new int[] {56, 56}, ImageProcessor.smartResize(42, 70, 28, 784, 6272));
        assertArrayEquals(new int[] {56, 112}, ImageProcessor.smartResize(70, 98, 28, 784, 100000));
        assertArrayEquals(new int[] {812, 1204}, ImageProcessor.smartResize(800, 1200, 28, 3136, 12845056));
        assertArrayEquals(new int[] {56, 112}, ImageProcessor.smartResize(14, 42, 28, 3136, 12845056));
        assertArrayEquals(new int[] {812, 28}, ImageProcessor.smartResize(1000, 30, 28, 3136, 20000));
        assertThrows(IllegalArgumentException.class, () -> ImageProcessor.smartResize(1, 300, 28, 3136, 12845056));
    }

    @Test
    void readsBothConfigLayouts() {
        ImageProcessorConfig t5 = ImageProcessorConfig.load(OracleFixtures.path("tiny-tied-f32"));
        ImageProcessorConfig pub = ImageProcessorConfig.load(OracleFixtures.path("tiny-untied-bf16"));
        assertEquals(t5, pub);
        assertEquals(28 * 28 * 2, pub.minPixels());
        assertEquals(28 * 28 * 8, pub.maxPixels());
        assertEquals(ImageProcessorConfig.CLIP_MEAN, pub.mean());
        assertEquals(Resampler.TORCHVISION, pub.resampler());
    }

    @Test
    void padExpansion() {
        List<int[]> grids = List.of(new int[] {1, 4, 6}, new int[] {1, 2, 2});
        String pad = "<|image_pad|>";
        assertEquals("a" + pad.repeat(6) + "b" + pad + "c", ImagePads.expandText("a" + pad + "b" + pad + "c", pad, grids, 2));
        assertArrayEquals(new int[] {1, 9, 9, 9, 9, 9, 9, 2, 9, 3}, ImagePads.expandIds(new int[] {1, 9, 2, 9, 3}, 9, grids, 2));
        assertThrows(IllegalArgumentException.class, () -> ImagePads.expandText("a" + pad, pad, grids, 2));
        assertThrows(IllegalArgumentException.class, () -> ImagePads.expandIds(new int[] {9, 9, 9}, 9, grids, 2));
    }

    @Test
    void unreadableImageIsOneLine() throws IOException {
        Path junk = tmp.resolve("scan.png");
        Files.writeString(junk, "not an image");
        var e = assertThrows(IOException.class, () -> ai.pulsemind.data.images.ImageDecoder.decode(junk));
        assertEquals(junk + ": not an image format this reader knows (PNG, JPEG, BMP, GIF, TIFF, DICOM)", e.getMessage());
        var missing = assertThrows(IOException.class, () -> ai.pulsemind.data.images.ImageDecoder.decode(tmp.resolve("none.png")));
        assertEquals(tmp.resolve("none.png") + ": no such file", missing.getMessage());
        Path png = tmp.resolve("cut.png");
        byte[] full = Files.readAllBytes(OracleFixtures.path("images/wide_100x150.png"));
        Files.write(png, java.util.Arrays.copyOf(full, full.length / 2));
        var cut = assertThrows(IOException.class, () -> ai.pulsemind.data.images.ImageDecoder.decode(png));
        assertTrue(cut.getMessage().startsWith(png + ": corrupt or truncated"), cut.getMessage());
    }
}
