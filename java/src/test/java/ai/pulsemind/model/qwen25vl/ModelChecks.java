package ai.pulsemind.model.qwen25vl;

import ai.pulsemind.autograd.Ops;
import ai.pulsemind.backend.Backend;
import ai.pulsemind.model.generate.GenerationConfig;
import ai.pulsemind.model.generate.Generator;
import ai.pulsemind.model.io.OracleFixtures;
import ai.pulsemind.model.io.Qwen25VlCheckpoint;
import ai.pulsemind.model.io.SafetensorsFile;
import ai.pulsemind.tensor.AllocationScope;
import ai.pulsemind.tensor.DType;
import ai.pulsemind.tensor.GradMode;
import ai.pulsemind.tensor.Tensor;
import com.fasterxml.jackson.databind.JsonNode;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

import static ai.pulsemind.model.io.OracleFixtures.ints;
import static ai.pulsemind.testing.Close.assertClose;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The oracle checks of the Qwen2.5-VL model against transformers' F32 fixtures (tools/oracle), on any backend in its
 * compute dtype: logits and image embeddings, greedy ids (which must match exactly), the loss and its gradients.
 * The F32 CPU path (OracleParityTest), the CUDA backend's CPU twin (Bf16TwinModelTest) and the GPU (ModelGpuIT) run
 * these same checks, each with its {@link Tolerances}.
 */
public final class ModelChecks {
    private ModelChecks() {}

    /**
     * Elementwise {@code |x − ref| ≤ atol + rtol·|ref|} and, where set, the relative L2 norm ‖x − ref‖ / ‖ref‖, per
     * output; gradients' atol is {@code gradAtol} plus {@code gradAtolRms} times the reference gradient's rms.
     */
    public record Tolerances(double logitAtol, double logitRtol, double logitRel, double embedAtol, double embedRtol,
                             double embedRel, double gradAtol, double gradAtolRms, double gradRtol, double gradRel,
                             double lossRtol) {
        /**
         * F32: both sides compute in F32 (the bf16 checkpoint's weights are widened exactly on both sides), so
         * differences come from summation order only: ~1e-6 relative per dot product, growing through 2 layers and
         * the vision tower to ~1e-5 on logits of magnitude ~1. 1e-4 keeps a 10× margin; a wrong op (a missed bias, a
         * rotary sign, a window permutation) moves logits by O(0.1). The relative L2 norms measured at most 7e-7
         * (logits), 1.2e-6 (image embeddings) and 4e-6 (gradients); they are held to 1e-5, 1e-5 and 5e-5.
         */
        public static final Tolerances F32 = new Tolerances(1e-4, 1e-4, 1e-5, 1e-4, 1e-4, 1e-5, 1e-5, 0, 1e-3, 5e-5, 1e-5);

        /**
         * BF16 (the CUDA backend and its CPU twin), set from what the twin measured on these checkpoints (its test
         * prints it) with a margin of about 1.5: weights, pixels and every stored activation are rounded to 8
         * significant bits (2⁻⁹ relative), through up to 4 vision blocks and 2 decoder layers whose random weights
         * give logits up to ±18. The twin's worst deviations from transformers' F32: logits 0.25 absolute, 1.2% in
         * relative L2 norm; image embeddings 0.026, 1.2%; the loss 3e-4 relative; gradients 0.32 × their rms in the
         * worst element, 3.9% in norm. The GPU differs from the twin only by f32-instead-of-double sums and the few
         * bf16 roundings those flip, far below these. A wrong op moves the relative norms by tens of percent. Greedy
         * ids must still match exactly: the twin's matched on every step, and the oracle's smallest top-1/top-2 gap
         * on the way is 0.036.
         */
        public static final Tolerances BF16 = new Tolerances(0.4, 0.01, 0.02, 0.04, 0.01, 0.02, 0, 0.5, 0.05, 0.06, 2e-3);
    }

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

    private static void close(String what, float[] got, float[] ref, double atol, double rtol, double rel) {
        assertClose(what, got, ref, atol, rtol);
        double r = relL2(got, ref);
        assertTrue(r <= rel, what + ": relative L2 difference " + r + " > " + rel);
    }

    /** Largest |got − ref| seen, for the calibration printout. */
    static double maxDiff(float[] got, float[] ref) {
        double m = 0;
        for (int i = 0; i < got.length; i++) m = Math.max(m, Math.abs((double) got[i] - ref[i]));
        return m;
    }

    static double rms(float[] v) {
        double s = 0;
        for (float x : v) s += (double) x * x;
        return v.length == 0 ? 0 : Math.sqrt(s / v.length);
    }

    static float[] host(Backend be, Tensor t) {
        if (t.device().isHost() && t.dtype() == DType.F32) return t.toFloatArray();
        try (Tensor h = Tensor.hostEmpty(t.dtype(), t.shape())) {
            be.copy(t, h);
            return h.toFloatArray();
        }
    }

    /** The oracle prompt's ids and, from the committed pixel values, its images (host F32). */
    public static Qwen25VL.Sequence sequence(String promptName, SafetensorsFile pixels) {
        JsonNode p = OracleFixtures.prompt(promptName);
        List<int[]> grids = new ArrayList<>();
        for (JsonNode g : p.get("image_grid_thw")) grids.add(ints(g));
        List<Qwen25VL.Image> images = new ArrayList<>();
        if (!grids.isEmpty()) {
            Tensor all = pixels.tensor(promptName + ".pixel_values");
            int at = 0;
            for (int[] g : grids) {
                int n = g[0] * g[1] * g[2];
                images.add(new Qwen25VL.Image(all.narrow(0, at, n), g));
                at += n;
            }
        }
        return new Qwen25VL.Sequence(ints(p.get("input_ids")), images);
    }

    /**
     * Logits of every prompt's fixture rows, image embeddings, and greedy ids, against the fixtures, on {@code be}
     * (greedy ids through the engine, the backend's sampler); returns {max logit diff, max embedding diff}.
     */
    public static double[] logitsEmbeddingsAndGreedy(Backend be, String name, Tolerances tol) {
        Ops ops = new Ops(be);
        JsonNode expected = OracleFixtures.json(name + "/expected/expected.json");
        double maxLogit = 0, maxEmbed = 0;
        try (Qwen25VlCheckpoint ckpt = Qwen25VlCheckpoint.open(OracleFixtures.path(name));
             SafetensorsFile pixels = SafetensorsFile.open(OracleFixtures.path("prompts/pixel_values.safetensors"));
             SafetensorsFile want = SafetensorsFile.open(OracleFixtures.path(name + "/expected/logits.safetensors"))) {
            Qwen25VL model = Qwen25VL.load(be, ckpt);
            for (Map.Entry<String, Tensor> p : model.params().all().entrySet())
                assertEquals(be.computeDtype(), p.getValue().dtype(), name + " " + p.getKey() + " in the compute dtype");
            for (JsonNode out : expected.get("outputs")) {
                String prompt = out.get("prompt").asText(), what = name + "/" + prompt + " on " + be.name();
                Qwen25VL.Sequence seq = sequence(prompt, pixels);
                try (var g = GradMode.disabled(); var s = AllocationScope.open()) {
                    if (!seq.images().isEmpty()) {
                        Tensor pix = seq.images().size() == 1 ? seq.images().get(0).pixels()
                                : ops.cat(0, seq.images().stream().map(Qwen25VL.Image::pixels).toArray(Tensor[]::new));
                        Tensor emb = model.vision().forward(ops, pix, seq.images().stream().map(Qwen25VL.Image::grid).toList());
                        float[] got = host(be, emb), ref = want.tensor(prompt + ".image_embeds").toFloatArray();
                        maxEmbed = Math.max(maxEmbed, maxDiff(got, ref));
                        close(what + " image embeddings", got, ref, tol.embedAtol(), tol.embedRtol(), tol.embedRel());
                    }
                    int[] rows = ints(out.get("logits_rows"));
                    Tensor hidden = model.forward(ops, List.of(seq), null);
                    Tensor logits = model.logits(ops, ops.narrow(hidden, 0, rows[0], rows[1] - rows[0]));
                    assertEquals(DType.F32, logits.dtype(), "logits are F32 whatever the compute dtype");
                    float[] got = host(be, logits), ref = want.tensor(prompt + ".logits").toFloatArray();
                    maxLogit = Math.max(maxLogit, maxDiff(got, ref));
                    close(what + " logits rows " + Arrays.toString(rows), got, ref, tol.logitAtol(), tol.logitRtol(), tol.logitRel());
                }
                int[] greedy = ints(out.get("greedy_new_ids"));
                var gen = new Generator(model, ops).generate(List.of(seq), GenerationConfig.greedy(greedy.length), null);
                assertArrayEquals(greedy, gen.get(0).newIds(), what + " greedy ids");
            }
        }
        return new double[] {maxLogit, maxEmbed};
    }

    /**
     * The loss and gradients of the oracle's training case (labels = ids shifted by one, image pads ignored), on
     * {@code be}; returns {loss relative error, max grad diff / rms}.
     */
    public static double[] lossAndGradients(Backend be, String name, Tolerances tol) {
        Ops ops = new Ops(be);
        JsonNode spec = OracleFixtures.json(name + "/expected/expected.json").get("gradients");
        try (Qwen25VlCheckpoint ckpt = Qwen25VlCheckpoint.open(OracleFixtures.path(name));
             SafetensorsFile pixels = SafetensorsFile.open(OracleFixtures.path("prompts/pixel_values.safetensors"));
             SafetensorsFile want = SafetensorsFile.open(OracleFixtures.path(name + "/expected/grads.safetensors"));
             var s = AllocationScope.open()) {
            Qwen25VL model = Qwen25VL.load(be, ckpt);
            List<String> params = new ArrayList<>();
            spec.get("params").forEach(n -> params.add(n.asText()));
            for (String p : params) model.params().get(p).requiresGrad(true);
            Qwen25VL.Sequence seq = sequence(spec.get("prompt").asText(), pixels);
            int[] ids = seq.ids(), targets = new int[ids.length];
            for (int i = 0; i < ids.length; i++) targets[i] = i + 1 < ids.length && ids[i + 1] != model.imageTokenId() ? ids[i + 1] : -1;
            long counted = Arrays.stream(targets).filter(t -> t >= 0).count();
            Tensor t = Tensor.ofInts(targets, targets.length);
            Tensor logp = ops.logprob(model.forward(ops, List.of(seq), null), model.text().head(),
                    be.device().isHost() ? t : be.upload(t), 1f);
            Tensor loss = ops.scale(ops.sum(logp), -1f / counted);
            double want0 = spec.get("loss").asDouble(), got0 = host(be, loss)[0];
            assertEquals(want0, got0, tol.lossRtol() * Math.abs(want0), name + " loss on " + be.name());
            ops.backward(loss);
            double worst = 0;
            for (String p : params) {
                Tensor g = model.params().get(p).grad();
                assertNotNull(g, p + " got no gradient");
                float[] got = host(be, g), ref = want.tensor(p).toFloatArray();
                double r = rms(ref);
                worst = Math.max(worst, maxDiff(got, ref) / r);
                close(name + " grad " + p + " on " + be.name(), got, ref, tol.gradAtol() + tol.gradAtolRms() * r, tol.gradRtol(), tol.gradRel());
            }
            return new double[] {Math.abs(got0 - want0) / Math.abs(want0), worst};
        }
    }
}
