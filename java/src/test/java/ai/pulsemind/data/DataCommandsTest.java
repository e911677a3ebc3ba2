package ai.pulsemind.data;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.*;

/** The `data` commands end to end through the CLI entry point: exit codes and what they print. */
class DataCommandsTest {
    @TempDir Path tmp;

    record Run(int code, String out, String err) {}

    static Run run(String... args) {
        var r = ai.pulsemind.testing.CliRun.run(args);
        return new Run(r.code(), r.out(), r.err());
    }

    static final String SAMPLE = Path.of("..", "datasets", "samples", "synthetic-mini").toString();

    @Test
    void validateAndStatsOnTheCommittedSample() throws Exception {
        Run v = run("data", "validate", SAMPLE);
        assertEquals(0, v.code(), v.err());
        assertTrue(v.err().contains("ok: 6 records"), v.err());
        Run s = run("data", "stats", SAMPLE, "--json");
        assertEquals(0, s.code(), s.err());
        JsonNode j = Records.MAPPER.readTree(s.out());
        assertEquals(6, j.get("records").asInt());
        assertTrue(j.get("departments").isObject() && j.get("departments").size() > 0);
        assertTrue(j.get("modalities").isObject() && j.get("modalities").size() > 0);
        long images = 0;
        for (JsonNode n : j.get("modalities")) images += n.asLong();
        assertEquals(j.get("images").asLong(), images);
    }

    @Test
    void validateReportsProblemsAndFails() throws Exception {
        Path f = tmp.resolve("bad.jsonl");
        Files.writeString(f, "{\"id\":\"x\",\"language\":\"en\",\"turns\":[{\"role\":\"nurse\",\"text\":\"hi\"}]}\n{oops\n");
        Run v = run("data", "validate", f.toString());
        assertEquals(1, v.code());
        assertTrue(v.out().contains(f + ":1: turns[0].role: role must be patient or doctor, got 'nurse'"), v.out());
        assertTrue(v.out().contains(f + ":2: -: malformed JSON"), v.out());
        Run once = run("data", "validate", f.toString(), "--max-errors", "1");
        assertEquals(1, once.out().strip().lines().count(), once.out());
    }

    @Test
    void importStopsOnABadRecordUnlessSkipping() throws Exception {
        String in = Fixtures.path("import/mcq/medmcqa.jsonl").toString();
        Path out = tmp.resolve("stop");
        Run stop = run("data", "import", "--format", "mcq", "--input", in, "--out", out.toString());
        assertEquals(1, stop.code());
        assertTrue(stop.err().contains("error: " + in + ":2: cop: is 7, outside 1..4"), stop.err());
        JsonNode card = Records.MAPPER.readTree(out.resolve("dataset.json").toFile());
        assertTrue(card.get("status").asText().startsWith("incomplete"), card.toString());
        assertEquals(1, card.get("records").asInt(), "the good record before the bad one is kept");
        assertTrue(Files.isRegularFile(out.resolve("data-00000.jsonl")));

        Path out2 = tmp.resolve("skip");
        Run skip = run("data", "import", "--format", "mcq", "--input", in, "--out", out2.toString(), "--skip-bad", "--licence", "MIT");
        assertEquals(0, skip.code(), skip.err());
        assertTrue(skip.err().contains("imported 1 record(s), 0 image(s)") && skip.err().contains("skipped 1 bad record(s)"), skip.err());
        String readme = Files.readString(out2.resolve("README.md"));
        assertTrue(readme.contains("| licence | MIT |") && readme.contains("MedMCQA"), readme);
        assertEquals(0, run("data", "validate", out2.toString()).code());
    }

    @Test
    void synthWritesAValidDataset() throws Exception {
        Path out = tmp.resolve("syn");
        Run r = run("data", "synth", "--cases", "5", "--seed", "3", "--lang", "zh", "--out", out.toString(), "--threads", "1");
        assertEquals(0, r.code(), r.err());
        assertTrue(r.err().contains("synth: 5 cases"), r.err());
        assertEquals(0, run("data", "validate", out.toString()).code());
        Run again = run("data", "synth", "--cases", "5", "--seed", "3", "--out", out.toString());
        assertEquals(1, again.code());
        assertTrue(again.err().contains("--overwrite"), again.err());
        Run badLang = run("data", "synth", "--cases", "5", "--lang", "fr", "--out", tmp.resolve("x").toString());
        assertEquals(1, badLang.code());
        assertTrue(badLang.err().contains("--lang must be one of"), badLang.err());
    }

    @Test
    void aFailedImportCreatesNothing() throws Exception {
        Path out = tmp.resolve("a/b/out");
        Run missing = run("data", "import", "--format", "sharegpt", "--input", tmp.resolve("nope.json").toString(), "--out", out.toString());
        assertEquals(1, missing.code());
        assertTrue(missing.err().contains("error: --input " + tmp.resolve("nope.json") + ": no such file or directory"), missing.err());
        assertFalse(Files.exists(tmp.resolve("a")), "nothing created for a missing input");

        Path bad = tmp.resolve("bad.jsonl");
        Files.writeString(bad, "{\"conversations\": [ {\"from\": \"human\" \"value\": \"x\"}]}\n");
        Run broken = run("data", "import", "--format", "sharegpt", "--input", bad.toString(), "--out", out.toString());
        assertEquals(1, broken.code());
        assertTrue(broken.err().contains("nothing was written"), broken.err());
        assertFalse(Files.exists(tmp.resolve("a")), "a run that wrote no record leaves no folder behind");

        Path existing = Files.createDirectories(tmp.resolve("existing"));
        Files.writeString(existing.resolve("notes.txt"), "mine");
        assertEquals(1, run("data", "import", "--format", "sharegpt", "--input", bad.toString(), "--out", existing.toString()).code());
        try (var files = Files.list(existing)) {
            assertEquals(java.util.List.of(existing.resolve("notes.txt")), files.toList(), "an existing folder is left as it was");
        }
    }

    @Test
    void outputThatCannotBeCreatedSaysWhy() throws Exception {
        Path file = Files.writeString(tmp.resolve("file"), "x");
        Run r = run("data", "synth", "--cases", "2", "--out", file.resolve("sub").toString());
        assertEquals(1, r.code());
        assertTrue(r.err().contains("error: --out " + file.resolve("sub") + ": cannot be created: " + file + " is a file, not a folder"), r.err());
        Run shard = run("data", "synth", "--cases", "2", "--shard-size", "0", "--out", tmp.resolve("s").toString());
        assertTrue(shard.err().contains("error: --shard-size must be >= 1, got 0"), shard.err());
        assertFalse(Files.exists(tmp.resolve("s")));
    }

    @Test
    void aFolderOfDatasetsValidatesEachAgainstItsOwnRoot() throws Exception {
        Path all = tmp.resolve("all");
        assertEquals(0, run("data", "synth", "--cases", "3", "--seed", "1", "--out", all.resolve("a").toString(), "--threads", "1").code());
        assertEquals(0, run("data", "synth", "--cases", "3", "--seed", "1", "--out", all.resolve("b").toString(), "--threads", "1").code());
        Run ok = run("data", "validate", all.toString(), "--quiet");
        assertEquals(0, ok.code(), ok.out() + ok.err());
        assertTrue(ok.err().contains("ok: 6 records") && ok.err().contains("across 2 datasets"), ok.err());
        // the same ids in two datasets are not duplicates; a missing image is named against its own dataset
        Path shard = all.resolve("b/data-00000.jsonl");
        JsonNode first = Records.MAPPER.readTree(Files.readAllLines(shard).getFirst());
        String img = first.get("images").get(0).get("path").asText();
        Files.delete(all.resolve("b").resolve(img));
        Run bad = run("data", "validate", all.toString(), "--quiet");
        assertEquals(1, bad.code());
        assertEquals(shard + ":1: images[0].path: image file '" + img + "' does not exist under " + all.resolve("b").toAbsolutePath(),
                bad.out().strip());
    }

    @Test
    void anEmptyDatasetValidatesWithAWarningAndIsNotBenchmarked() throws Exception {
        Path in = Files.writeString(tmp.resolve("bad.jsonl"), "{\"conversations\": []}\n");
        Path empty = tmp.resolve("empty");
        Run imp = run("data", "import", "--format", "sharegpt", "--input", in.toString(), "--out", empty.toString(), "--skip-bad");
        assertEquals(0, imp.code(), imp.err());
        Run v = run("data", "validate", empty.toString(), "--quiet");
        assertEquals(0, v.code(), v.err());
        assertTrue(v.err().contains("warning: " + empty.toAbsolutePath() + ": the dataset holds no records"), v.err());
        assertTrue(v.err().contains("ok: 0 records"), v.err());

        Run notADataset = run("data", "validate", Files.createDirectory(tmp.resolve("nothing")).toString());
        assertEquals(1, notADataset.code());
        assertTrue(notADataset.out().contains("not a dataset: no *.jsonl shards and no dataset.json"), notADataset.out());

        String model = ai.pulsemind.model.io.OracleFixtures.path("tiny-tied-f32").toString();
        for (int i = 0; i < 2; i++) { // without shards, then with an empty one
            if (i == 1) Files.writeString(empty.resolve("data-00000.jsonl"), "\n");
            Run b = run("bench", "loader", "--data", empty.toString(), "--model", model, "--json");
            assertEquals(1, b.code(), b.out());
            assertEquals("", b.out(), "no figure printed");
            assertTrue(b.err().contains("error: --data " + empty + ": the dataset holds no records; nothing to time"), b.err());
        }
    }
}
