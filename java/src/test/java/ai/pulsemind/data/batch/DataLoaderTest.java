package ai.pulsemind.data.batch;

import ai.pulsemind.data.DatasetCard;
import ai.pulsemind.data.DatasetPaths;
import ai.pulsemind.data.DatasetWriter;
import ai.pulsemind.data.MediRecord;
import ai.pulsemind.data.Progress;
import ai.pulsemind.data.Records;
import ai.pulsemind.data.Role;
import ai.pulsemind.data.Turn;
import ai.pulsemind.data.synth.KnowledgeBase;
import ai.pulsemind.data.synth.SynthGenerator;
import ai.pulsemind.data.synth.SynthOptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.*;

/** Loader and batching against a small synthetic dataset and the byte-level test encoder. */
class DataLoaderTest {
    @TempDir static Path tmp;
    static Path data;
    static Map<String, MediRecord> byId = new HashMap<>();

    @BeforeAll
    static void dataset() throws IOException {
        data = tmp.resolve("d");
        try (DatasetWriter w = new DatasetWriter(data, new DatasetWriter.Options(25, false), new DatasetCard())) {
            SynthGenerator.generate(KnowledgeBase.bundled(), new SynthOptions(60, 3, "both", 2, 0), w, Progress.NONE);
        }
        for (Path s : DatasetPaths.shards(data))
            for (String l : Files.readAllLines(s)) { MediRecord r = Records.MAPPER.readValue(l, MediRecord.class); byId.put(r.id(), r); }
    }

    static LoaderConfig cfg(long seed, LoaderConfig.Layout layout) {
        return new LoaderConfig(seed, true, layout, 6000, 16, 20, 2, 0, 0);
    }

    static List<Batch> all(RecordIndex idx, LoaderConfig c, LoaderCursor from, int epochs, int limit) {
        List<Batch> out = new ArrayList<>();
        try (DataLoader l = new DataLoader(idx, new ByteEncoder(224 * 224), c, from, epochs)) {
            while (l.hasNext() && out.size() < limit) out.add(l.next());
        }
        return out;
    }

    @Test
    void lossMaskCoversDoctorTurnsOnly() throws IOException {
        RecordIndex idx = RecordIndex.of(data);
        for (Batch b : all(idx, cfg(1, LoaderConfig.Layout.PACKED), LoaderCursor.start(1, idx.fingerprint()), 1, 3)) {
            for (int i = 0; i < b.size(); i++) {
                MediRecord r = byId.get(b.ids().get(i));
                String[] parts = ByteEncoder.split(b.tokens(), b.lossMask(), b.cuSeqlens()[i], b.cuSeqlens()[i + 1]);
                StringBuilder doctor = new StringBuilder(), patient = new StringBuilder();
                for (Turn t : r.turns()) (t.role() == Role.DOCTOR ? doctor : patient).append(t.text()).append('\n');
                assertEquals(doctor.toString(), parts[0], r.id() + ": trained text is not exactly the doctor turns");
                assertEquals(patient.toString(), parts[1], r.id());
            }
        }
    }

    @Test
    void eachEpochVisitsEveryRecordOnceInASeededOrder() throws IOException {
        RecordIndex idx = RecordIndex.of(data);
        List<Batch> two = all(idx, cfg(5, LoaderConfig.Layout.PACKED), LoaderCursor.start(5, idx.fingerprint()), 2, 1000);
        List<String> ids = new ArrayList<>();
        two.forEach(b -> ids.addAll(b.ids()));
        assertEquals(120, ids.size());
        List<String> e0 = ids.subList(0, 60), e1 = ids.subList(60, 120); // windows never mix epochs
        assertEquals(60, new HashSet<>(e0).size());
        assertEquals(60, e0.size());
        assertEquals(60, new HashSet<>(e1).size());
        assertNotEquals(e0, e1, "epochs are shuffled differently");
        List<String> again = new ArrayList<>();
        all(idx, cfg(5, LoaderConfig.Layout.PACKED), LoaderCursor.start(5, idx.fingerprint()), 1, 1000).forEach(b -> again.addAll(b.ids()));
        assertEquals(e0, again, "same seed, same order");
        List<String> other = new ArrayList<>();
        all(idx, cfg(6, LoaderConfig.Layout.PACKED), LoaderCursor.start(6, idx.fingerprint()), 1, 1000).forEach(b -> other.addAll(b.ids()));
        assertNotEquals(e0, other, "another seed, another order");
    }

    /** Stop after k batches, save the cursor as JSON, resume in a new loader: the rest is identical. */
    @Test
    void cursorResumesExactly() throws IOException {
        RecordIndex idx = RecordIndex.of(data);
        for (LoaderConfig.Layout layout : LoaderConfig.Layout.values()) {
            LoaderConfig c = cfg(9, layout);
            List<Batch> straight = all(idx, c, LoaderCursor.start(9, idx.fingerprint()), 2, 1000);
            for (int k : new int[] {1, 3, straight.size() / 2, straight.size() - 1}) {
                String saved = straight.get(k - 1).next().toJson();
                List<Batch> resumed = all(RecordIndex.of(data), c, LoaderCursor.fromJson(saved), 2, 1000);
                assertEquals(straight.size() - k, resumed.size(), layout + " resume after " + k);
                for (int i = 0; i < resumed.size(); i++) {
                    Batch a = straight.get(k + i), b = resumed.get(i);
                    assertEquals(a.ids(), b.ids(), layout + " batch " + (k + i));
                    assertArrayEquals(a.tokens(), b.tokens());
                    assertArrayEquals(a.lossMask(), b.lossMask());
                }
            }
        }
    }

    @Test
    void packedBatchesRespectTheBudget() throws IOException {
        RecordIndex idx = RecordIndex.of(data);
        for (Batch b : all(idx, cfg(2, LoaderConfig.Layout.PACKED), LoaderCursor.start(2, idx.fingerprint()), 1, 1000)) {
            assertTrue(b.tokens().length <= 6000 && b.size() <= 16);
            assertEquals(b.tokens().length, b.realTokens());
            int images = 0;
            for (int i = 0; i < b.size(); i++) {
                int placeholders = 0;
                for (int t = b.cuSeqlens()[i]; t < b.cuSeqlens()[i + 1]; t++) if (b.tokens()[t] == ByteEncoder.IMAGE) placeholders++;
                int patches = 0;
                for (int j = images; j < images + b.imageCounts()[i]; j++) patches += b.images().get(j).patches();
                assertEquals(patches, placeholders, "image placeholders match patches of sample " + i);
                images += b.imageCounts()[i];
            }
            assertEquals(images, b.images().size());
        }
    }

    /** Length bucketing pads less than batching in shuffled order would. */
    @Test
    void bucketingKeepsPaddingLow() throws IOException {
        RecordIndex idx = RecordIndex.of(data);
        long real = 0, padded = 0;
        for (Batch b : all(idx, cfg(4, LoaderConfig.Layout.PADDED), LoaderCursor.start(4, idx.fingerprint()), 1, 1000)) {
            assertTrue(b.tokens().length <= 6000);
            assertEquals(b.size() * b.rowLength(), b.tokens().length);
            for (int i = 0; i < b.size(); i++)
                for (int t = b.cuSeqlens()[i + 1] - b.cuSeqlens()[i]; t < b.rowLength(); t++) {
                    assertEquals(0, b.tokens()[i * b.rowLength() + t], "pad id");
                    assertEquals(0, b.lossMask()[i * b.rowLength() + t], "no loss on padding");
                }
            real += b.realTokens();
            padded += b.tokens().length;
        }
        double waste = 1 - (double) real / padded;
        assertTrue(waste < 0.2, "padding waste " + waste);
    }

    @Test
    void pixelBudgetIsApplied() throws IOException {
        RecordIndex idx = RecordIndex.of(data);
        ByteEncoder enc = new ByteEncoder(100 * 100);
        LoaderConfig c = new LoaderConfig(1, true, LoaderConfig.Layout.PACKED, 6000, 16, 20, 2, 12_000, 0);
        try (DataLoader l = new DataLoader(idx, enc, c, LoaderCursor.start(1, idx.fingerprint()), 1)) {
            while (l.hasNext()) l.next();
        }
        assertFalse(enc.seenPixels.isEmpty());
        for (long p : enc.seenPixels) assertTrue(p <= 100 * 100, "image of " + p + " pixels over the per-image budget");
        assertTrue(enc.seenPixels.stream().anyMatch(p -> p <= 6000), "two-image samples share the 12k per-sample budget");
    }

    @Test
    void badRecordsAreCountedAndSkipped() throws IOException {
        Path bad = tmp.resolve("bad");
        Files.createDirectories(bad);
        List<String> lines = new ArrayList<>(Files.readAllLines(DatasetPaths.shards(data).getFirst()));
        lines.set(2, "{\"id\": broken");
        MediRecord r = Records.MAPPER.readValue(lines.get(4), MediRecord.class);
        lines.set(4, lines.get(4).replace(r.images().getFirst().path(), "images/missing.png"));
        Files.write(bad.resolve("data-00000.jsonl"), lines);
        try (var s = Files.walk(data.resolve("images"))) {
            for (Path p : s.filter(Files::isRegularFile).toList()) {
                Path d = bad.resolve(data.relativize(p));
                Files.createDirectories(d.getParent());
                Files.copy(p, d);
            }
        }
        RecordIndex idx = RecordIndex.of(bad);
        LoaderConfig c = cfg(1, LoaderConfig.Layout.PACKED);
        int seen = 0;
        DataLoader.Stats st;
        try (DataLoader l = new DataLoader(idx, new ByteEncoder(224 * 224), c, LoaderCursor.start(1, idx.fingerprint()), 1)) {
            while (l.hasNext()) seen += l.next().size();
            st = l.stats();
        }
        assertEquals(23, seen);
        assertEquals(2, st.failed());
        String f = bad.resolve("data-00000.jsonl").toString();
        assertTrue(st.problems().stream().anyMatch(p -> p.startsWith(f + ":3: -: malformed JSON")), st.problems().toString());
        assertTrue(st.problems().stream().anyMatch(p -> p.startsWith(f + ":5: images[0].path:") && p.contains("missing.png")), st.problems().toString());
    }

    @Test
    void aCursorForAnotherDatasetIsRefused() throws IOException {
        RecordIndex idx = RecordIndex.of(data);
        LoaderCursor foreign = new LoaderCursor(1, 0, 0, 0, "0000-1");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> new DataLoader(idx, new ByteEncoder(0), cfg(1, LoaderConfig.Layout.PACKED), foreign, 1));
        assertTrue(e.getMessage().contains("cursor is for dataset"), e.getMessage());
    }
}
