package ai.pulsemind.train;

import ai.pulsemind.autograd.Ops;
import ai.pulsemind.backend.Backend;
import ai.pulsemind.data.batch.Batch;
import ai.pulsemind.model.qwen25vl.Qwen25VL;
import ai.pulsemind.model.qwen25vl.ForwardOptions;
import ai.pulsemind.nn.ForwardMode;
import ai.pulsemind.tensor.DType;
import ai.pulsemind.tensor.Tensor;

import java.util.List;
import java.util.Set;

/**
 * The causal language-model objective and the per-token log-probabilities CRPO's policy loss is built on, through
 * the fused LM-head + log-softmax op ({@link Ops#logprob}), so (N, V) logits never exist.
 *
 * <p>Target shift: row i of a sequence predicts token i+1; the last row of each sequence predicts nothing. Which
 * next tokens count is the {@link LossScope}; image placeholders ({@code <|image_pad|>}, {@code <|vision_start|>},
 * {@code <|vision_end|>}) are never targets. The loss is the mean over target tokens:
 * {@code −Σ log p(target) / normalizer}, with normalizer the number of target tokens of the whole optimiser step
 * (all its micro-batches), as transformers does since it normalises by {@code num_items_in_batch}: a step's
 * gradient is then the gradient of its token-mean loss however it is split into micro-batches.
 */
public final class CausalLm {
    private final LossScope scope;
    private final Set<Integer> neverTargets;

    /** @param neverTargets ids that are never predicted (the image placeholder ids) */
    public CausalLm(LossScope scope, Set<Integer> neverTargets) {
        this.scope = scope;
        this.neverTargets = Set.copyOf(neverTargets);
    }

    /** For a Qwen2.5-VL model: image pad, vision start and vision end are never targets. */
    public static CausalLm of(LossScope scope, int imagePad, int visionStart, int visionEnd) {
        return new CausalLm(scope, Set.of(imagePad, visionStart, visionEnd));
    }

    public LossScope scope() { return scope; }

    /**
     * Shifted targets (N) for a packed batch: {@code targets[i] = tokens[i+1]} where token i+1 is in the same
     * sample and counts under the scope, else −1 (ignored by the log-prob op).
     */
    public int[] targets(Batch b) {
        if (b.layout() != ai.pulsemind.data.batch.LoaderConfig.Layout.PACKED)
            throw new IllegalArgumentException("the causal-LM objective takes PACKED batches (sequences back to back)");
        int[] tokens = b.tokens(), cu = b.cuSeqlens();
        byte[] mask = b.lossMask();
        int[] t = new int[tokens.length];
        java.util.Arrays.fill(t, -1);
        for (int s = 0; s + 1 < cu.length; s++) {
            int from = cu[s], to = cu[s + 1];
            int lastStart = scope == LossScope.LAST ? lastSpanStart(mask, from, to) : from;
            for (int i = from; i + 1 < to; i++) {
                int next = i + 1, id = tokens[next];
                boolean counted = switch (scope) {
                    case DOCTOR -> mask[next] == 1;
                    case LAST -> mask[next] == 1 && next >= lastStart;
                    case ALL -> true;
                };
                if (counted && !neverTargets.contains(id)) t[i] = id;
            }
        }
        return t;
    }

    /** The first index of the last run of mask = 1 in [from, to) (to when there is none). */
    static int lastSpanStart(byte[] mask, int from, int to) {
        int i = to - 1;
        while (i >= from && mask[i] == 0) i--;
        while (i >= from && mask[i] == 1) i--;
        return i + 1;
    }

    /** Number of counted targets. */
    public static int count(int[] targets) {
        int n = 0;
        for (int t : targets) if (t >= 0) n++;
        return n;
    }

    /**
     * {@code −Σ log p(targets) / normalizer} over a forward of {@code seqs} (the batch's samples in order).
     *
     * @param targets    (N) from {@link #targets(Batch)}
     * @param normalizer the step's target-token count (≥ 1)
     * @return the one-element F32 loss, differentiable
     */
    public Tensor loss(Ops ops, Qwen25VL model, List<Qwen25VL.Sequence> seqs, int[] targets, double normalizer, ForwardMode mode) {
        if (!(normalizer >= 1)) throw new IllegalArgumentException("loss normalizer must be >= 1, got " + normalizer);
        Tensor logp = tokenLogprobs(ops, model, seqs, targets, mode, 1f);
        return ops.scale(ops.sum(logp), (float) (-1 / normalizer));
    }

    /**
     * Per-token log-probabilities (N) F32 of {@code targets} after a forward of {@code seqs} packed in order:
     * entry i is {@code log softmax(h_i·Wᵀ / temperature)[targets[i]]}, 0 where the target is negative. This is
     * what CRPO's policy loss takes for the current policy, the old policy and (with {@link ForwardMode#BASE}) the
     * reference model; differentiable when the tape records.
     *
     * @param targets (N) next-token ids, −1 where nothing is predicted
     */
    public static Tensor tokenLogprobs(Ops ops, Qwen25VL model, List<Qwen25VL.Sequence> seqs, int[] targets,
                                       ForwardMode mode, float temperature) {
        int n = seqs.stream().mapToInt(s -> s.ids().length).sum();
        if (targets.length != n) throw new IllegalArgumentException(targets.length + " targets for " + n + " tokens");
        Backend be = ops.backend();
        Tensor hidden = model.forward(ops, seqs, ForwardOptions.of(mode)); // (N, C)
        Tensor t = Tensor.ofInts(targets, n);
        return ops.logprob(hidden, model.text().head(), be.device().isHost() ? t : be.upload(t), temperature);
    }

    /**
     * Targets (N) that score each sequence's completion: the tokens from {@code promptLengths[s]} on, each
     * predicted by the row before it (the prompt's last row predicts the first completion token).
     */
    public static int[] completionTargets(List<Qwen25VL.Sequence> seqs, int[] promptLengths) {
        int n = seqs.stream().mapToInt(s -> s.ids().length).sum(), at = 0;
        int[] t = new int[n];
        java.util.Arrays.fill(t, -1);
        for (int s = 0; s < seqs.size(); s++) {
            int[] ids = seqs.get(s).ids();
            if (promptLengths[s] < 1 || promptLengths[s] > ids.length)
                throw new IllegalArgumentException("sequence " + s + ": prompt length " + promptLengths[s] + " outside [1, " + ids.length + "]");
            for (int i = promptLengths[s]; i < ids.length; i++) t[at + i - 1] = ids[i];
            at += ids.length;
        }
        return t;
    }

    /** Σ log p of each sequence's targets (no tape): a sequence log-probability per sequence. */
    public static double[] sequenceLogprobs(Ops ops, Qwen25VL model, List<Qwen25VL.Sequence> seqs, int[] targets,
                                            ForwardMode mode, float temperature) {
        try (var g = ai.pulsemind.tensor.GradMode.disabled(); var s = ai.pulsemind.tensor.AllocationScope.open()) {
            Tensor lp = tokenLogprobs(ops, model, seqs, targets, mode, temperature);
            float[] v = hostFloats(ops.backend(), lp);
            double[] out = new double[seqs.size()];
            int at = 0;
            for (int q = 0; q < seqs.size(); q++) {
                int len = seqs.get(q).ids().length;
                for (int i = at; i < at + len; i++) out[q] += v[i];
                at += len;
            }
            return out;
        }
    }

    static float[] hostFloats(Backend be, Tensor t) {
        if (t.device().isHost()) return t.toFloatArray();
        Tensor h = Tensor.hostEmpty(DType.F32, t.shape());
        be.copy(t, h);
        return h.toFloatArray();
    }
}
