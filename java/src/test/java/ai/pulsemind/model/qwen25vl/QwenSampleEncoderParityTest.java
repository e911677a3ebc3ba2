package ai.pulsemind.model.qwen25vl;

import ai.pulsemind.tokenize.TokenizerParityTest;
import ai.pulsemind.tokenize.ImageProcessorTest;
import ai.pulsemind.tokenize.ChatTemplate;

import ai.pulsemind.tokenize.Tokenizer;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import ai.pulsemind.data.DatasetPaths;
import ai.pulsemind.data.EncodedImage;
import ai.pulsemind.data.EncodedSample;
import ai.pulsemind.data.ImageRef;
import ai.pulsemind.data.MediRecord;
import ai.pulsemind.data.Records;
import ai.pulsemind.data.Role;
import ai.pulsemind.data.Turn;
import ai.pulsemind.data.batch.Batch;
import ai.pulsemind.data.batch.DataLoader;
import ai.pulsemind.data.batch.LoaderConfig;
import ai.pulsemind.data.batch.LoaderCursor;
import ai.pulsemind.data.batch.RecordIndex;
import ai.pulsemind.data.images.DecodedImage;
import ai.pulsemind.data.images.ImageDecoder;
import ai.pulsemind.model.io.OracleFixtures;
import ai.pulsemind.model.io.SafetensorsFile;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * QwenSampleEncoder against transformers (tools/oracle/encoder_fixtures.py): for hand-made MediScope records with two
 * images and several turns, on the tiny-tied-f32 checkpoint directory, the rendered text, token ids, pixel values,
 * grids, M-RoPE positions and the loss mask (transformers' assistant-token mask) are the processor's.
 */
class QwenSampleEncoderParityTest {
    static JsonNode expected;
    static Path model, dataset;
    static final Map<String, MediRecord> records = new HashMap<>();

    @BeforeAll
    static void load() throws IOException {
        expected = new ObjectMapper().readTree(OracleFixtures.path("encoder/expected.json").toFile());
        model = OracleFixtures.path(expected.get("model").asText());
        dataset = OracleFixtures.path("encoder/dataset");
        for (String line : Files.readAllLines(dataset.resolve("data-00000.jsonl"))) {
            MediRecord r = Records.MAPPER.readValue(line, MediRecord.class);
            records.put(r.id(), r);
        }
        // The Java processor's default resizer is torchvision's; the fixture must come from that processor.
        assertEquals("Qwen2VLImageProcessor", expected.get("image_processor_class").asText());
    }

    static List<DecodedImage> decode(MediRecord r, QwenSampleEncoder enc) throws IOException {
        List<DecodedImage> out = new ArrayList<>();
        for (ImageRef im : r.images()) out.add(ImageDecoder.decode(DatasetPaths.resolveInside(dataset, im.path()), enc.imageOptions()));
        return out;
    }

    @Test
    void everyCaseMatchesTheProcessor() throws IOException {
        try (SafetensorsFile pv = SafetensorsFile.open(OracleFixtures.path("encoder/pixel_values.safetensors"))) {
            for (JsonNode c : expected.get("cases")) check(c, pv);
        }
    }

    private static void check(JsonNode c, SafetensorsFile pv) throws IOException {
        String what = c.get("name").asText();
        MediRecord r = records.get(c.get("record").asText());
        String system = c.get("system_prompt").isNull() ? null : c.get("system_prompt").asText();
        QwenSampleEncoder enc = QwenSampleEncoder.load(model, system);

        List<Integer> shown = new ArrayList<>();
        String text = ChatTemplate.load(model).render(enc.messages(r, shown), false);
        assertEquals(c.get("text").asText(), text, what + ": rendered text");
        List<Integer> wantShown = new ArrayList<>();
        for (JsonNode id : c.get("shown")) wantShown.add(r.images().indexOf(r.image(id.asText())));
        assertEquals(wantShown, shown, what + ": images in placeholder order");

        EncodedSample s = enc.encode(r, decode(r, enc));
        assertArrayEquals(TokenizerParityTest.ints(c.get("input_ids")), s.tokens(), what + ": input_ids");
        assertMask(what, c, s, r, enc.tokenizer());
        for (int a = 0; a < 3; a++)
            assertArrayEquals(TokenizerParityTest.ints(c.get("position_ids").get(a)), s.positions()[a], what + ": position_ids row " + a);

        JsonNode grids = c.get("image_grid_thw");
        assertEquals(grids.size(), s.images().size(), what + ": images");
        List<float[]> rows = new ArrayList<>();
        for (int i = 0; i < grids.size(); i++) {
            EncodedImage e = s.images().get(i);
            assertArrayEquals(TokenizerParityTest.ints(grids.get(i)), new int[] {e.gridT(), e.gridH(), e.gridW()}, what + ": grid " + i);
            rows.add(e.pixels());
        }
        assertClose(what + ": pixel_values", pv.tensor(what + ".pixel_values").toFloatArray(), concat(rows));
    }

    /** Exactly the oracle's mask; each masked span decodes to a doctor turn's text and its <|im_end|>. */
    private static void assertMask(String what, JsonNode c, EncodedSample s, MediRecord r, Tokenizer tok) {
        int[] want = TokenizerParityTest.ints(c.get("loss_mask"));
        for (int i = 0; i < want.length; i++)
            if (want[i] != s.lossMask()[i])
                fail(what + ": loss mask differs first at token " + i + " (" + tok.idToToken(s.tokens()[i]) + "): expected "
                        + want[i] + " got " + s.lossMask()[i]);
        assertEquals(want.length, s.lossMask().length, what + ": mask length");
        List<String> spans = spans(s, tok);
        List<String> wantSpans = new ArrayList<>();
        c.get("masked_spans").forEach(n -> wantSpans.add(n.asText()));
        assertEquals(wantSpans, spans, what + ": decoded masked spans");
        List<Turn> doctor = r.turns().stream().filter(t -> t.role() == Role.DOCTOR).toList();
        assertEquals(doctor.size(), spans.size(), what + ": one span per doctor turn");
        for (int i = 0; i < spans.size(); i++) {
            String body = doctor.get(i).text() + "<|im_end|>";
            // a doctor text starting with a newline shares a BPE token with the header's: that token is trained on
            assertTrue(spans.get(i).equals(body) || spans.get(i).equals("\n" + body), what + ": span " + i + " is " + spans.get(i));
        }
    }

    static List<String> spans(EncodedSample s, Tokenizer tok) {
        List<String> out = new ArrayList<>();
        byte[] m = s.lossMask();
        for (int i = 0; i < m.length; i++) {
            if (m[i] == 0) continue;
            int j = i;
            while (j < m.length && m[j] == 1) j++;
            out.add(tok.decode(java.util.Arrays.copyOfRange(s.tokens(), i, j)));
            i = j;
        }
        return out;
    }

    static float[] concat(List<float[]> parts) {
        int n = parts.stream().mapToInt(p -> p.length).sum(), at = 0;
        float[] out = new float[n];
        for (float[] p : parts) { System.arraycopy(p, 0, out, at, p.length); at += p.length; }
        return out;
    }

    /** |got − want| ≤ ATOL + RTOL·|want|, the image processor's tolerances (ImageProcessorTest). */
    static void assertClose(String what, float[] want, float[] got) {
        assertEquals(want.length, got.length, what + ": length");
        double max = 0;
        int first = -1;
        for (int i = 0; i < want.length; i++) {
            double d = Math.abs(want[i] - got[i]);
            max = Math.max(max, d);
            if (first < 0 && d > ImageProcessorTest.ATOL + ImageProcessorTest.RTOL * Math.abs(want[i])) first = i;
        }
        if (first >= 0) fail(what + ": max |diff| " + max + ", first mismatch at flat index " + first + ": expected " + want[first] + " got " + got[first]);
    }

    /** Through the data loader: the batches carry exactly the encoder's samples (tokens, mask, positions, pixels). */
    @Test
    void theDataLoaderDeliversTheEncodedSamples() throws IOException {
        QwenSampleEncoder enc = QwenSampleEncoder.load(model);
        RecordIndex index = RecordIndex.of(dataset);
        LoaderConfig cfg = new LoaderConfig(3, true, LoaderConfig.Layout.PACKED, 100_000, 8, 8, 2, 0, 0);
        List<Batch> batches = new ArrayList<>();
        try (DataLoader l = new DataLoader(index, enc, cfg, LoaderCursor.start(3, index.fingerprint()), 1)) {
            while (l.hasNext()) batches.add(l.next());
            assertEquals(0, l.stats().failed(), () -> "failures: " + l.stats().problems());
        }
        int seen = 0;
        for (Batch b : batches)
            for (int i = 0; i < b.size(); i++, seen++) {
                MediRecord r = records.get(b.ids().get(i));
                EncodedSample want = enc.encode(r, decode(r, enc));
                int from = b.cuSeqlens()[i], to = b.cuSeqlens()[i + 1];
                assertArrayEquals(want.tokens(), java.util.Arrays.copyOfRange(b.tokens(), from, to), r.id());
                assertArrayEquals(want.lossMask(), java.util.Arrays.copyOfRange(b.lossMask(), from, to), r.id());
                for (int a = 0; a < 3; a++)
                    assertArrayEquals(want.positions()[a], java.util.Arrays.copyOfRange(b.positions()[a], from, to), r.id());
            }
        assertEquals(records.size(), seen);
        JsonNode first = expected.get("cases").get(0); // the default-system case: its record as the loader encodes it
        int[] got = null;
        for (Batch b : batches) {
            int i = b.ids().indexOf(first.get("record").asText());
            if (i >= 0) got = java.util.Arrays.copyOfRange(b.tokens(), b.cuSeqlens()[i], b.cuSeqlens()[i + 1]);
        }
        assertArrayEquals(TokenizerParityTest.ints(first.get("input_ids")), got, "the loader's " + first.get("record").asText());
    }

    /** {@code bench loader} on the fixture: every record encoded, and its checksums are the encoder's. */
    @Test
    void theLoaderBenchmarkCountsWhatTheEncoderProduces() throws IOException {
        QwenSampleEncoder enc = QwenSampleEncoder.load(model);
        long tokens = 0, trained = 0, patches = 0;
        for (MediRecord r : records.values()) {
            EncodedSample s = enc.encode(r, decode(r, enc));
            tokens += s.length();
            trained += s.trainedTokens();
            for (EncodedImage e : s.images()) patches += e.patches();
        }
        java.io.ByteArrayOutputStream buf = new java.io.ByteArrayOutputStream();
        java.io.PrintStream out = System.out;
        int rc;
        try {
            System.setOut(new java.io.PrintStream(buf, true, java.nio.charset.StandardCharsets.UTF_8));
            rc = ai.pulsemind.cli.Main.run("bench", "loader", "--data", dataset.toString(), "--model", model.toString(),
                    "--reps", "2", "--warmup", "1", "--json");
        } finally {
            System.setOut(out);
        }
        String printed = buf.toString(java.nio.charset.StandardCharsets.UTF_8);
        assertEquals(0, rc, printed);
        JsonNode j = new ObjectMapper().readTree(printed.lines().reduce((a, b) -> b).orElseThrow());
        assertEquals(records.size(), j.get("records").asInt());
        assertEquals(List.of(tokens, trained, patches),
                List.of(j.get("tokens").asLong(), j.get("trained_tokens").asLong(), j.get("patches").asLong()), printed);
        assertEquals(2, j.get("samples_per_s").size());
        assertTrue(j.get("median_samples_per_s").asDouble() > 0, printed);
    }
}
