package ai.pulsemind.train;

import ai.pulsemind.autograd.Ops;
import ai.pulsemind.backend.Backend;
import ai.pulsemind.backend.cpu.CpuBackend;
import ai.pulsemind.backend.cpu.ReferenceBackend;
import ai.pulsemind.model.io.OracleFixtures;
import ai.pulsemind.model.io.Qwen25VlCheckpoint;
import ai.pulsemind.model.io.SafetensorsFile;
import ai.pulsemind.model.qwen25vl.ForwardOptions;
import ai.pulsemind.model.qwen25vl.Qwen25VL;
import ai.pulsemind.nn.ForwardMode;
import ai.pulsemind.tensor.AllocationScope;
import ai.pulsemind.tensor.GradMode;
import ai.pulsemind.tensor.Tensor;
import ai.pulsemind.train.init.Merge;
import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static ai.pulsemind.model.io.OracleFixtures.ints;
import static ai.pulsemind.testing.Close.assertClose;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * PEFT loading our adapter gives the logits our engine gives: {@code oracle/peft-micro} is a {@code model init
 * --shape micro} checkpoint with the LoRA adapter (r 4, every B non-zero) of a 4-step {@code train sft}, and the
 * logits transformers + PEFT compute for a text prompt and a prompt with one image (tools/oracle/peft_logits_fixture.py).
 * Our forward with the adapter attached ({@link PeftAdapter#attach}, {@link ForwardMode#INFERENCE}) must give those
 * logits, and so must the {@code model merge} checkpoint with no adapter.
 *
 * <p>Tolerance: both sides compute in F32 and differ only in summation order (~1e-6 relative per dot product through
 * 2 decoder layers and one vision block, on logits below 1): {@code |ours − PEFT| ≤ 1e-5 + 1e-5·|PEFT|}. Measured
 * at most 1.7e-7 on both CPU backends, so the bound keeps a margin of 50. The adapter moves logits by about 0.75 (the
 * fixture records it), over 10^4 times the bound, and
 * the test checks that our base model (adapters off) is that far away, so an adapter that was not applied, applied
 * with the wrong scale or to the wrong projection fails.
 */
class PeftLogitsParityTest {
    static final double ATOL = 1e-5, RTOL = 1e-5;
    @TempDir Path tmp;

    static Backend backend(String name) {
        return name.equals("reference") ? new ReferenceBackend() : new CpuBackend(2);
    }

    static List<Qwen25VL.Sequence> sequence(JsonNode prompt, SafetensorsFile pixels) {
        List<Qwen25VL.Image> images = new ArrayList<>();
        for (JsonNode g : prompt.get("image_grid_thw"))
            images.add(new Qwen25VL.Image(pixels.tensor(prompt.get("name").asText() + ".pixel_values"), ints(g)));
        return List.of(new Qwen25VL.Sequence(ints(prompt.get("input_ids")), images));
    }

    static float[] logits(Backend be, Qwen25VL m, List<Qwen25VL.Sequence> seqs, ForwardMode mode) {
        Ops ops = new Ops(be);
        try (var g = GradMode.disabled(); var s = AllocationScope.open()) {
            return m.logits(ops, m.forward(ops, seqs, ForwardOptions.of(mode))).toFloatArray();
        }
    }

    static double maxDiff(float[] a, float[] b) {
        double d = 0;
        for (int i = 0; i < a.length; i++) d = Math.max(d, Math.abs((double) a[i] - b[i]));
        return d;
    }

    @ParameterizedTest
    @ValueSource(strings = {"reference", "cpu"})
    void adapterAttachedAndMergedCheckpointGivePeftLogits(String backendName) throws IOException {
        Backend be = backend(backendName);
        Path model = OracleFixtures.path("peft-micro/model"), adapter = OracleFixtures.path("peft-micro/adapter");
        JsonNode expected = OracleFixtures.json("peft-micro/expected.json");
        Path merged = tmp.resolve("merged");
        Merge.run(be, model, adapter, merged);
        try (var ck = Qwen25VlCheckpoint.open(model); var mk = Qwen25VlCheckpoint.open(merged);
             SafetensorsFile want = SafetensorsFile.open(OracleFixtures.path("peft-micro/logits.safetensors"));
             SafetensorsFile pixels = SafetensorsFile.open(OracleFixtures.path("peft-micro/pixel_values.safetensors"))) {
            Qwen25VL withAdapter = Qwen25VL.load(be, ck);
            Lora lora = PeftAdapter.attach(adapter, be, withAdapter);
            assertEquals(expected.get("lora_tensors").asInt(), lora.tensors().size(), "LoRA tensors PEFT loaded");
            Qwen25VL mergedModel = Qwen25VL.load(be, mk);
            for (JsonNode p : expected.get("prompts")) {
                String name = p.get("name").asText(), what = name + " on " + be.name();
                List<Qwen25VL.Sequence> seqs = sequence(p, pixels);
                float[] ref = want.tensor(name + ".logits").toFloatArray();
                assertEquals(ints(p.get("input_ids")).length * withAdapter.text().config().vocabSize(), ref.length, what + " logits size");

                float[] ours = logits(be, withAdapter, seqs, ForwardMode.INFERENCE);
                assertClose(what + ": adapter attached vs PEFT", ours, ref, ATOL, RTOL);

                float[] fromMerged = logits(be, mergedModel, seqs, ForwardMode.INFERENCE);
                assertClose(what + ": merged checkpoint vs PEFT", fromMerged, ref, ATOL, RTOL);

                // the adapter matters: our base model sits where PEFT's base does, far from the adapted logits
                double effect = p.get("max_adapter_effect").asDouble(), baseGap = maxDiff(logits(be, withAdapter, seqs, ForwardMode.BASE), ref);
                assertTrue(effect > 1000 * ATOL, what + ": the fixture's adapter barely moves the logits (" + effect + ")");
                assertEquals(effect, baseGap, 10 * ATOL, what + ": adapters off, our logits are as far from PEFT's adapted ones as PEFT's base");
                System.out.printf("%s: max |ours - PEFT| %.2e (attached), %.2e (merged); adapter effect %.3f%n",
                        what, maxDiff(ours, ref), maxDiff(fromMerged, ref), effect);
            }
        }
    }
}
