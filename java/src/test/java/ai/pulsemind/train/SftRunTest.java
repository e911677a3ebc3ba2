package ai.pulsemind.train;

import ai.pulsemind.backend.cpu.ReferenceBackend;
import ai.pulsemind.cli.Main;
import ai.pulsemind.model.io.Qwen25VlCheckpoint;
import ai.pulsemind.model.io.SafetensorsFile;
import ai.pulsemind.model.qwen25vl.Qwen25VL;
import ai.pulsemind.model.qwen25vl.ForwardOptions;
import ai.pulsemind.nn.ForwardMode;
import ai.pulsemind.tensor.AllocationScope;
import ai.pulsemind.tensor.GradMode;
import ai.pulsemind.tensor.Tensor;
import ai.pulsemind.tokenize.Tokenizer;
import ai.pulsemind.train.init.Merge;
import ai.pulsemind.train.init.ModelInit;
import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code train sft} end to end on a micro model made by {@code model init} from a small synthetic set: every trainable
 * parameter changes, the loss falls, k steps + resume + k steps equals 2k steps bit for bit, a NaN loss stops with
 * the last good checkpoint kept, an incompatible resume is refused by name, a checkpoint cut off half-way leaves
 * {@code latest} loadable, and the adapter merges into a plain checkpoint.
 */
class SftRunTest {
    @TempDir static Path tmp;
    static Path data, model;

    @BeforeAll
    static void setUp() throws IOException {
        data = tmp.resolve("data");
        model = tmp.resolve("model");
        assertEquals(0, Main.run("data", "synth", "--cases", "24", "--seed", "3", "--lang", "en", "--out", data.toString(), "--threads", "1"));
        ModelInit.run(ModelInit.Shape.named("micro"), data, model, 1, false);
    }

    static SftConfig cfg(Path out, String... kv) {
        Map<String, Object> m = new java.util.LinkedHashMap<>();
        m.put("model", model.toString());
        m.put("data", data.toString());
        m.put("out", out.toString());
        m.put("batch-size", 2);
        m.put("max-length", 256);
        m.put("lora-r", 4);
        m.put("lr", 5e-3);
        m.put("threads", 1);
        m.put("device", "cpu");
        m.put("unigram-baseline", false);
        for (int i = 0; i < kv.length; i += 2) m.put(kv[i], kv[i + 1]);
        return SftConfig.resolve(null, m);
    }

    @Test
    void modelInitWritesAModelOurTokenizerAndLoaderRead() throws IOException {
        Tokenizer tok = Tokenizer.fromModelDir(model);
        String text = "Hello doctor. My skin has a rash — 皮疹?";
        assertEquals(text, tok.decode(tok.encode(text)));
        assertTrue(tok.encode("Thank you, that helps.").length < "Thank you, that helps.".length(), "merges were learnt");
        assertEquals(tok.requireId("<|image_pad|>"), Qwen25VlCheckpoint.open(model).config().imageTokenId());
        for (String f : List.of("config.json", "model.safetensors", "tokenizer.json", "tokenizer_config.json", "chat_template.jinja",
                "preprocessor_config.json", "generation_config.json"))
            assertTrue(Files.isRegularFile(model.resolve(f)), f);
    }

    @Test
    void everyTrainableParameterChangesAndTheLossFalls() throws IOException {
        Path out = tmp.resolve("changes");
        SftRun.Summary s = SftRun.run(cfg(out, "max-steps", "12", "lora-dropout", "0"), null);
        assertEquals(12, s.result().steps());
        List<JsonNode> lines = new MetricsLog(out.resolve("metrics.jsonl")).read();
        double first = lines.stream().filter(n -> n.has("loss")).findFirst().orElseThrow().get("loss").asDouble();
        double lastEval = s.result().lastEvalLoss();
        assertTrue(lastEval < s.initialEvalLoss() - 0.05, "eval loss " + s.initialEvalLoss() + " -> " + lastEval);
        assertTrue(first > 0 && lines.stream().allMatch(n -> !n.has("loss") || n.has("grad_norm") && n.has("learning_rate")
                && n.has("epoch") && n.has("num_tokens")), "TRL's names on every logging line");
        try (SafetensorsFile f = SafetensorsFile.open(Checkpoints.latest(out.resolve("checkpoints")).resolve(PeftAdapter.WEIGHTS))) {
            assertEquals(2 * 7 * 2, f.tensors().size(), "A and B for 7 projections of 2 layers");
            for (String k : f.tensors().keySet()) {
                assertTrue(k.startsWith("base_model.model.model.language_model.layers."), k);
                float max = 0;
                for (float v : f.tensor(k).toFloatArray()) max = Math.max(max, Math.abs(v));
                if (k.contains("lora_B")) assertTrue(max > 0, k + " did not change from its zero init");
            }
        }
        // A changed too: compare with a fresh attach from the same seed
        try (var ck = Qwen25VlCheckpoint.open(model); var sc = AllocationScope.open()) {
            ReferenceBackend be = new ReferenceBackend();
            Qwen25VL m = Qwen25VL.load(be, ck);
            Lora init = Lora.attach(be, m, cfg(out).lora(), 42);
            Map<String, Tensor> trained = PeftAdapter.read(Checkpoints.latest(out.resolve("checkpoints")), init);
            init.tensors().forEach((k, t) -> assertFalse(java.util.Arrays.equals(t.toFloatArray(), trained.get(k).toFloatArray()), k + " unchanged"));
        }
    }

    /**
     * On the reference backend: two plain runs of the fast CPU backend were seen to differ in the last bits of an
     * eval loss on this machine (a fast-path reduction whose order varies), which the resume check would report.
     */
    @Test
    void resumedRunEqualsUninterruptedRunBitForBit() throws IOException {
        Path whole = tmp.resolve("whole"), split = tmp.resolve("split");
        SftRun.run(cfg(whole, "max-steps", "6", "deterministic", "true", "grad-accum", "2", "device", "cpu-reference", "save-every", "3"), null);
        SftRun.run(cfg(split, "max-steps", "6", "deterministic", "true", "grad-accum", "2", "device", "cpu-reference", "save-every", "3"), null);
        for (String f : List.of(PeftAdapter.WEIGHTS, Trainer.OPTIMIZER))
            assertArrayEquals(Files.readAllBytes(whole.resolve("checkpoints/step-000003/" + f)),
                    Files.readAllBytes(split.resolve("checkpoints/step-000003/" + f)), f + " differs between two runs");
        // throw away the end of the split run and resume from its step-3 checkpoint
        Path ck = split.resolve("checkpoints");
        Checkpoints.deleteTree(ck.resolve(Checkpoints.name(6)));
        Files.delete(ck.resolve(Checkpoints.LATEST));
        Files.createSymbolicLink(ck.resolve(Checkpoints.LATEST), Path.of(Checkpoints.name(3)));
        SftRun.run(cfg(split, "max-steps", "6", "deterministic", "true", "grad-accum", "2", "device", "cpu-reference", "save-every", "3", "resume", "true"), null);
        for (String f : List.of(PeftAdapter.WEIGHTS, Trainer.OPTIMIZER))
            assertArrayEquals(Files.readAllBytes(whole.resolve("checkpoints/step-000006/" + f)),
                    Files.readAllBytes(ck.resolve("step-000006/" + f)), f + " differs after resume");
        List<JsonNode> a = new MetricsLog(whole.resolve("metrics.jsonl")).read(), b = new MetricsLog(split.resolve("metrics.jsonl")).read();
        assertEquals(a.size(), b.size(), "metrics lines");
        for (int i = 0; i < a.size(); i++) if (a.get(i).has("loss")) assertEquals(a.get(i).get("loss"), b.get(i).get("loss"), "loss line " + i);
    }

    @Test
    void incompatibleResumeIsRefusedByName() throws IOException {
        Path out = tmp.resolve("incompatible");
        SftRun.run(cfg(out, "max-steps", "2"), null);
        var e = assertThrows(IllegalArgumentException.class, () -> SftRun.run(cfg(out, "max-steps", "4", "lora-r", "8", "resume", "true"), null));
        assertTrue(e.getMessage().contains("lora-r"), e.getMessage());
        var again = assertThrows(IllegalArgumentException.class, () -> SftRun.run(cfg(out, "max-steps", "4"), null));
        assertTrue(again.getMessage().contains("--resume"), again.getMessage());
    }

    @Test
    void nanLossStopsAndKeepsTheLastGoodCheckpoint() throws IOException {
        Path out = tmp.resolve("nan");
        // with no clipping an absurd rate blows the weights up within a few steps
        var e = assertThrows(Trainer.Stopped.class, () -> SftRun.run(cfg(out, "max-steps", "40", "save-every", "1", "lr", "1e12",
                "max-grad-norm", "0", "schedule", "constant", "lora-r", "0"), null));
        assertTrue(e.getMessage().contains("the last good checkpoint is"), e.getMessage());
        Path latest = Checkpoints.latest(out.resolve("checkpoints"));
        assertNotNull(latest);
        assertTrue(e.getMessage().contains(latest.getFileName().toString()), e.getMessage());
    }

    @Test
    void aCheckpointCutOffHalfWayLeavesLatestLoadable() throws IOException {
        Path root = tmp.resolve("crash");
        Checkpoints.save(root, 1, 0, d -> Files.writeString(d.resolve("a"), "one"));
        assertThrows(IOException.class, () -> Checkpoints.save(root, 2, 0, d -> {
            Files.writeString(d.resolve("a"), "tw");
            throw new IOException("killed while writing");
        }));
        assertEquals("one", Files.readString(Checkpoints.latest(root).resolve("a")));
        assertTrue(Files.isDirectory(root.resolve(".tmp-step-000002")), "the partial checkpoint is only a temporary");
        Checkpoints.save(root, 3, 1, d -> Files.writeString(d.resolve("a"), "three"));
        assertFalse(Files.exists(root.resolve(".tmp-step-000002")), "temporaries are swept at the next save");
        assertEquals(List.of(root.resolve("step-000003")), Checkpoints.list(root), "keep = 1 prunes older checkpoints");
    }

    @Test
    void mergedCheckpointEqualsBasePlusAdapter() throws IOException {
        Path out = tmp.resolve("merge-run");
        SftRun.run(cfg(out, "max-steps", "3"), null);
        Path adapter = Checkpoints.latest(out.resolve("checkpoints")), merged = tmp.resolve("merged");
        ReferenceBackend be = new ReferenceBackend();
        Merge.run(be, model, adapter, merged);
        List<Qwen25VL.Sequence> seqs = List.of(Qwen25VL.Sequence.text(new int[] {5, 9, 33, 70, 2, 11}));
        try (var a = Qwen25VlCheckpoint.open(model); var b = Qwen25VlCheckpoint.open(merged); var g = GradMode.disabled();
             var s = AllocationScope.open()) {
            Qwen25VL base = Qwen25VL.load(be, a);
            PeftAdapter.attach(adapter, be, base);
            float[] want = base.forward(new ai.pulsemind.autograd.Ops(be), seqs, ForwardOptions.of(ForwardMode.INFERENCE)).toFloatArray();
            float[] got = Qwen25VL.load(be, b).forward(new ai.pulsemind.autograd.Ops(be), seqs, null).toFloatArray();
            for (int i = 0; i < want.length; i++) assertEquals(want[i], got[i], 1e-4 + 1e-4 * Math.abs(want[i]), "hidden " + i);
        }
    }

    @Test
    void configFileIsOverriddenByFlagsAndUnknownKeysNamed() throws IOException {
        Path yaml = tmp.resolve("c.yaml");
        Files.writeString(yaml, "lora_r: 8\nlr: 0.001\nwarmup: 0.1\nlora-targets: q,v\n");
        SftConfig c = SftConfig.resolve(yaml, Map.of("lr", 0.5));
        assertEquals(8, c.loraR());
        assertEquals(0.5, c.lr());
        assertEquals("0.1", c.warmup());
        assertEquals(List.of("q", "v"), c.loraTargets());
        Files.writeString(yaml, "lora_rank: 8\n");
        var e = assertThrows(IllegalArgumentException.class, () -> SftConfig.resolve(yaml, Map.of()));
        assertTrue(e.getMessage().contains("lora_rank"), e.getMessage());
        var bad = assertThrows(IllegalArgumentException.class, () -> SftConfig.resolve(null, Map.of("batch-size", 0)));
        assertTrue(bad.getMessage().contains("--batch-size"), bad.getMessage());
    }
}
