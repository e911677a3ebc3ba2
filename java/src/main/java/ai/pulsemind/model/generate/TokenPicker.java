package ai.pulsemind.model.generate;

import ai.pulsemind.backend.Backend;
import ai.pulsemind.backend.SampleRow;
import ai.pulsemind.tensor.AllocationScope;
import ai.pulsemind.tensor.DType;
import ai.pulsemind.tensor.Shape;
import ai.pulsemind.tensor.Tensor;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * One step's token choice for every row of the logits, on whatever backend holds them: the logits stay there, and
 * only a few numbers per row come back to the host.
 *
 * <pre>
 *   hidden h (B, C) ── logits z = h·Wᵀ (B, V) F32 ── z + mask (0 / −∞ per id) ── Backend.sample(rows) ── ids (B)
 *                 └── Backend.logprob(h, W, ids, temperature 1) ── logp (B), lse (B)   (only when a row wants them)
 * </pre>
 * The log-probs come from the op the trainer's {@code CausalLm.tokenLogprobs} uses (the fused LM head + log-softmax,
 * {@link Backend#logprob}), so there is one definition of a token's log-prob, whether it was sampled here or is
 * scored in a training forward. Top-n alternatives are {@code z[i] − lse}, read on the host for the rows that ask.
 * The mask is −∞ for ids that cannot be generated: ids the tokenizer does not know (padded vocabulary rows) and
 * the image placeholder.
 */
final class TokenPicker implements AutoCloseable {
    private final Backend be;
    private final int vocab;
    private final boolean[] banned;  // (V) ids that cannot be generated
    private final Tensor mask;       // (V) F32 on the backend: 0, or −∞ where banned; null when nothing is banned

    /** The chosen ids of one step, with log-probs and alternatives for the rows that asked. */
    record Picked(int[] ids, float[] logprobs, List<List<Completion.TopLogprob>> tops) {}

    TokenPicker(Backend be, int vocab, boolean[] banned) {
        this.be = be;
        this.vocab = vocab;
        this.banned = banned.clone();
        boolean any = false;
        float[] m = new float[vocab];
        for (int i = 0; i < vocab; i++)
            if (banned[i]) {
                m[i] = Float.NEGATIVE_INFINITY;
                any = true;
            }
        this.mask = any ? AllocationScope.outside(() -> {
            Tensor h = Tensor.of(m, vocab);
            if (be.device().isHost()) return h;
            try (h) {
                return be.upload(h);
            }
        }) : null;
    }

    /**
     * @param hidden (B, C) the rows' last hidden states, in the backend's compute dtype
     * @param head   (V, C) the LM head, in the same dtype
     * @param logits (B, V) F32 raw logits of the rows' next tokens ({@code hidden · headᵀ})
     * @param prev   per row its previous ids (prompt and generated) for the repetition penalty, or null for a row
     *               without one; the whole array null when no row has a penalty
     * @param want   per row whether it wants log-probs
     * @param topN   per row how many alternatives it wants
     */
    Picked pick(Tensor hidden, Tensor head, Tensor logits, List<SampleRow> rows, int[][] prev, boolean[] want, int[] topN) {
        int b = logits.dim(0);
        boolean anyLogprobs = false;
        for (boolean w : want) anyLogprobs |= w;
        Tensor masked = logits;
        if (mask != null) {
            masked = be.empty(DType.F32, Shape.of(b, vocab));
            be.add(logits, mask, masked);
        }
        Tensor out = be.empty(DType.I32, Shape.of(b));
        be.sample(masked, rows, prev == null ? null : prevIds(prev), out);
        int[] ids = ints(out);
        if (!anyLogprobs) return new Picked(ids, null, null);
        int[] targets = new int[b];
        for (int r = 0; r < b; r++) targets[r] = want[r] ? ids[r] : -1;
        Tensor t = Tensor.ofInts(targets, b), logp = be.empty(DType.F32, Shape.of(b)), lseT = be.empty(DType.F32, Shape.of(b));
        be.logprob(hidden, head, be.device().isHost() ? t : be.upload(t), 1f, logp, lseT);
        float[] lp = floats(logp), lse = floats(lseT);
        float[] logprobs = new float[b];
        List<List<Completion.TopLogprob>> tops = new ArrayList<>(b);
        for (int r = 0; r < b; r++) {
            logprobs[r] = want[r] ? lp[r] : Float.NaN;
            tops.add(topN[r] > 0 ? top(logits, r, topN[r], lse[r]) : null);
        }
        return new Picked(ids, logprobs, tops);
    }

    /** The n highest-logit ids of row r that can be generated (lowest id first on ties), as log-probs. */
    private List<Completion.TopLogprob> top(Tensor logits, int r, int n, double lse) {
        float[] z = floats(logits.narrow(0, r, 1));
        int[] best = new int[n];
        int have = 0;
        for (int i = 0; i < vocab; i++) {
            if (banned[i] || Float.isNaN(z[i])) continue;
            if (have == n && !(z[i] > z[best[n - 1]])) continue;
            int j = have < n ? have++ : n - 1;
            while (j > 0 && z[i] > z[best[j - 1]]) {
                best[j] = best[j - 1];
                j--;
            }
            best[j] = i;
        }
        List<Completion.TopLogprob> out = new ArrayList<>(have);
        for (int k = 0; k < have; k++) out.add(new Completion.TopLogprob(best[k], (float) (z[best[k]] - lse)));
        return out;
    }

    /** (B, P) I32 previous ids, −1 padded. */
    private Tensor prevIds(int[][] prev) {
        int p = 1;
        for (int[] row : prev) if (row != null) p = Math.max(p, row.length);
        int[] all = new int[prev.length * p];
        Arrays.fill(all, -1);
        for (int r = 0; r < prev.length; r++) if (prev[r] != null) System.arraycopy(prev[r], 0, all, r * p, prev[r].length);
        Tensor h = Tensor.ofInts(all, prev.length, p);
        return be.device().isHost() ? h : be.upload(h);
    }

    private float[] floats(Tensor t) {
        if (t.device().isHost()) return t.isContiguous() ? t.toFloatArray() : copyToHost(t).toFloatArray();
        return copyToHost(t).toFloatArray();
    }

    private int[] ints(Tensor t) { return t.device().isHost() ? t.toIntArray() : copyToHost(t).toIntArray(); }

    private Tensor copyToHost(Tensor t) {
        Tensor h = Tensor.hostEmpty(t.dtype(), t.shape());
        be.copy(t, h);
        return h;
    }

    @Override
    public void close() { if (mask != null) mask.close(); }
}
