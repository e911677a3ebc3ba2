package ai.pulsemind.crpo;

import ai.pulsemind.cli.Main;
import ai.pulsemind.train.init.ModelInit;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code train crpo} end to end through the CLI on a micro model made by {@code model init} from a synthetic set,
 * with the rubric judge: two steps log TRL's GRPO metrics, dump the completions with their verdicts, change the
 * adapter, and 1 step + resume + 1 step logs what 2 steps in a row log.
 */
class CrpoRunTest {
    @TempDir static Path tmp;
    static Path data, model;
    static final ObjectMapper M = new ObjectMapper();

    @BeforeAll
    static void setUp() throws IOException {
        data = tmp.resolve("data");
        model = tmp.resolve("model");
        assertEquals(0, Main.run("data", "synth", "--cases", "8", "--seed", "5", "--lang", "en", "--out", data.toString(), "--threads", "1"));
        ModelInit.run(ModelInit.Shape.named("micro"), data, model, 1, false);
    }

    static int crpo(Path out, String... more) {
        List<String> a = new ArrayList<>(List.of("train", "crpo", "--model", model.toString(), "--data", data.toString(), "--judge", "rubric",
                "--out", out.toString(), "--group-size", "3", "--batch-size", "2", "--max-new-tokens", "12", "--lora-r", "4",
                "--lr", "1e-3", "--lora-dropout", "0", "--threads", "1", "--device", "cpu", "--seed", "7"));
        a.addAll(List.of(more));
        return Main.run(a.toArray(String[]::new));
    }

    static List<JsonNode> metrics(Path run) throws IOException {
        List<JsonNode> out = new ArrayList<>();
        for (String l : Files.readAllLines(run.resolve("metrics.jsonl"))) if (!l.isBlank()) out.add(M.readTree(l));
        return out;
    }

    @Test
    void twoStepsLogGrpoMetricsAndCompletionsAndResumeContinuesTheSameRun() throws IOException {
        Path straight = tmp.resolve("straight");
        assertEquals(0, crpo(straight, "--max-steps", "2"));
        List<JsonNode> ms = metrics(straight);
        assertEquals(2, ms.size());
        for (JsonNode m : ms) {
            for (String k : List.of("reward", "reward_std", "frac_reward_zero_std", "kl", "clip_ratio/low_mean", "clip_ratio/high_mean",
                    "clip_ratio/region_mean", "completions/mean_length", "completions/clipped_ratio", "entropy", "loss", "grad_norm",
                    "learning_rate", "win_rate/proactiveness", "win_rate/accuracy", "win_rate/usefulness", "win_rate/language",
                    "time/rollout", "time/judge", "time/update"))
                assertTrue(m.has(k), k + " in " + m);
            double r = m.get("reward").asDouble();
            assertTrue(r >= 0 && r <= 1, "reward " + r);
            assertTrue(m.get("completions/mean_length").asDouble() > 0);
            assertTrue(m.get("completions/mean_length").asDouble() <= 12);
            assertEquals(0, m.get("judge_failures").asLong());
        }
        // B·G = 6 samples, each judged against the counterparts that answer its prefix (one to five)
        long judged = ms.get(0).get("judged").asLong();
        assertTrue(judged >= 6 && judged <= 30 && judged % 3 == 0, "judged " + judged);
        // step 1: the fresh adapter (B = 0) is the reference and generated the samples: ratio 1, KL 0, nothing clipped;
        // the gradient is zero exactly when every group's rewards are equal
        JsonNode s1 = ms.get(0);
        assertEquals(0, s1.get("kl").asDouble(), 1e-5);
        assertEquals(0, s1.get("clip_ratio/region_mean").asDouble());
        assertEquals(s1.get("frac_reward_zero_std").asDouble() == 1.0, s1.get("grad_norm").asDouble() == 0.0, s1.toString());
        Path dump = straight.resolve("completions/step-1.jsonl");
        assertTrue(Files.isRegularFile(dump));
        List<String> lines = Files.readAllLines(dump).stream().filter(l -> !l.isBlank()).toList();
        assertEquals(6, lines.size());
        JsonNode first = M.readTree(lines.get(0));
        assertTrue(first.has("text") && first.has("reward") && first.has("advantage") && first.has("verdicts"), first.toString());
        assertFalse(first.get("verdicts").isEmpty());
        assertTrue(Files.isRegularFile(straight.resolve("checkpoints/latest/adapter_model.safetensors")));
        assertTrue(Files.isRegularFile(straight.resolve("summary.json")));
        String report = Files.readString(straight.resolve("report.html"));
        assertTrue(report.contains("reward, last quarter") && report.contains("crpo-training"), "report.html names its reward and chart");
        assertTrue(Files.isRegularFile(straight.resolve("crpo-training.png")), "the training chart is written beside the report");

        // one step, then resume for the second: the same second step as the uninterrupted run
        Path cut = tmp.resolve("cut");
        assertEquals(0, crpo(cut, "--max-steps", "1"));
        assertEquals(0, crpo(cut, "--max-steps", "2", "--resume"));
        List<JsonNode> mc = metrics(cut);
        assertEquals(2, mc.size());
        for (String k : List.of("reward", "loss", "kl", "completions/mean_length"))
            assertEquals(ms.get(1).get(k).asDouble(), mc.get(1).get(k).asDouble(), 1e-6, "step 2 " + k + " after resume");
    }

    @Test
    void severalUpdatesPerBatchResumeBetweenThemOnTheSavedSamples() throws IOException {
        Path straight = tmp.resolve("mu-straight"), cut = tmp.resolve("mu-cut");
        assertEquals(0, crpo(straight, "--max-steps", "2", "--mu", "2", "--completions-every", "0"));
        List<JsonNode> ms = metrics(straight);
        assertEquals(0, ms.get(0).get("rollout_batch").asInt());
        assertEquals(0, ms.get(1).get("rollout_batch").asInt(), "the second update reuses the first batch");
        assertEquals(0, ms.get(1).get("time/rollout").asDouble());
        assertFalse(Files.exists(straight.resolve("completions")));
        assertEquals(0, crpo(cut, "--max-steps", "1", "--mu", "2", "--completions-every", "0"));
        assertEquals(0, crpo(cut, "--max-steps", "2", "--mu", "2", "--completions-every", "0", "--resume"));
        List<JsonNode> mc = metrics(cut);
        for (String k : List.of("reward", "loss", "kl", "rollout_batch", "completions/mean_length"))
            assertEquals(ms.get(1).get(k).asDouble(), mc.get(1).get(k).asDouble(), 1e-6, "step 2 " + k + " after resume");
    }

    @Test
    void grpoAblationScoresEachSampleAndAMissingJudgeOrDataIsNamed() throws IOException {
        Path run = tmp.resolve("grpo");
        assertEquals(0, crpo(run, "--max-steps", "1", "--reward", "grpo"));
        JsonNode m = metrics(run).get(0);
        assertEquals(6, m.get("judged").asLong(), "one absolute score per sample");
        assertFalse(m.has("win_rate/accuracy"));
        assertTrue(m.get("rewards/accuracy/mean").asDouble() >= 0 && m.get("rewards/accuracy/mean").asDouble() <= 1);
        assertEquals(1, Main.run("train", "crpo", "--model", model.toString(), "--data", tmp.resolve("nowhere").toString(), "--judge", "rubric",
                "--out", tmp.resolve("bad").toString()));
        assertEquals(1, Main.run("train", "crpo", "--model", model.toString(), "--data", data.toString(), "--judge", "nosuchjudge",
                "--out", tmp.resolve("bad2").toString()));
    }
}
