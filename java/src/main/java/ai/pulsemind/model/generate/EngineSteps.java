package ai.pulsemind.model.generate;

import ai.pulsemind.autograd.Ops;
import ai.pulsemind.backend.SampleRow;
import ai.pulsemind.model.qwen25vl.ForwardOptions;
import ai.pulsemind.model.qwen25vl.KvCache;
import ai.pulsemind.model.qwen25vl.Qwen25VL;
import ai.pulsemind.tensor.AllocationScope;
import ai.pulsemind.tensor.Tensor;

import java.util.ArrayList;
import java.util.List;

/**
 * The engine's two kinds of model step, each inside an allocation scope that frees its activations: a packed
 * prefill of newly admitted prompts into their cache slots, and one decoding step of running sequences in theirs.
 */
final class EngineSteps {
    private final Qwen25VL model;
    private final Ops ops;
    private final KvCache cache;
    private final TokenPicker picker;

    EngineSteps(Qwen25VL model, Ops ops, KvCache cache, TokenPicker picker) {
        this.model = model;
        this.ops = ops;
        this.cache = cache;
        this.picker = picker;
    }

    /** One forward over the prompts back to back; picks each one's first token from its last row. */
    TokenPicker.Picked prefill(List<Live> batch) {
        try (AllocationScope s = AllocationScope.open()) {
            List<Qwen25VL.Sequence> seqs = new ArrayList<>(batch.size());
            int[] slots = new int[batch.size()], last = new int[batch.size()];
            int at = 0;
            for (int i = 0; i < slots.length; i++) {
                Live l = batch.get(i);
                seqs.add(l.prompt.sequence());
                slots[i] = l.slot;
                at += l.prompt.length();
                last[i] = at - 1;
            }
            Tensor hidden = model.forward(ops, seqs, ForwardOptions.INFERENCE.withCache(cache, slots)); // (N, C)
            Tensor rows = ops.gatherRows(hidden, upload(Tensor.ofInts(last, last.length)));      // (B, C)
            return pick(rows, batch);
        }
    }

    /** One token per running sequence, each against its own slot. */
    TokenPicker.Picked decode(List<Live> batch) {
        try (AllocationScope s = AllocationScope.open()) {
            int b = batch.size();
            int[] tokens = new int[b], positions = new int[b], slots = new int[b];
            for (int i = 0; i < b; i++) {
                Live l = batch.get(i);
                tokens[i] = l.lastId();
                positions[i] = l.lastPosition();
                slots[i] = l.slot;
            }
            return pick(model.decodeHidden(ops, upload(Tensor.ofInts(tokens, b)), positions, cache, slots), batch);
        }
    }

    /** hidden (B, C): each row's last hidden state, the one that predicts its next token. */
    private TokenPicker.Picked pick(Tensor hidden, List<Live> batch) {
        int b = batch.size();
        List<SampleRow> rows = new ArrayList<>(b);
        boolean[] want = new boolean[b];
        int[] top = new int[b];
        int[][] prev = null;
        for (int i = 0; i < b; i++) {
            Live l = batch.get(i);
            rows.add(l.row());
            want[i] = l.gen.logprobs();
            top[i] = l.gen.topLogprobs();
            int[] p = l.previous();
            if (p != null) {
                if (prev == null) prev = new int[b][];
                prev[i] = p;
            }
        }
        return picker.pick(hidden, model.text().head(), model.logits(ops, hidden), rows, prev, want, top);
    }

    private Tensor upload(Tensor host) { return ops.backend().device().isHost() ? host : ops.backend().upload(host); }
}
