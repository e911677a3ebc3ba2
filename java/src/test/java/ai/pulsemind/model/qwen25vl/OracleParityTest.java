package ai.pulsemind.model.qwen25vl;

import ai.pulsemind.autograd.Ops;
import ai.pulsemind.backend.cpu.ReferenceBackend;
import ai.pulsemind.model.generate.GenerationConfig;
import ai.pulsemind.model.generate.Generator;
import ai.pulsemind.model.io.OracleFixtures;
import ai.pulsemind.model.io.Qwen25VlCheckpoint;
import ai.pulsemind.model.io.SafetensorsFile;
import ai.pulsemind.tensor.AllocationScope;
import ai.pulsemind.tensor.GradMode;
import ai.pulsemind.tensor.Tensor;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.IOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import static ai.pulsemind.testing.Close.assertClose;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;

/**
 * Our Qwen2.5-VL against Hugging Face transformers 5.18 (fixtures from tools/oracle): M-RoPE positions, vision
 * embeddings, logits, 20 greedy tokens, and the loss with its gradients.
 *
 * <p>Tolerances. Both sides compute in F32 (the bf16 checkpoint's weights are widened exactly on both sides), so
 * differences come from summation order only: ~1e-6 relative per dot product, growing through 2 layers and the
 * vision tower to ~1e-5 on logits of magnitude ~1. LOGIT_ATOL = 1e-4 with LOGIT_RTOL = 1e-4 keeps a 10× margin; a
 * wrong op (a missed bias, a rotary sign, a window permutation) moves logits by O(0.1). Greedy ids must match
 * exactly: the oracle recorded the smallest top-1/top-2 gap (≥ 0.036), far above these differences.
 */
class OracleParityTest {
    static final double LOGIT_ATOL = 1e-4, LOGIT_RTOL = 1e-4;
    static final double GRAD_ATOL = 1e-5, GRAD_RTOL = 1e-3;

    private final ReferenceBackend be = new ReferenceBackend();
    private final Ops ops = new Ops(be);

    private static JsonNode json(String rel) throws IOException {
        return new ObjectMapper().readTree(OracleFixtures.path(rel).toFile());
    }

    private static int[] ints(JsonNode a) {
        int[] out = new int[a.size()];
        for (int i = 0; i < out.length; i++) out[i] = a.get(i).asInt();
        return out;
    }

    private static JsonNode prompt(String name) throws IOException {
        for (JsonNode p : json("prompts/prompts.json").get("prompts")) if (p.get("name").asText().equals(name)) return p;
        throw new AssertionError("no oracle prompt " + name);
    }

    /** The prompt's ids and, from the committed pixel values, its images. */
    private static Qwen25VL.Sequence sequence(JsonNode p, SafetensorsFile pixels) {
        List<int[]> grids = new ArrayList<>();
        for (JsonNode g : p.get("image_grid_thw")) grids.add(ints(g));
        List<Qwen25VL.Image> images = new ArrayList<>();
        if (!grids.isEmpty()) {
            Tensor all = pixels.tensor(p.get("name").asText() + ".pixel_values");
            int at = 0;
            for (int[] g : grids) {
                int n = g[0] * g[1] * g[2];
                images.add(new Qwen25VL.Image(all.narrow(0, at, n), g));
                at += n;
            }
        }
        return new Qwen25VL.Sequence(ints(p.get("input_ids")), images);
    }

    @Test
    void ropeIndexMatchesGetRopeIndex() throws IOException {
        for (JsonNode p : json("prompts/prompts.json").get("prompts")) {
            List<int[]> grids = new ArrayList<>();
            for (JsonNode g : p.get("image_grid_thw")) grids.add(ints(g));
            int[] ids = ints(p.get("input_ids"));
            RopeIndex r = RopeIndex.of(ids, 524, grids, 2);
            JsonNode pos = p.get("position_ids");
            int[] expect = new int[3 * ids.length];
            for (int a = 0; a < 3; a++) System.arraycopy(ints(pos.get(a)), 0, expect, a * ids.length, ids.length);
            assertArrayEquals(expect, r.positions(), p.get("name").asText());
            assertEquals(p.get("rope_delta").asInt(), r.next() - ids.length, p.get("name").asText() + " rope delta");
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"tiny-tied-f32", "tiny-untied-bf16", "tiny-untied-f32-sharded"})
    void logitsImageEmbeddingsAndGreedyIdsMatchTransformers(String name) throws IOException {
        JsonNode expected = json(name + "/expected/expected.json");
        try (Qwen25VlCheckpoint ckpt = Qwen25VlCheckpoint.open(OracleFixtures.path(name));
             SafetensorsFile pixels = SafetensorsFile.open(OracleFixtures.path("prompts/pixel_values.safetensors"));
             SafetensorsFile want = SafetensorsFile.open(OracleFixtures.path(name + "/expected/logits.safetensors"))) {
            Qwen25VL model = Qwen25VL.load(be, ckpt);
            for (JsonNode out : expected.get("outputs")) {
                String prompt = out.get("prompt").asText(), what = name + "/" + prompt;
                Qwen25VL.Sequence seq = sequence(prompt(prompt), pixels);
                try (var g = GradMode.disabled(); var s = AllocationScope.open()) {
                    if (!seq.images().isEmpty()) {
                        Tensor pix = seq.images().size() == 1 ? seq.images().get(0).pixels()
                                : ops.cat(0, seq.images().stream().map(Qwen25VL.Image::pixels).toArray(Tensor[]::new));
                        Tensor emb = model.vision().forward(ops, pix, seq.images().stream().map(Qwen25VL.Image::grid).toList());
                        assertClose(what + " image embeddings", emb, want.tensor(prompt + ".image_embeds"), LOGIT_ATOL, LOGIT_RTOL);
                    }
                    int[] rows = ints(out.get("logits_rows"));
                    Tensor hidden = model.forward(ops, List.of(seq), null).narrow(0, rows[0], rows[1] - rows[0]);
                    Tensor logits = model.logits(ops, ops.narrow(hidden, 0, 0, rows[1] - rows[0]));
                    assertClose(what + " logits rows " + Arrays.toString(rows), logits, want.tensor(prompt + ".logits"), LOGIT_ATOL, LOGIT_RTOL);
                }
                int[] greedy = ints(out.get("greedy_new_ids"));
                var gen = new Generator(model, ops).generate(List.of(seq), GenerationConfig.greedy(greedy.length), null);
                assertArrayEquals(greedy, gen.get(0).newIds(), what + " greedy ids");
            }
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"tiny-tied-f32", "tiny-untied-f32-sharded"})
    void lossAndGradientsMatchTransformers(String name) throws IOException {
        JsonNode spec = json(name + "/expected/expected.json").get("gradients");
        try (Qwen25VlCheckpoint ckpt = Qwen25VlCheckpoint.open(OracleFixtures.path(name));
             SafetensorsFile pixels = SafetensorsFile.open(OracleFixtures.path("prompts/pixel_values.safetensors"));
             SafetensorsFile want = SafetensorsFile.open(OracleFixtures.path(name + "/expected/grads.safetensors"));
             var s = AllocationScope.open()) {
            Qwen25VL model = Qwen25VL.load(be, ckpt);
            List<String> params = new ArrayList<>();
            spec.get("params").forEach(n -> params.add(n.asText()));
            for (String p : params) model.params().get(p).requiresGrad(true);
            Qwen25VL.Sequence seq = sequence(prompt(spec.get("prompt").asText()), pixels);
            // labels = ids with image pads ignored, shifted by one: position i predicts token i+1
            int[] ids = seq.ids(), targets = new int[ids.length];
            for (int i = 0; i < ids.length; i++) targets[i] = i + 1 < ids.length && ids[i + 1] != model.imageTokenId() ? ids[i + 1] : -1;
            long counted = Arrays.stream(targets).filter(t -> t >= 0).count();
            Tensor logp = ops.logprob(model.forward(ops, List.of(seq), null), model.text().head(), Tensor.ofInts(targets, targets.length), 1f);
            Tensor loss = ops.scale(ops.sum(logp), -1f / counted);
            assertEquals(spec.get("loss").asDouble(), loss.item(), 1e-5 * Math.abs(spec.get("loss").asDouble()), name + " loss");
            ops.backward(loss);
            for (String p : params) {
                Tensor g = model.params().get(p).grad();
                assertNotNull(g, p + " got no gradient");
                Tensor ref = want.tensor(p);
                assertClose(name + " grad " + p, g.toFloatArray(), ref.toFloatArray(), GRAD_ATOL, GRAD_RTOL);
            }
        }
    }
}
