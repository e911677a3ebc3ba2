package ai.pulsemind.model.qwen25vl;

import ai.pulsemind.autograd.Ops;
import ai.pulsemind.backend.cpu.ReferenceBackend;
import ai.pulsemind.model.generate.GenerationConfig;
import ai.pulsemind.model.generate.Generator;
import ai.pulsemind.tensor.AllocationScope;
import ai.pulsemind.tensor.GradMode;
import ai.pulsemind.tensor.Tensor;
import ai.pulsemind.testing.GradCheck;
import ai.pulsemind.testing.Rand;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static ai.pulsemind.testing.Close.assertClose;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;

/**
 * The model against itself (parity with transformers is in the fixture tests): cached decoding equals full
 * recomputation, a batch equals its prompts run alone, packing does not leak between sequences, and the loss
 * reaches every parameter, vision tower included.
 */
class Qwen25VLSelfConsistencyTest {
    private final ReferenceBackend be = new ReferenceBackend();
    private final Ops ops = new Ops(be);
    private final Rand rnd = new Rand(11);
    private final Map<String, Tensor> w = TinyModels.weights(TinyModels.TEXT, TinyModels.VISION, 5);
    private final Qwen25VL model = new Qwen25VL(be, TinyModels.TEXT, TinyModels.VISION, TinyModels.TIED, TinyModels.IMAGE_TOKEN, w::get);

    /** A prompt with one 1×4×4 image: (4·4)/(2·2) = 4 pad tokens. */
    private Qwen25VL.Sequence imagePrompt() {
        int p = TinyModels.IMAGE_TOKEN;
        return new Qwen25VL.Sequence(new int[] {1, 2, 3, p, p, p, p, 4, 5}, List.of(TinyModels.image(rnd, 1, 4, 4)));
    }

    /** Greedy ids by recomputing the whole sequence at every step, without a cache. */
    private int[] greedyWithoutCache(Qwen25VL.Sequence prompt, int steps) {
        List<Integer> ids = new ArrayList<>();
        for (int id : prompt.ids()) ids.add(id);
        int[] out = new int[steps];
        try (var g = GradMode.disabled()) {
            for (int s = 0; s < steps; s++) {
                try (var scope = AllocationScope.open()) {
                    int[] cur = ids.stream().mapToInt(Integer::intValue).toArray();
                    Tensor h = model.forward(ops, List.of(new Qwen25VL.Sequence(cur, prompt.images())), null);
                    float[] logits = model.logits(ops, h).toFloatArray();
                    int v = TinyModels.TEXT.vocabSize(), base = (cur.length - 1) * v, best = 0;
                    for (int j = 1; j < v; j++) if (logits[base + j] > logits[base + best]) best = j;
                    out[s] = best;
                    ids.add(best);
                }
            }
        }
        return out;
    }

    @Test
    void cachedGreedyEqualsRecomputation() {
        Qwen25VL.Sequence p = imagePrompt();
        int[] expect = greedyWithoutCache(p, 6);
        var got = new Generator(model, ops).generate(List.of(p), GenerationConfig.greedy(6), null);
        assertArrayEquals(expect, got.get(0).newIds());
    }

    @Test
    void batchEqualsPromptsAlone() {
        Qwen25VL.Sequence a = imagePrompt(), b = Qwen25VL.Sequence.text(new int[] {7, 8}), c = Qwen25VL.Sequence.text(new int[] {9, 10, 11, 12, 13});
        GenerationConfig cfg = GenerationConfig.sampling(5, 0.9f, 10, 0.95f, 123);
        Generator gen = new Generator(model, ops);
        var batch = gen.generate(List.of(a, b, c), cfg, null);
        assertArrayEquals(gen.generate(List.of(a), cfg, null).get(0).newIds(), batch.get(0).newIds());
        assertEquals(5, batch.get(1).newIds().length);
        var again = gen.generate(List.of(a, b, c), cfg, null);
        for (int i = 0; i < 3; i++) assertArrayEquals(batch.get(i).newIds(), again.get(i).newIds(), "same seed, same tokens");
    }

    @Test
    void promptLongerThanTheContextIsAClearError() {
        int[] ids = new int[TinyModels.TEXT.maxPositionEmbeddings() - 3];
        var e = org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class,
                () -> new Generator(model, ops).generate(List.of(Qwen25VL.Sequence.text(ids)), GenerationConfig.greedy(8), null));
        org.junit.jupiter.api.Assertions.assertTrue(e.getMessage().contains("exceeds the model's context of 256"), e.getMessage());
    }

    @Test
    void packedSequencesDoNotSeeEachOther() {
        Qwen25VL.Sequence a = imagePrompt(), b = Qwen25VL.Sequence.text(new int[] {7, 8, 9});
        try (var g = GradMode.disabled(); var s = AllocationScope.open()) {
            float[] packed = model.forward(ops, List.of(a, b), null).toFloatArray();
            float[] alone = model.forward(ops, List.of(b), null).toFloatArray();
            float[] tail = java.util.Arrays.copyOfRange(packed, packed.length - alone.length, packed.length);
            assertClose("sequence b packed after a vs alone", tail, alone, 1e-6, 1e-5);
        }
    }

    @Test
    void gradientsThroughVisionAndTextMatchFiniteDifferences() {
        Qwen25VL.Sequence p = imagePrompt();
        int[] targets = new int[p.ids().length];
        for (int i = 0; i < targets.length; i++) targets[i] = (i * 5 + 1) % TinyModels.TEXT.vocabSize();
        Tensor t = Tensor.ofInts(targets, targets.length);
        // the parameters as the model holds them (views of the checkpoint tensors, reshaped where needed)
        Tensor[] checked = java.util.stream.Stream.of("visual.patch_embed.proj.weight", "visual.blocks.0.attn.qkv.weight",
                "visual.blocks.1.mlp.up_proj.bias", "visual.merger.mlp.0.weight", "model.layers.1.self_attn.k_proj.weight",
                "model.embed_tokens.weight").map(model.params()::get).toArray(Tensor[]::new);
        GradCheck.check("qwen2.5-vl", ops, () -> ops.logprob(model.forward(ops, List.of(p), null), model.text().head(), t, 1f), checked);
    }

    @Test
    void lossReachesEveryParameter() {
        for (Tensor t : model.params().all().values()) t.requiresGrad(true);
        Qwen25VL.Sequence p = imagePrompt();
        try (var s = AllocationScope.open()) {
            Tensor h = model.forward(ops, List.of(p), null);
            int[] targets = new int[p.ids().length];
            for (int i = 0; i < targets.length; i++) targets[i] = (i * 7 + 3) % TinyModels.TEXT.vocabSize();
            Tensor logp = ops.logprob(h, model.text().head(), Tensor.ofInts(targets, targets.length), 1f);
            ops.backward(ops.scale(ops.mean(logp), -1f));
        }
        model.params().all().forEach((name, t) -> {
            assertNotNull(t.grad(), name + " got no gradient");
            float max = 0;
            for (float v : t.grad().toFloatArray()) max = Math.max(max, Math.abs(v));
            assertNotEquals(0f, max, name + " has an all-zero gradient");
        });
    }
}
