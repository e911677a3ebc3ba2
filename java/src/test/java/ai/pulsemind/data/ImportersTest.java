package ai.pulsemind.data;

import ai.pulsemind.data.importers.ImportOptions;
import ai.pulsemind.data.importers.ImportRunner;
import ai.pulsemind.data.importers.Importers;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.*;

/** Every importer on a hand-made sample of its real format (datasets/samples/import, bad records in src/test/resources/data/import), then validated. */
class ImportersTest {
    @TempDir Path tmp;
    final ByteArrayOutputStream log = new ByteArrayOutputStream();

    ImportRunner.Result run(String format, String input, String images, Path out, boolean skipBad) throws IOException {
        return run(format, new ImportOptions(Fixtures.path("import/" + input), images == null ? null : Fixtures.path("import/" + images),
                null, null, null, skipBad, false, true), out);
    }

    ImportRunner.Result run(String format, ImportOptions opt, Path out) throws IOException {
        try (DatasetWriter w = new DatasetWriter(out, DatasetWriter.Options.defaults(), new DatasetCard())) {
            try {
                return ImportRunner.run(Importers.byName(format), opt, w, new PrintStream(log, true), Progress.NONE);
            } catch (RuntimeException e) {
                w.card().markIncomplete(e.getMessage());
                throw e;
            }
        }
    }

    static List<MediRecord> read(Path dir) throws IOException {
        List<MediRecord> out = new ArrayList<>();
        for (Path s : DatasetPaths.shards(dir))
            for (String line : Files.readAllLines(s)) out.add(Records.MAPPER.readValue(line, MediRecord.class));
        return out;
    }

    static void assertValid(Path dir) throws IOException {
        List<String> errs = new ArrayList<>();
        var r = DatasetValidator.validate(dir, DatasetValidator.Options.defaults(), e -> errs.add(e.getMessage()), Progress.NONE);
        assertTrue(r.ok(), "imported dataset does not validate: " + errs);
    }

    @Test
    void medDiagnoseCsv() throws IOException {
        Path out = tmp.resolve("md");
        var r = run("pulsemind-meddiagnose", "meddiagnose/meddiagnose.csv", "meddiagnose/images", out, false);
        assertEquals(3, r.records());
        assertEquals(4, r.images());
        assertValid(out);
        List<MediRecord> recs = read(out);
        MediRecord a = recs.getFirst();
        assertEquals("meddiagnose-1001", a.id());
        assertEquals("zh", a.language());
        // Two consecutive patient lines become one turn; the attachment markup leaves the text.
        assertEquals(4, a.turns().size());
        assertEquals(List.of("img1", "img2"), a.turns().getFirst().images());
        assertFalse(a.turns().getFirst().text().contains("attachment"));
        assertTrue(a.turns().get(2).text().contains("右肩膀"));
        assertTrue(Files.isRegularFile(out.resolve(a.images().get(1).path())));
        assertEquals("en", recs.get(2).language());
        String card = Files.readString(out.resolve("README.md"));
        assertTrue(card.contains("MedDiagnose") && card.contains("licence"), card);
    }

    @Test
    void badMedDiagnoseRowsStopWithFileLineField() throws IOException {
        Path out = tmp.resolve("bad");
        DataError e = assertThrows(DataError.class, () -> run("pulsemind-meddiagnose", "meddiagnose/bad.csv", "meddiagnose/images", out, false));
        assertTrue(e.getMessage().matches(".*bad\\.csv:2: Response: attachment 3 of case 2001: no image .*"), e.getMessage());
        assertTrue(Files.readString(out.resolve("dataset.json")).contains("incomplete"));
    }

    @Test
    void skipBadCountsAndKeepsTheGoodRecords() throws IOException {
        Path out = tmp.resolve("skip");
        var r = run("pulsemind-meddiagnose", "meddiagnose/bad.csv", "meddiagnose/images", out, true);
        assertEquals(1, r.records());
        assertEquals(3, r.skipped());
        String l = log.toString();
        assertTrue(l.contains("bad.csv:4: Response: text before the first speaker"), l);
        assertTrue(l.contains("bad.csv:6: images[0] (img1): image does not decode") && l.contains("truncated"), l);
        assertValid(out);
        assertTrue(Files.readString(out.resolve("dataset.json")).contains("\"skipped\" : 3"));
    }

    @Test
    void imagePatternIsConfigurable() throws IOException {
        Path out = tmp.resolve("pat");
        var opt = new ImportOptions(Fixtures.path("import/meddiagnose/meddiagnose.csv"), Fixtures.path("import/meddiagnose/images"),
                "{id}/{n}.png", null, null, true, false, true);
        var r = run("pulsemind-meddiagnose", opt, out);
        // Only 1003 has all its attachments as .png; 1001's second is a .jpg, 1002's only one too.
        assertEquals(1, r.records());
        assertEquals(2, r.skipped());
    }

    @Test
    void cmtMedQa() throws IOException {
        Path out = tmp.resolve("cmt");
        var r = run("cmtmedqa", "cmtmedqa/cmtmedqa.json", null, out, false);
        assertEquals(2, r.records());
        assertValid(out);
        MediRecord a = read(out).getFirst();
        assertEquals("内科", a.department());
        assertEquals("消化内科", a.subspecialty());
        assertEquals(6, a.turns().size());
        assertEquals("那我平时饮食要注意什么？", a.turns().get(4).text());
        assertEquals("cmtmedqa-2", a.id()); // the object starts on line 2 of the JSON list
        Path bad = tmp.resolve("cmtbad");
        var rb = run("cmtmedqa", "cmtmedqa/bad.json", null, bad, true);
        assertEquals(1, rb.records());
        assertEquals(2, rb.skipped());
        assertTrue(log.toString().contains("bad.json:2: instruction: required field"), log.toString());
        assertTrue(log.toString().contains("bad.json:3: history[0]: must be a [patient, doctor] pair"), log.toString());
    }

    @Test
    void llavaAndShareGpt() throws IOException {
        Path out = tmp.resolve("llava");
        var r = run("llava", "llava/llava.json", "llava/images", out, false);
        assertEquals(2, r.records());
        assertValid(out);
        List<MediRecord> recs = read(out);
        assertEquals(List.of("img0"), recs.getFirst().turns().getFirst().images());
        assertEquals("What does this chest X-ray show?", recs.getFirst().turns().getFirst().text());
        assertEquals(Modality.DERMATOLOGY, recs.get(1).images().getFirst().modality());

        Path sg = tmp.resolve("sg");
        run("sharegpt", "sharegpt/sharegpt.jsonl", "sharegpt/images", sg, false);
        assertValid(sg);
        List<MediRecord> s = read(sg);
        assertEquals("You are a careful physician.", s.getFirst().meta().get("system"));
        assertEquals(List.of("img0", "img1"), s.get(1).turns().getFirst().images());
    }

    @Test
    void pathsLeavingTheRootAreRejected() throws IOException {
        Path out = tmp.resolve("esc");
        DataError e = assertThrows(DataError.class, () -> run("llava", "llava/bad.json", "llava/images", out, false));
        assertTrue(e.getMessage().matches(".*bad\\.json:2: image: path '\\.\\./\\.\\./\\.\\./etc/passwd' leaves the dataset root"), e.getMessage());
        Path out2 = tmp.resolve("esc2");
        var r = run("llava", "llava/bad.json", "llava/images", out2, true);
        assertEquals(1, r.records());
        assertTrue(log.toString().contains("more <image> placeholders than images"), log.toString());
    }

    @Test
    void mcqFormats() throws IOException {
        Path q = tmp.resolve("medqa");
        run("mcq", "mcq/medqa.jsonl", null, q, false);
        assertValid(q);
        List<MediRecord> mq = read(q);
        assertEquals("E", mq.getFirst().eval().answer());
        assertEquals("B", mq.get(1).eval().answer());
        assertEquals(1, mq.getFirst().turns().size());
        assertTrue(mq.getFirst().turns().getFirst().text().contains("E. Nitrofurantoin"));

        Path m = tmp.resolve("medmcqa");
        var r = run("mcq", "mcq/medmcqa.jsonl", null, m, true);
        assertEquals(1, r.skipped());
        assertTrue(log.toString().contains("medmcqa.jsonl:2: cop: is 7, outside 1..4"), log.toString());
        MediRecord mm = read(m).getFirst();
        assertEquals("B", mm.eval().answer());
        assertEquals("Anatomy", mm.department());
        assertEquals("The radial nerve supplies the wrist extensors.", mm.meta().get("explanation"));

        Path p = tmp.resolve("pubmedqa");
        run("mcq", "mcq/ori_pqal.json", null, p, false);
        assertValid(p);
        List<MediRecord> pq = read(p);
        assertEquals("pubmedqa-21645374", pq.getFirst().id());
        assertEquals("A", pq.getFirst().eval().answer());
        assertEquals("B", pq.get(1).eval().answer());
        assertTrue(pq.getFirst().turns().getFirst().text().startsWith("Programmed cell death"));
    }

    @Test
    void vqaFormats() throws IOException {
        Path v = tmp.resolve("rad");
        run("vqa", "vqa/vqa_rad.json", "vqa/images", v, false);
        assertValid(v);
        List<MediRecord> rad = read(v);
        assertEquals("closed", rad.getFirst().eval().answerType());
        assertEquals("yes", rad.getFirst().turns().get(1).text());
        Path s = tmp.resolve("slake");
        run("vqa", "vqa/slake.json", "vqa/images", s, false);
        List<MediRecord> sl = read(s);
        assertEquals("zh", sl.getFirst().language());
        assertEquals(Modality.MRI, sl.getFirst().images().getFirst().modality());
        Path pv = tmp.resolve("path");
        var r = run("vqa", "vqa/pathvqa.jsonl", "vqa/images", pv, true);
        assertEquals(1, r.records());
        assertEquals(1, r.skipped());
        assertEquals(Modality.PATHOLOGY, read(pv).getFirst().images().getFirst().modality());
        assertTrue(log.toString().contains("pathvqa.jsonl:2: images[0] (img0): image file"), log.toString());
    }

    @Test
    void refusesToMixIntoAnExistingDataset() throws IOException {
        Path out = tmp.resolve("twice");
        run("mcq", "mcq/medqa.jsonl", null, out, false);
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> run("mcq", "mcq/medqa.jsonl", null, out, false));
        assertTrue(e.getMessage().contains("--overwrite"), e.getMessage());
    }
}
