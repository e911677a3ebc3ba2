package ai.pulsemind.backend.cuda;

import ai.pulsemind.autograd.Ops;
import ai.pulsemind.backend.Backend;
import ai.pulsemind.model.generate.GenerationConfig;
import ai.pulsemind.model.generate.Generator;
import ai.pulsemind.model.io.Qwen25VlCheckpoint;
import ai.pulsemind.model.io.SafetensorsFile;
import ai.pulsemind.model.qwen25vl.Qwen25VL;
import ai.pulsemind.tensor.AllocationScope;
import ai.pulsemind.tensor.DType;
import ai.pulsemind.tensor.GradMode;
import ai.pulsemind.tensor.Tensor;
import com.fasterxml.jackson.databind.JsonNode;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

import static ai.pulsemind.testing.Close.assertClose;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The oracle checks of the Qwen2.5-VL model in the backend's compute dtype (BF16 on CUDA and on {@link Bf16Twin}):
 * logits and image embeddings against transformers' F32 fixtures, greedy ids, the loss and its gradients. Shared by
 * the CPU twin's test (run in CI, which predicts the GPU's numbers) and ModelGpuIT.
 *
 * <p>Tolerances (bf16), set from what {@link Bf16Twin} measured on these checkpoints (Bf16TwinModelTest prints it)
 * with a margin of about 1.5: weights, pixels and every stored activation are rounded to 8 significant bits
 * (2⁻⁹ relative), through up to 4 vision blocks and 2 decoder layers whose random weights give logits up to ±18.
 * The twin's worst deviations from transformers' F32: logits 0.25 absolute, 1.2% in relative L2 norm; image
 * embeddings 0.026, 1.2%; the loss 3e-4 relative; gradients 0.32 × their rms in the worst element, 3.9% in norm.
 * The GPU differs from the twin only by f32-instead-of-double sums and the few bf16 roundings those flip, far
 * below these. A wrong op (a missed bias, a rotary sign, a window permutation) moves the relative norms by tens of
 * percent. Greedy ids must match exactly: the twin's matched on every step, the oracle's smallest top-1/top-2 gap
 * on the way is 0.036, and they exercise the decode path (KV cache, decode attention, device sampler) besides.
 */
final class ModelChecks {
    static final double LOGIT_ATOL = 0.4, LOGIT_RTOL = 0.01, LOGIT_REL = 0.02;
    static final double EMBED_ATOL = 0.04, EMBED_RTOL = 0.01, EMBED_REL = 0.02;
    /** Parameters and their gradients are bf16 leaves: atol relative to each gradient's rms. */
    static final double GRAD_ATOL_RMS = 0.5, GRAD_RTOL = 0.05, GRAD_REL = 0.06;
    static final double LOSS_RTOL = 2e-3;

    private ModelChecks() {}

    /** ‖got − ref‖₂ / ‖ref‖₂. */
    static double relL2(float[] got, float[] ref) {
        double d = 0, r = 0;
        for (int i = 0; i < got.length; i++) {
            double e = got[i] - (double) ref[i];
            d += e * e;
            r += (double) ref[i] * ref[i];
        }
        return Math.sqrt(d / r);
    }

    static void relNorm(String what, float[] got, float[] ref, double max) {
        double rel = relL2(got, ref);
        assertTrue(rel <= max, what + ": relative L2 difference " + rel + " > " + max);
    }

    /** Largest |got − ref| seen, for the calibration printout. */
    static double maxDiff(float[] got, float[] ref) {
        double m = 0;
        for (int i = 0; i < got.length; i++) m = Math.max(m, Math.abs((double) got[i] - ref[i]));
        return m;
    }

    static float[] host(Backend be, Tensor t) {
        if (t.device().isHost() && t.dtype() == DType.F32) return t.toFloatArray();
        Tensor h = Tensor.hostEmpty(t.dtype(), t.shape());
        be.copy(t, h);
        return h.toFloatArray();
    }

    /**
     * Logits of every prompt's fixture rows, image embeddings, and greedy ids, against the fixtures; returns
     * {max logit diff, max embedding diff}.
     */
    static double[] logitsEmbeddingsAndGreedy(Backend be, String name) {
        Ops ops = new Ops(be);
        JsonNode expected = OracleCases.json(name + "/expected/expected.json");
        double maxLogit = 0, maxEmbed = 0;
        try (Qwen25VlCheckpoint ckpt = Qwen25VlCheckpoint.open(OracleCases.path(name));
             SafetensorsFile pixels = SafetensorsFile.open(OracleCases.path("prompts/pixel_values.safetensors"));
             SafetensorsFile want = SafetensorsFile.open(OracleCases.path(name + "/expected/logits.safetensors"))) {
            Qwen25VL model = Qwen25VL.load(be, ckpt);
            for (Map.Entry<String, Tensor> p : model.params().all().entrySet())
                assertEquals(be.computeDtype(), p.getValue().dtype(), name + " " + p.getKey() + " in the compute dtype");
            for (JsonNode out : expected.get("outputs")) {
                String prompt = out.get("prompt").asText(), what = name + "/" + prompt + " on " + be.name();
                Qwen25VL.Sequence seq = OracleCases.sequence(prompt, pixels);
                try (var g = GradMode.disabled(); var s = AllocationScope.open()) {
                    if (!seq.images().isEmpty()) {
                        Tensor pix = seq.images().size() == 1 ? seq.images().get(0).pixels()
                                : ops.cat(0, seq.images().stream().map(Qwen25VL.Image::pixels).toArray(Tensor[]::new));
                        Tensor emb = model.vision().forward(ops, pix, seq.images().stream().map(Qwen25VL.Image::grid).toList());
                        float[] got = host(be, emb), ref = want.tensor(prompt + ".image_embeds").toFloatArray();
                        maxEmbed = Math.max(maxEmbed, maxDiff(got, ref));
                        assertClose(what + " image embeddings", got, ref, EMBED_ATOL, EMBED_RTOL);
                        relNorm(what + " image embeddings", got, ref, EMBED_REL);
                    }
                    int[] rows = OracleCases.ints(out.get("logits_rows"));
                    Tensor hidden = model.forward(ops, List.of(seq), null);
                    Tensor part = ops.narrow(hidden, 0, rows[0], rows[1] - rows[0]);
                    Tensor logits = model.logits(ops, part);
                    assertEquals(DType.F32, logits.dtype(), "logits are F32 whatever the compute dtype");
                    float[] got = host(be, logits), ref = want.tensor(prompt + ".logits").toFloatArray();
                    maxLogit = Math.max(maxLogit, maxDiff(got, ref));
                    assertClose(what + " logits rows " + Arrays.toString(rows), got, ref, LOGIT_ATOL, LOGIT_RTOL);
                    relNorm(what + " logits", got, ref, LOGIT_REL);
                }
                int[] greedy = OracleCases.ints(out.get("greedy_new_ids"));
                var gen = new Generator(model, ops).generate(List.of(seq), GenerationConfig.greedy(greedy.length), null);
                assertArrayEquals(greedy, gen.get(0).newIds(), what + " greedy ids");
            }
        }
        return new double[] {maxLogit, maxEmbed};
    }

    /** The loss and gradients of the oracle's training case; returns {loss relative error, max grad diff / rms}. */
    static double[] lossAndGradients(Backend be, String name) {
        Ops ops = new Ops(be);
        JsonNode spec = OracleCases.json(name + "/expected/expected.json").get("gradients");
        try (Qwen25VlCheckpoint ckpt = Qwen25VlCheckpoint.open(OracleCases.path(name));
             SafetensorsFile pixels = SafetensorsFile.open(OracleCases.path("prompts/pixel_values.safetensors"));
             SafetensorsFile want = SafetensorsFile.open(OracleCases.path(name + "/expected/grads.safetensors"));
             var s = AllocationScope.open()) {
            Qwen25VL model = Qwen25VL.load(be, ckpt);
            List<String> params = new ArrayList<>();
            spec.get("params").forEach(n -> params.add(n.asText()));
            for (String p : params) model.params().get(p).requiresGrad(true);
            Qwen25VL.Sequence seq = OracleCases.sequence(spec.get("prompt").asText(), pixels);
            int[] ids = seq.ids(), targets = new int[ids.length];
            for (int i = 0; i < ids.length; i++) targets[i] = i + 1 < ids.length && ids[i + 1] != model.imageTokenId() ? ids[i + 1] : -1;
            long counted = Arrays.stream(targets).filter(t -> t >= 0).count();
            Tensor t = Tensor.ofInts(targets, targets.length);
            Tensor logp = ops.logprob(model.forward(ops, List.of(seq), null), model.text().head(),
                    be.device().isHost() ? t : be.upload(t), 1f);
            Tensor loss = ops.scale(ops.sum(logp), -1f / counted);
            double want0 = spec.get("loss").asDouble(), got0 = host(be, loss)[0];
            double lossErr = Math.abs(got0 - want0) / Math.abs(want0);
            assertEquals(want0, got0, LOSS_RTOL * Math.abs(want0), name + " loss on " + be.name());
            ops.backward(loss);
            double worst = 0;
            for (String p : params) {
                Tensor g = model.params().get(p).grad();
                assertNotNull(g, p + " got no gradient");
                float[] got = host(be, g), ref = want.tensor(p).toFloatArray();
                double rms = GpuParity.rms(ref);
                worst = Math.max(worst, maxDiff(got, ref) / rms);
                assertClose(name + " grad " + p + " on " + be.name(), got, ref, GRAD_ATOL_RMS * rms, GRAD_RTOL);
                relNorm(name + " grad " + p + " on " + be.name(), got, ref, GRAD_REL);
            }
            return new double[] {lossErr, worst};
        }
    }
}
