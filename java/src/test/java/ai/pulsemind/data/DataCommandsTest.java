package ai.pulsemind.data;

import ai.pulsemind.cli.Main;
import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.*;

/** The `data` commands end to end through the CLI entry point: exit codes and what they print. */
class DataCommandsTest {
    @TempDir Path tmp;

    record Run(int code, String out, String err) {}

    static synchronized Run run(String... args) {
        PrintStream o = System.out, e = System.err;
        ByteArrayOutputStream out = new ByteArrayOutputStream(), err = new ByteArrayOutputStream();
        try {
            System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
            System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
            int code = Main.run(args);
            return new Run(code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
        } finally {
            System.setOut(o);
            System.setErr(e);
        }
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
}
