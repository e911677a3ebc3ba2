package ai.pulsemind.cli;

import ai.pulsemind.model.io.OracleFixtures;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@code pulsemind eval consult} end to end: real local checkpoints on imported benchmark files and the synthetic sample. */
class EvalConsultCommandTest {
    static final Path IMPORTS = Path.of("..", "datasets", "samples", "import");
    static final ObjectMapper M = new ObjectMapper();

    @Test
    void twoLocalCheckpointsOnImportedMedDiagnoseAndCmtMedQa(@TempDir Path tmp) throws Exception {
        Path md = tmp.resolve("md"), cmt = tmp.resolve("cmt");
        GenerateCommandTest.Run imp = GenerateCommandTest.run("data", "import", "--format", "pulsemind-meddiagnose", "--input",
                IMPORTS.resolve("meddiagnose/meddiagnose.csv").toString(), "--images", IMPORTS.resolve("meddiagnose/images").toString(), "--out", md.toString());
        assertEquals(0, imp.code(), imp.err());
        imp = GenerateCommandTest.run("data", "import", "--format", "cmtmedqa", "--input", IMPORTS.resolve("cmtmedqa/cmtmedqa.json").toString(), "--out", cmt.toString());
        assertEquals(0, imp.code(), imp.err());
        String a = OracleFixtures.path("tiny-untied-f32-sharded") + ",name=base", b = OracleFixtures.path("tiny-tied-f32") + ",name=tuned";
        for (Path data : new Path[] {md, cmt}) {
            Path out = tmp.resolve("run-" + data.getFileName());
            String[] args = {"eval", "consult", "--model", a, "--model", b, "--baseline", b, "--data", data.toString(), "--judge", "rubric",
                    "--out", out.toString(), "--max-cases", "1", "--max-new-tokens", "4", "--device", "cpu-reference", "--threads", "2", "--resamples", "50",
                    "--absolute"};
            GenerateCommandTest.Run r = GenerateCommandTest.run(args);
            assertEquals(0, r.code(), r.err());
            assertTrue(r.out().contains("base") && r.out().contains("mean win") && r.out().contains("Bradley-Terry"), r.out());
            assertTrue(r.err().contains("/s"), "progress with a rate: " + r.err());
            JsonNode s = M.readTree(out.resolve("summary.json").toFile());
            assertEquals(1, s.at("/counts/cases").asInt(), s.toString());
            assertTrue(s.at("/mean_win_rate").has("base"));
            assertTrue(Files.readString(out.resolve("report.html")).contains("Mean win rate"));
            GenerateCommandTest.Run again = GenerateCommandTest.run(args);
            assertEquals(0, again.code(), again.err());
            assertTrue(again.err().contains("0 consultations generated, 2 reused"), again.err());
        }
    }

    @Test
    void badFlagsNameTheFlag(@TempDir Path tmp) {
        String data = Path.of("..", "datasets", "samples", "synthetic-mini").toString(), out = tmp.resolve("r").toString();
        GenerateCommandTest.Run r = GenerateCommandTest.run("eval", "consult", "--model", "graded", "--data", data, "--judge", "rubric", "--out", out, "--mode", "live");
        assertTrue(r.code() != 0 && r.err().contains("--mode: 'live' is not replay or simulated"), r.err());
        r = GenerateCommandTest.run("eval", "consult", "--model", "/nope", "--data", data, "--judge", "rubric", "--out", out);
        assertTrue(r.code() != 0 && r.err().contains("--model /nope: no such model directory"), r.err());
        r = GenerateCommandTest.run("eval", "consult", "--model", "counterpart:zzz", "--data", data, "--judge", "rubric", "--out", out);
        assertTrue(r.code() != 0 && r.err().contains("no case has a counterpart named 'zzz'"), r.err());
    }
}
