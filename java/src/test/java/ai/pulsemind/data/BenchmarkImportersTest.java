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
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The public-benchmark formats the MCQ and VQA importers read besides the original three each: MMLU rows, PMC-VQA's
 * CSV and MMMU rows, on the samples in datasets/samples/public-raw, and their bad rows named by file, line and field.
 */
class BenchmarkImportersTest {
    static final Path RAW = Path.of("..", "datasets", "samples", "public-raw");
    @TempDir Path tmp;
    final ByteArrayOutputStream log = new ByteArrayOutputStream();

    List<MediRecord> run(String format, Path input, Path images, Path out) throws IOException {
        var opt = new ImportOptions(input, images, null, null, null, true, false, true);
        try (DatasetWriter w = new DatasetWriter(out, DatasetWriter.Options.defaults(), new DatasetCard())) {
            ImportRunner.run(Importers.byName(format), opt, w, new PrintStream(log, true), Progress.NONE);
        }
        List<MediRecord> out2 = new ArrayList<>();
        for (String l : Files.readAllLines(out.resolve("data-00000.jsonl"))) out2.add(Records.MAPPER.readValue(l, MediRecord.class));
        return out2;
    }

    @Test
    void mmluRows() throws IOException {
        List<MediRecord> rs = run("mcq", RAW.resolve("mmlu/test.jsonl"), null, tmp.resolve("mmlu"));
        assertEquals(5, rs.size());
        MediRecord r = rs.getFirst();
        assertEquals("mmlu", r.source());
        assertEquals("B", r.eval().answer());
        assertEquals("Scapula", r.eval().options().get("B"));
        assertEquals("anatomy", r.meta().get("subject"));
        assertEquals("Which bone articulates with the head of the humerus?", r.meta().get("question"));
    }

    @Test
    void pubMedQaKeepsTheAbstractApart() throws IOException {
        MediRecord r = run("mcq", RAW.resolve("pubmedqa/ori_pqal.json"), null, tmp.resolve("pqa")).getFirst();
        assertEquals("Does a daily walking programme lower resting blood pressure in older adults?", r.meta().get("question"));
        assertTrue(((String) r.meta().get("context")).startsWith("Sedentary adults"));
    }

    @Test
    void pmcVqaCsv() throws IOException {
        List<MediRecord> rs = run("vqa", RAW.resolve("pmc-vqa/test_clean.csv"), RAW.resolve("pmc-vqa/figures"), tmp.resolve("pmc"));
        assertEquals(3, rs.size());
        MediRecord r = rs.getFirst();
        assertEquals("pmc-vqa", r.source());
        assertEquals("mcq", r.eval().type());
        assertEquals(Map.of("A", "CT scan", "B", "Ultrasound", "C", "PET", "D", "X-ray"), r.eval().options(), "the 'A:' prefixes are dropped");
        assertEquals("B", r.eval().answer());
        assertEquals(1, r.images().size());
        assertEquals("Which stain is typical for the tissue shown, in the authors' words?", rs.get(2).meta().get("question"), "a quoted CSV field");
    }

    @Test
    void mmmuRows() throws IOException {
        List<MediRecord> rs = run("vqa", RAW.resolve("mmmu/validation.jsonl"), RAW.resolve("mmmu/images"), tmp.resolve("mmmu"));
        assertEquals(3, rs.size());
        MediRecord mc = rs.getFirst();
        assertEquals("mmmu-validation_Clinical_Medicine_1", mc.id());
        assertEquals("Clinical_Medicine", mc.meta().get("subject"));
        assertEquals("Round nodule", mc.eval().options().get("B"));
        MediRecord two = rs.get(1);
        assertEquals(List.of("image_1", "image_2"), two.turns().getFirst().images());
        assertEquals("<image 1>", two.eval().options().get("A"), "a double-quoted option of the Python list");
        MediRecord open = rs.get(2);
        assertEquals("vqa", open.eval().type());
        assertEquals("open", open.eval().answerType());
        assertEquals("500", open.eval().answer());
        assertNull(open.eval().options().get("A"));
    }

    @Test
    void badRowsAreNamed() throws IOException {
        Path dir = Files.createDirectories(tmp.resolve("bad"));
        Files.writeString(dir.resolve("mmlu.jsonl"), "{\"question\":\"q\",\"choices\":[\"a\",\"b\"],\"answer\":5}\n{\"question\":\"q\",\"choices\":[\"a\",\"b\"],\"answer\":0}\n");
        run("mcq", dir.resolve("mmlu.jsonl"), null, tmp.resolve("o1"));
        Files.writeString(dir.resolve("pmc.csv"), "Figure_path,Question,Answer,Choice A,Choice B,Answer_label\nf.png,q,a,A:x,B:y,E\nf.png,q,a,A:x\n");
        Files.write(dir.resolve("f.png"), Files.readAllBytes(RAW.resolve("pmc-vqa/figures/PMC0000001_fig1.png")));
        try (DatasetWriter w = new DatasetWriter(tmp.resolve("o2"), DatasetWriter.Options.defaults(), new DatasetCard())) {
            ImportRunner.run(Importers.byName("vqa"), new ImportOptions(dir.resolve("pmc.csv"), dir, null, null, null, true, false, true),
                    w, new PrintStream(log, true), Progress.NONE);
        }
        Files.writeString(dir.resolve("mmmu.jsonl"), "{\"id\":\"validation_Pharmacy_2\",\"question\":\"q\",\"answer\":\"A\",\"options\":\"['a', 'b']\",\"image_1\":null}\n"
                + "{\"id\":\"validation_Pharmacy_3\",\"question\":\"q\",\"answer\":\"A\",\"options\":\"['a, 'b']\",\"image_1\":\"f.png\"}\n");
        try (DatasetWriter w = new DatasetWriter(tmp.resolve("o3"), DatasetWriter.Options.defaults(), new DatasetCard())) {
            ImportRunner.run(Importers.byName("vqa"), new ImportOptions(dir.resolve("mmmu.jsonl"), dir, null, null, null, true, false, true),
                    w, new PrintStream(log, true), Progress.NONE);
        }
        String msgs = log.toString();
        assertTrue(msgs.contains(dir.resolve("mmlu.jsonl") + ":1: answer: must be the 0-based index"), msgs);
        assertTrue(msgs.contains(dir.resolve("pmc.csv") + ":2: Answer_label: 'E' is not one of the choices"), msgs);
        assertTrue(msgs.contains(dir.resolve("pmc.csv") + ":3: -: row has 4 fields, the header has 6"), msgs);
        assertTrue(msgs.contains(dir.resolve("mmmu.jsonl") + ":1: image_1: an MMMU row needs at least one image"), msgs);
        assertTrue(msgs.contains(dir.resolve("mmmu.jsonl") + ":2: options: "), msgs);
    }
}
