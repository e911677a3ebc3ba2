package ai.pulsemind.train;

import ai.pulsemind.autograd.Ops;
import ai.pulsemind.backend.cpu.ReferenceBackend;
import ai.pulsemind.data.batch.Batch;
import ai.pulsemind.data.batch.LoaderConfig;
import ai.pulsemind.model.qwen25vl.Qwen25VL;
import ai.pulsemind.model.qwen25vl.TinyModels;
import ai.pulsemind.model.qwen25vl.ForwardOptions;
import ai.pulsemind.nn.ForwardMode;
import ai.pulsemind.tensor.AllocationScope;
import ai.pulsemind.tensor.GradMode;
import ai.pulsemind.tensor.Tensor;
import ai.pulsemind.testing.GradCheck;
import ai.pulsemind.testing.Rand;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

/**
 * The causal-LM objective: target shift within each packed sample, the loss scopes, image tokens never targets, the
 * token mean, its gradient by finite differences (through LoRA, vision and text), and LoRA's per-call switch.
 */
class ObjectiveTest {
    private static final int P = TinyModels.IMAGE_TOKEN, VS = 37, VE = 38;
    private final ReferenceBackend be = new ReferenceBackend();
    private final Ops ops = new Ops(be);
    private final Rand rnd = new Rand(3);

    private Qwen25VL model() {
        Map<String, Tensor> w = TinyModels.weights(TinyModels.TEXT, TinyModels.VISION, 5);
        return new Qwen25VL(be, TinyModels.TEXT, TinyModels.VISION, TinyModels.TIED, TinyModels.IMAGE_TOKEN, w::get);
    }

    /** Two packed samples: [1 2 VS P P P P VE 3 4 5 6] with doctor spans {3 4} and {6}; then [7 8 9] with span {9}. */
    private static Batch batch() {
        int[] tokens = {1, 2, VS, P, P, P, P, VE, 3, 4, 5, 6, 7, 8, 9};
        byte[] mask = {0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 0, 1, 0, 0, 1};
        return new Batch(LoaderConfig.Layout.PACKED, List.of("a", "b"), tokens, mask, new int[] {0, 12, 15}, 15, null,
                List.of(), new int[] {0, 0}, null);
    }

    @Test
    void targetsShiftWithinSamplesByScope() {
        CausalLm doctor = CausalLm.of(LossScope.DOCTOR, P, VS, VE), last = CausalLm.of(LossScope.LAST, P, VS, VE),
                all = CausalLm.of(LossScope.ALL, P, VS, VE);
        int x = -1;
        assertArrayEquals(new int[] {x, x, x, x, x, x, x, 3, 4, x, 6, x, x, 9, x}, doctor.targets(batch()));
        assertArrayEquals(new int[] {x, x, x, x, x, x, x, x, x, x, 6, x, x, 9, x}, last.targets(batch()));
        // all tokens but image placeholders; never across the sample boundary (row 11 predicts nothing)
        assertArrayEquals(new int[] {2, x, x, x, x, x, x, 3, 4, 5, 6, x, 8, 9, x}, all.targets(batch()));
    }

    @Test
    void lossIsTheTokenMeanAndItsGradientMatchesFiniteDifferences() {
        Qwen25VL model = model();
        Lora lora = Lora.attach(be, model, new LoraConfig(2, 4f, 0f, false, LoraConfig.ALL_TEXT, true), 9);
        for (Tensor b : lora.tensors().values()) { // B = 0 would hide A's gradient: give both values
            for (long i = 0; i < b.numel(); i++) b.setFloat(i, (float) (rnd.nextDouble() - 0.5));
        }
        List<Qwen25VL.Sequence> seqs = List.of(new Qwen25VL.Sequence(new int[] {1, 2, 3, P, P, P, P, 4, 5},
                List.of(TinyModels.image(rnd, 1, 4, 4))), Qwen25VL.Sequence.text(new int[] {7, 8, 9, 10}));
        int[] t = {2, 3, -1, -1, -1, -1, 4, 5, -1, 8, 9, 10, -1};
        CausalLm obj = new CausalLm(LossScope.DOCTOR, Set.of(P));
        try (var g = GradMode.disabled(); var s = AllocationScope.open()) {
            float[] lp = CausalLm.tokenLogprobs(ops, model, seqs, t, ForwardMode.INFERENCE, 1f).toFloatArray();
            double sum = 0;
            for (float v : lp) sum += v;
            assertEquals(-sum / 7, obj.loss(ops, model, seqs, t, 7, ForwardMode.INFERENCE).item(), 1e-5, "mean over the 7 targets");
            double[] seq = CausalLm.sequenceLogprobs(ops, model, seqs, t, ForwardMode.INFERENCE, 1f);
            assertEquals(sum, seq[0] + seq[1], 1e-4, "sequence log-probs add up to the token log-probs");
        }
        Tensor[] checked = {lora.tensors().values().iterator().next(),
                lora.tensors().get(Lora.PEFT_PREFIX + "model.language_model.layers.1.mlp.down_proj.lora_B.weight"),
                lora.tensors().get(Lora.PEFT_PREFIX + "model.visual.blocks.0.mlp.gate_proj.lora_A.weight"),
                model.params().get("model.layers.0.input_layernorm.weight")};
        GradCheck.check("causal-lm loss", ops, () -> obj.loss(ops, model, seqs, t, 7, ForwardMode.INFERENCE), checked);
    }

    @Test
    void adaptersAreSwitchedPerCallWithoutTouchingTheWeights() {
        Qwen25VL model = model();
        List<Qwen25VL.Sequence> seqs = List.of(Qwen25VL.Sequence.text(new int[] {1, 2, 3, 4}));
        float[] base;
        try (var g = GradMode.disabled(); var s = AllocationScope.open()) {
            base = model.forward(ops, seqs, null).toFloatArray();
            Lora lora = Lora.attach(be, model, new LoraConfig(2, 8f, 0f, false, LoraConfig.ALL_TEXT, false), 1);
            assertArrayEquals(base, model.forward(ops, seqs, null).toFloatArray(), "B = 0 at init: the adapted model equals the base");
            for (Tensor b : lora.tensors().values()) for (long i = 0; i < b.numel(); i++) b.setFloat(i, 0.3f);
            float[] adapted = model.forward(ops, seqs, ForwardOptions.of(ForwardMode.INFERENCE)).toFloatArray();
            assertNotEquals(base[0], adapted[0]);
            assertArrayEquals(base, model.forward(ops, seqs, ForwardOptions.of(ForwardMode.BASE)).toFloatArray(), "adapters off = the base model");
            assertArrayEquals(adapted, model.forward(ops, seqs, null).toFloatArray(), "and on again");
            assertEquals(8f / 2, lora.modules().values().iterator().next().lora().scaling());
            assertEquals((float) (8 / Math.sqrt(2)), ai.pulsemind.nn.LoraAdapter.scaling(8f, 2, true), "rsLoRA");
        }
    }

    @Test
    void dropoutMasksArePureFunctionsOfKeySiteAndIndex() {
        float[] a = ai.pulsemind.nn.Dropout.mask(ai.pulsemind.tensor.Shape.of(64, 32), 0.25f, 7, 3).toFloatArray();
        float[] b = ai.pulsemind.nn.Dropout.mask(ai.pulsemind.tensor.Shape.of(64, 32), 0.25f, 7, 3).toFloatArray();
        float[] c = ai.pulsemind.nn.Dropout.mask(ai.pulsemind.tensor.Shape.of(64, 32), 0.25f, 8, 3).toFloatArray();
        assertArrayEquals(a, b);
        int dropped = 0, differ = 0;
        for (int i = 0; i < a.length; i++) {
            if (a[i] == 0) dropped++;
            else assertEquals(1 / 0.75f, a[i]);
            if (a[i] != c[i]) differ++;
        }
        assertEquals(0.25, dropped / (double) a.length, 0.04, "drop rate");
        assertNotEquals(0, differ, "another key draws another mask");
    }

    /** Recomputing each layer in backward gives the same loss and the same gradients, with LoRA dropout active. */
    @Test
    void gradientCheckpointingChangesNothing() {
        float[][] with = lossAndGrads(true), without = lossAndGrads(false);
        for (int i = 0; i < with.length; i++) assertArrayEquals(without[i], with[i], "loss/gradient " + i);
    }

    private float[][] lossAndGrads(boolean recompute) {
        Qwen25VL model = model();
        Lora lora = Lora.attach(be, model, new LoraConfig(2, 4f, 0.3f, false, LoraConfig.ALL_TEXT, false), 9);
        Rand r = new Rand(4);
        for (Tensor b : lora.tensors().values()) for (long i = 0; i < b.numel(); i++) b.setFloat(i, (float) (r.nextDouble() - 0.5));
        Tensor norm = model.params().get("model.layers.1.post_attention_layernorm.weight");
        try (ParamStore store = ParamStore.of(be, Map.of("n", norm, "a", lora.tensors().values().iterator().next()), n -> true);
             var s = AllocationScope.open()) {
            List<Qwen25VL.Sequence> seqs = List.of(Qwen25VL.Sequence.text(new int[] {1, 2, 3, 4, 5, 6}));
            int[] t = {2, 3, 4, 5, 6, -1};
            Tensor loss = new CausalLm(LossScope.ALL, Set.of()).loss(ops, model, seqs, t, 5, ForwardMode.training(77, recompute));
            ops.backward(loss);
            return new float[][] {{loss.item()}, store.get("n").grad().toFloatArray(), store.get("a").grad().toFloatArray()};
        }
    }
}
