package ai.pulsemind.train;

import ai.pulsemind.testing.CliRun;
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
import java.util.Map;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code pulsemind train sft} through the command line, on a micro model made by {@code model init}: the flags and a
 * {@code --config} file reach the run (flags over the file over the defaults, resolved in {@code RUN/config.json}), the
 * schedule the flags ask for is the one logged, metrics lines carry TRL's names, evaluations and checkpoints come
 * at {@code --eval-every}/{@code --save-every}, {@code --resume --deterministic} continues a cut-off run to the
 * uninterrupted run's bytes, and bad settings are refused in one line naming the key or flag.
 */
class SftCommandTest {
    static final ObjectMapper JSON = new ObjectMapper();
    @TempDir static Path tmp;
    static Path data, model;

    @BeforeAll
    static void setUp() {
        data = tmp.resolve("data");
        model = tmp.resolve("model");
        CliRun.Result synth = CliRun.run("data", "synth", "--cases", "24", "--seed", "3", "--lang", "en", "--out", data.toString(), "--threads", "1");
        assertEquals(0, synth.code(), synth.err());
        CliRun.Result init = CliRun.run("model", "init", "--shape", "micro", "--data", data.toString(), "--out", model.toString());
        assertEquals(0, init.code(), init.err());
    }

    /** Every flag the command is documented with, except --config/--resume (added by the caller). */
    static List<String> args(Path out, String... more) {
        List<String> a = new ArrayList<>(List.of("train", "sft", "--model", model.toString(), "--data", data.toString(),
                "--out", out.toString(), "--lora-r", "4", "--lora-alpha", "8", "--lr", "5e-3", "--batch-size", "2",
                "--grad-accum", "2", "--max-steps", "4", "--warmup", "2", "--seed", "5", "--deterministic",
                "--eval-every", "2", "--save-every", "2", "--device", "cpu-reference", "--threads", "1", "--max-length", "256"));
        a.addAll(List.of(more));
        return a;
    }

    /** The arguments with {@code flag}'s value replaced. */
    static String[] with(List<String> args, String flag, String value) {
        List<String> a = new ArrayList<>(args);
        a.set(a.indexOf(flag) + 1, value);
        return a.toArray(String[]::new);
    }

    static List<JsonNode> metrics(Path run) throws IOException {
        List<JsonNode> out = new ArrayList<>();
        for (String line : Files.readAllLines(run.resolve("metrics.jsonl"))) if (!line.isBlank()) out.add(JSON.readTree(line));
        return out;
    }

    @Test
    void flagsAndConfigFileReachTheRunAndResumeIsBitForBit() throws IOException {
        Path cfg = tmp.resolve("sft.json");
        // lr and lora-alpha are overridden by flags; schedule, weight-decay and unigram-baseline come from the file only
        Files.writeString(cfg, "{\"lr\": 1.0, \"lora-alpha\": 64, \"schedule\": \"linear\", \"weight-decay\": 0.01, \"unigram_baseline\": false}\n");
        Path run = tmp.resolve("run");
        List<String> a = args(run, "--config", cfg.toString());
        CliRun.Result r = CliRun.run(a.toArray(String[]::new));
        assertEquals(0, r.code(), r.err());
        assertTrue(r.err().contains("train sft: 4 steps"), r.err());

        JsonNode c = JSON.readTree(run.resolve("config.json").toFile());
        Map<String, Object> want = Map.of("lora-r", 4, "lora-alpha", 8.0, "lr", 5e-3, "batch-size", 2, "grad-accum", 2,
                "max-steps", 4, "warmup", "2", "seed", 5, "deterministic", true, "eval-every", 2);
        want.forEach((k, v) -> assertEquals(v.toString(), c.get(k).asText(), "config.json " + k));
        assertEquals(2, c.get("save-every").asInt());
        assertEquals("linear", c.get("schedule").asText(), "from the config file");
        assertEquals(0.01, c.get("weight-decay").asDouble(), 1e-9, "from the config file");
        assertEquals(false, c.get("unigram-baseline").asBoolean(), "from the config file (snake_case key)");

        List<JsonNode> lines = metrics(run);
        List<JsonNode> train = lines.stream().filter(n -> n.has("loss")).toList(), eval = lines.stream().filter(n -> n.has("eval_loss")).toList();
        assertEquals(4, train.size(), "one line per step at --log-every 1");
        double[] lr = {0, 2.5e-3, 5e-3, 2.5e-3}; // 2 warm-up steps to 5e-3, then linear to 0 at step 4
        long tokens = 0;
        for (int i = 0; i < 4; i++) {
            JsonNode n = train.get(i);
            for (String k : List.of("loss", "grad_norm", "learning_rate", "epoch", "step", "num_tokens", "tokens_per_second"))
                assertTrue(n.has(k), "metrics line " + i + " lacks " + k + ": " + n);
            assertEquals(i + 1, n.get("step").asInt());
            assertEquals(lr[i], n.get("learning_rate").asDouble(), 1e-12, "learning_rate at step " + (i + 1));
            assertTrue(n.get("num_tokens").asLong() > tokens, "num_tokens grows");
            tokens = n.get("num_tokens").asLong();
            assertTrue(n.get("loss").asDouble() > 0 && n.get("tokens_per_second").asDouble() > 0, n.toString());
        }
        assertEquals(List.of(0, 2, 4), eval.stream().map(n -> n.get("step").asInt()).toList(), "eval before training and at --eval-every 2");
        assertTrue(eval.stream().allMatch(n -> n.get("eval_loss").asDouble() > 0));
        Path ck = run.resolve("checkpoints");
        try (Stream<Path> s = Files.list(ck)) {
            assertEquals(List.of("latest", "step-000002", "step-000004"), s.map(p -> p.getFileName().toString()).sorted().toList());
        }
        JsonNode adapter = JSON.readTree(ck.resolve("latest/adapter_config.json").toFile());
        assertEquals(4, adapter.get("r").asInt());
        assertEquals(8.0, adapter.get("lora_alpha").asDouble());

        // cut the run off after step 2 and resume it from the command line
        Path cut = tmp.resolve("cut");
        copyTree(run, cut);
        Path cutCk = cut.resolve("checkpoints");
        Checkpoints.deleteTree(cutCk.resolve(Checkpoints.name(4)));
        Files.delete(cutCk.resolve(Checkpoints.LATEST));
        Files.createSymbolicLink(cutCk.resolve(Checkpoints.LATEST), Path.of(Checkpoints.name(2)));
        List<String> resume = args(cut, "--config", cfg.toString(), "--resume");
        CliRun.Result r2 = CliRun.run(resume.toArray(String[]::new));
        assertEquals(0, r2.code(), r2.err());
        for (String f : List.of(PeftAdapter.WEIGHTS, Trainer.OPTIMIZER))
            assertArrayEquals(Files.readAllBytes(ck.resolve("step-000004/" + f)), Files.readAllBytes(cutCk.resolve("step-000004/" + f)),
                    f + ": 2 steps + resume + 2 steps differs from 4 steps");
        List<JsonNode> resumed = metrics(cut);
        assertEquals(lines.size(), resumed.size(), "metrics lines after resume");
        for (int i = 0; i < lines.size(); i++)
            if (lines.get(i).has("loss")) assertEquals(lines.get(i).get("loss"), resumed.get(i).get("loss"), "loss line " + i);
    }

    @Test
    void badSettingsAreRefusedInOneLineNamingThem() throws IOException {
        Path cfg = tmp.resolve("bad.yaml");
        Files.writeString(cfg, "lora_rank: 8\n");
        CliRun.Result r = CliRun.run(args(tmp.resolve("bad1"), "--config", cfg.toString()).toArray(String[]::new));
        assertEquals(1, r.code(), r.err());
        assertTrue(r.err().strip().startsWith("error: ") && r.err().contains("lora_rank") && r.err().strip().lines().count() == 1, r.err());
        CliRun.Result b = CliRun.run(with(args(tmp.resolve("bad2")), "--batch-size", "0"));
        assertEquals(1, b.code(), b.err());
        assertTrue(b.err().contains("--batch-size must be >= 1, got 0"), b.err());
        CliRun.Result w = CliRun.run(with(args(tmp.resolve("bad3")), "--warmup", "lots"));
        assertEquals(1, w.code(), w.err());
        assertTrue(w.err().contains("--warmup takes steps (10) or a ratio (0.03), got 'lots'"), w.err());
    }

    /** The example config the README points to is a valid one. */
    @Test
    void exampleConfigResolves() {
        Path example = Stream.of("datasets/configs/sft-tiny.json", "../datasets/configs/sft-tiny.json").map(Path::of)
                .filter(Files::isRegularFile).findFirst().orElseThrow(() -> new AssertionError("datasets/configs/sft-tiny.json not found"));
        SftConfig c = SftConfig.resolve(example, Map.of("model", "m", "data", "d", "out", "o")).requirePaths();
        assertEquals(16, c.loraR());
        assertEquals(3, c.epochs());
        assertEquals("0.03", c.warmup());
    }

    static void copyTree(Path from, Path to) throws IOException {
        try (Stream<Path> s = Files.walk(from)) {
            for (Path p : s.toList()) {
                Path d = to.resolve(from.relativize(p).toString());
                if (Files.isSymbolicLink(p)) Files.createSymbolicLink(d, Files.readSymbolicLink(p));
                else if (Files.isDirectory(p)) Files.createDirectories(d);
                else Files.copy(p, d);
            }
        }
    }
}
