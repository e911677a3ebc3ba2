package ai.pulsemind.cli;

import ai.pulsemind.model.io.OracleFixtures;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@code pulsemind eval public} end to end: a real local checkpoint (the tiny oracle model) on every task's sample. */
class EvalPublicCommandTest {
    static final String SAMPLES = Path.of("..", "datasets", "samples", "public").toString();
    static final ObjectMapper M = new ObjectMapper();

    static GenerateCommandTest.Run run(String... args) { return GenerateCommandTest.run(args); }

    @Test
    void everyTaskRunsOnALocalCheckpointAndResumes(@TempDir Path tmp) throws Exception {
        String model = OracleFixtures.path("tiny-untied-f32-sharded").toString();
        Path out = tmp.resolve("run");
        String[] args = {"eval", "public", "--model", model, "--task", "all", "--data", SAMPLES, "--out", out.toString(), "--limit", "1",
                "--max-new-tokens", "6", "--batch", "4", "--device", "cpu-reference", "--threads", "2", "--shots", "1"};
        GenerateCommandTest.Run r = run(args);
        assertEquals(0, r.code(), r.err());
        JsonNode s = M.readTree(out.resolve("summary.json").toFile());
        assertEquals(9, s.get("tasks").size());
        long failed = s.get("counts").get("failed").asLong();
        List<String> lines = Files.readAllLines(out.resolve("predictions.jsonl"));
        assertEquals(9 - failed, lines.size(), "one prediction per question the model did not fail on");
        JsonNode p = M.readTree(lines.getFirst());
        assertEquals(3, p.get("prompt").size(), "one shot: user, assistant, then the question");
        assertTrue(r.out().contains("MedQA") && r.out().contains("95% CI"), r.out());
        assertTrue(r.err().contains("eval public:") && r.err().contains("/s"), "progress with a rate: " + r.err());
        JsonNode cfg = M.readTree(out.resolve("config.json").toFile());
        assertEquals(1, cfg.get("shots").asInt());
        assertTrue(cfg.get("model").asText().startsWith("local:"));

        GenerateCommandTest.Run again = run(args);
        assertEquals(0, again.code(), again.err());
        assertTrue(again.err().contains("reused " + (9 - failed)), again.err());
    }

    @Test
    void scoresRecordedReplies(@TempDir Path tmp) throws Exception {
        Path replies = tmp.resolve("replies.jsonl");
        Files.writeString(replies, "{\"id\":\"pubmedqa-90000001\",\"output\":\"Yes.\"}\n{\"id\":\"pubmedqa-90000002\",\"output\":\"maybe\"}\n");
        GenerateCommandTest.Run r = run("eval", "public", "--predictions", replies.toString(), "--task", "PubMedQA", "--data", SAMPLES,
                "--out", tmp.resolve("run").toString(), "--match", "lm-eval");
        assertEquals(0, r.code(), r.err());
        JsonNode t = M.readTree(tmp.resolve("run/summary.json").toFile()).get("tasks").get(0);
        assertEquals(0.5, t.get("metrics").get(0).get("estimate").asDouble(), 1e-12);
        assertEquals(1, t.get("missing_predictions").asLong());
        assertTrue(r.err().contains("1 without a reply"), r.err());
    }

    @Test
    void badFlagsGiveOneLineErrorsNamingTheFlag(@TempDir Path tmp) {
        String out = tmp.resolve("run").toString();
        assertError("give exactly one of --model", "eval", "public", "--task", "medqa", "--data", SAMPLES, "--out", out);
        assertError("--task: unknown task 'medq'", "eval", "public", "--model", "/x", "--task", "medq", "--data", SAMPLES, "--out", out);
        assertError("--model /nope: no such model directory", "eval", "public", "--model", "/nope", "--task", "medqa", "--data", SAMPLES, "--out", out);
        assertError("--match: 'strict' is not pulsemind or lm-eval", "eval", "public", "--model", "/x", "--task", "medqa", "--data", SAMPLES,
                "--out", out, "--match", "strict");
        assertError("--shots must be in 0..25", "eval", "public", "--model", "/x", "--task", "medqa", "--data", SAMPLES, "--out", out, "--shots", "-1");
        assertError("OpenAI-compatible endpoints are not connected in this build", "eval", "public", "--model",
                "openai:http://127.0.0.1:9/v1,model=m", "--task", "medqa", "--data", SAMPLES, "--out", out);
    }

    @Test
    void helpShowsEveryDefault() {
        GenerateCommandTest.Run r = run("eval", "public", "--help");
        assertEquals(0, r.code());
        for (String s : List.of("--max-new-tokens", "(default 128)", "--batch", "(default 8)", "--match", "(default pulsemind)",
                "--resamples", "(default 2000)", "--limit", "--shots", "--predictions", "MMMU-medical"))
            assertTrue(r.out().contains(s), s + " in\n" + r.out());
    }

    static void assertError(String part, String... args) {
        GenerateCommandTest.Run r = run(args);
        assertNotEquals(0, r.code());
        assertTrue(r.err().contains(part), "'" + part + "' in: " + r.err());
        assertEquals(1, r.err().strip().lines().count(), r.err());
    }
}
