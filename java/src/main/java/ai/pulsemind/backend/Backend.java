package ai.pulsemind.backend;

import ai.pulsemind.tensor.DType;
import ai.pulsemind.tensor.Device;
import ai.pulsemind.tensor.MemoryStats;
import ai.pulsemind.tensor.Shape;
import ai.pulsemind.tensor.Tensor;

/**
 * The op table every backend implements: memory, copies, and the coarse ops the model and trainers need, each
 * forward with its backward. See {@code package-info} for the conventions (out-parameters, accumulation of
 * parameter gradients, asynchrony) and the dimension letters in the shape comments.
 *
 * <p>Every op validates its arguments first ({@link OpChecks}) and fails with the op's name and the shapes
 * involved; inputs must be contiguous unless the op says otherwise.
 */
public interface Backend extends AutoCloseable {

    /** "cpu-reference", "cpu" or "cuda". */
    String name();

    Device device();

    /**
     * The dtype models keep weights, activations and KV caches in on this backend: F32 on the CPU, BF16 on CUDA.
     * Whatever it is, row statistics (rstd, mean), rotary tables, attention log-sum-exps, log-probs, scalar sums,
     * logits and parameter gradients that accumulate across steps stay F32.
     */
    default DType computeDtype() { return DType.F32; }

    /**
     * Whether {@link #matmul} takes a BF16 operand beside F32 ones on a backend computing in F32, so a model can
     * keep BF16 weights as stored instead of widening them (the CPU backends: half the memory and the bytes read).
     */
    default boolean takesBf16Weights() { return false; }

    // ------------------------------------------------------------------ memory

    /** Uninitialised memory on this backend's device. */
    Tensor empty(DType dtype, Shape shape);

    default Tensor zeros(DType dtype, Shape shape) {
        Tensor t = empty(dtype, shape);
        fill(t, 0f);
        return t;
    }

    /** Sets every element (any dtype; integers take the value truncated). */
    void fill(Tensor dst, float value);

    /**
     * Copies {@code src} into {@code dst}: same shape and dtype, either may be strided, and one of them may be on
     * the host (this is how data moves between host and device).
     */
    void copy(Tensor src, Tensor dst);

    /** Elementwise dtype conversion (F32 ⇄ BF16/F16, I32 ⇄ I64, ...), same shape, contiguous. */
    void convert(Tensor src, Tensor dst);

    /** A contiguous copy of {@code t} on this backend's device. */
    default Tensor upload(Tensor t) {
        Tensor out = empty(t.dtype(), t.shape());
        copy(t, out);
        return out;
    }

    /** Waits for all queued work. A no-op on the CPU. */
    void synchronize();

    MemoryStats memoryStats();

    @Override
    default void close() {}

    // ------------------------------------------------------------------ linear algebra

    /**
     * Batched GEMM: {@code c[b] = alpha * op(a[b]) · op(b[b]) + beta * c[b]}.
     *
     * @param a (Ba, M, K), or (Ba, K, M) when {@code transA}; rank 2 means Ba = 1
     * @param b (Bb, K, N), or (Bb, N, K) when {@code transB}; rank 2 means Bb = 1
     * @param c (B, M, N) with Ba, Bb each 1 (broadcast) or B
     */
    void matmul(Tensor a, boolean transA, Tensor b, boolean transB, Tensor c, float alpha, float beta);

    // ------------------------------------------------------------------ elementwise and reductions

    /** {@code out = a + b}; {@code b}'s shape is a suffix of {@code a}'s (bias broadcast) or equal. */
    void add(Tensor a, Tensor b, Tensor out);

    /** {@code out = a * b}, with the same broadcast rule as {@link #add}. */
    void mul(Tensor a, Tensor b, Tensor out);

    /** {@code out = s * x}. */
    void scale(Tensor x, float s, Tensor out);

    /** {@code y += alpha * x}: gradient accumulation. */
    void axpy(float alpha, Tensor x, Tensor y);

    /** {@code out[c] = Σ_r x[r, c]}: x (R, C) → out (C); the backward of a broadcast add. */
    void sumRows(Tensor x, Tensor out);

    /** {@code out[0] = Σ x}; out has one element. */
    void sum(Tensor x, Tensor out);

    /** Index of the largest value per row: x (R, C) F32 → out (R) I32; ties take the lowest index. */
    void argmax(Tensor x, Tensor out);

    // ------------------------------------------------------------------ sampling

    /**
     * Picks one token per row of {@code logits}, in Hugging Face's processor order (see {@link SamplingParams}),
     * each row with its own {@link SampleRow}: repetition penalty over the row's previous ids (each distinct id once;
     * ids outside [0, V) ignored; NaN logits count as −∞); greedy (lowest index on ties) when
     * {@link SamplingParams#isGreedy()}; else x = y / temperature, top-k (keep x ≥ the k-th largest), top-p (keep
     * x ≥ the largest t whose kept mass of {x ≥ t} reaches p, masses in 2⁻⁴⁰ fixed point), and a Gumbel-max draw
     * {@code argmax(x + G)}, {@code G = −log(−log u)}, with u from Philox4x32-10 keyed by the row's seed at counter
     * (index / 4, stream, step). The id is a pure function of (logits row, row's params, seed, stream, step), not of
     * the row's index in the batch: every backend picks the same ids (up to the last bit of a transcendental near
     * a tie), and a request keeps its ids whatever else is batched with it.
     *
     * @param logits  (B, V) F32 (a logit of −∞ is never drawn: that is how callers mask ids out)
     * @param rows    (B) one per row
     * @param prevIds (B, P) I32 previous ids per row (padding: any id outside [0, V), e.g. −1), or null
     * @param out     (B) I32
     */
    void sample(Tensor logits, java.util.List<SampleRow> rows, Tensor prevIds, Tensor out);

    // ------------------------------------------------------------------ activations

    void silu(Tensor x, Tensor out);

    void siluBackward(Tensor x, Tensor dout, Tensor dx);

    /** GELU, exact (erf) or the tanh approximation. */
    void gelu(Tensor x, boolean tanhApprox, Tensor out);

    void geluBackward(Tensor x, boolean tanhApprox, Tensor dout, Tensor dx);

    /** {@code out = silu(gate) * up}: gate, up, out (R, F). */
    void swiglu(Tensor gate, Tensor up, Tensor out);

    void swigluBackward(Tensor gate, Tensor up, Tensor dout, Tensor dgate, Tensor dup);

    // ------------------------------------------------------------------ normalisation and softmax

    /**
     * RMSNorm over the last dim: {@code out = x * rstd * w}, {@code rstd = 1/sqrt(mean(x²) + eps)}.
     *
     * @param x (R, C); w (C); out (R, C); rstd (R) saved for backward
     */
    void rmsnorm(Tensor x, Tensor w, float eps, Tensor out, Tensor rstd);

    /** dx (R, C) overwritten; dw (C) accumulated. */
    void rmsnormBackward(Tensor x, Tensor w, Tensor rstd, Tensor dout, Tensor dx, Tensor dw);

    /** LayerNorm over the last dim with weight and bias: x (R, C); w, b (C); mean, rstd (R) saved. */
    void layernorm(Tensor x, Tensor w, Tensor b, float eps, Tensor out, Tensor mean, Tensor rstd);

    /** dx overwritten; dw, db accumulated. */
    void layernormBackward(Tensor x, Tensor w, Tensor mean, Tensor rstd, Tensor dout, Tensor dx, Tensor dw, Tensor db);

    /** Softmax over the last dim: x, out (R, C). */
    void softmax(Tensor x, Tensor out);

    /** From the softmax output y: {@code dx = y * (dy - Σ y·dy)}. */
    void softmaxBackward(Tensor y, Tensor dy, Tensor dx);

    // ------------------------------------------------------------------ rotary embeddings

    /**
     * Builds cos/sin tables: {@code angle[n, j] = positions[axis[j], n] * invFreq[j]}.
     *
     * @param positions (A, N) I32; cos, sin (N, D/2) F32
     */
    void ropeTable(RopeSpec spec, Tensor positions, Tensor cos, Tensor sin);

    /**
     * Rotate-half rotary: for j < D/2, {@code out[j] = x[j] cos − x[j+D/2] sin}, {@code out[j+D/2] = x[j+D/2] cos + x[j] sin}.
     *
     * @param x (N, H, D); cos, sin (N, D/2); out (N, H, D), may alias x
     */
    void rope(Tensor x, Tensor cos, Tensor sin, Tensor out);

    /** The transpose rotation (angle negated). */
    void ropeBackward(Tensor dout, Tensor cos, Tensor sin, Tensor dx);

    // ------------------------------------------------------------------ attention

    /**
     * Packed multi-head attention with grouped K/V heads (Hq a multiple of Hkv; query head h reads K/V head
     * {@code h / (Hq/Hkv)}).
     *
     * @param q   (Nq, Hq, D)
     * @param k   (Nk, Hkv, D)
     * @param v   (Nk, Hkv, D)
     * @param out (Nq, Hq, D)
     * @param lse (Hq, Nq) F32, log-sum-exp of the scaled scores per query, saved for backward
     *            (−∞ for a query with no visible key, whose output is 0)
     */
    void attention(Tensor q, Tensor k, Tensor v, AttentionSpec spec, Tensor out, Tensor lse);

    /** dq (Nq, Hq, D), dk, dv (Nk, Hkv, D), all overwritten. */
    void attentionBackward(Tensor q, Tensor k, Tensor v, Tensor out, Tensor lse, Tensor dout, AttentionSpec spec,
                           Tensor dq, Tensor dk, Tensor dv);

    /**
     * One decoding step for B sequences against their KV caches: query row b attends to the first
     * {@code lengths[b]} cached keys of cache slot {@code slots[b]} (its own new key already written there). The
     * cache holds S ≥ B slots, so an engine decodes any subset of its sequences in place: a finished sequence's
     * slot is simply left out, and a new one takes it. Not differentiable; generation only.
     *
     * @param q       (B, Hq, D)
     * @param kCache  (S, Lmax, Hkv, D)
     * @param vCache  (S, Lmax, Hkv, D)
     * @param slots   (B) host metadata, cache slot of each query row, in [0, S); null means slot b for row b (S = B)
     * @param lengths (B) host metadata, per query row, 1 ≤ lengths[b] ≤ Lmax
     * @param scale   softmax scale, usually 1/sqrt(D)
     * @param out     (B, Hq, D)
     */
    void attentionDecode(Tensor q, Tensor kCache, Tensor vCache, int[] slots, int[] lengths, float scale, Tensor out);

    /** {@link #attentionDecode(Tensor, Tensor, Tensor, int[], int[], float, Tensor)} with row b in slot b. */
    default void attentionDecode(Tensor q, Tensor kCache, Tensor vCache, int[] lengths, float scale, Tensor out) {
        attentionDecode(q, kCache, vCache, null, lengths, scale, out);
    }

    // ------------------------------------------------------------------ embeddings and row gathers

    /** {@code out[n] = table[idx[n]]}: table (V, C) any dtype, idx (N) I32, out (N, C). Embedding lookup. */
    void gatherRows(Tensor table, Tensor idx, Tensor out);

    /** {@code dst[idx[n]] += src[n]}: the embedding backward. Deterministic: rows are summed in n order. */
    void scatterAddRows(Tensor src, Tensor idx, Tensor dst);

    // ------------------------------------------------------------------ fused LM head + log-softmax

    /**
     * Per-token log-probabilities of {@code targets} under {@code softmax(hidden · weightᵀ / temperature)},
     * computed in row chunks so the (N, V) logits never exist at once.
     *
     * @param hidden (N, C); weight (V, C); targets (N) I32 (a negative target gives logp 0, e.g. a masked prompt)
     * @param logp   (N) out; lse (N) out, the log-sum-exp saved for backward
     */
    void logprob(Tensor hidden, Tensor weight, Tensor targets, float temperature, Tensor logp, Tensor lse);

    /**
     * Given {@code dlogp} (N): dhidden (N, C) overwritten; dweight (V, C) accumulated, or null when the head is
     * frozen.
     */
    void logprobBackward(Tensor hidden, Tensor weight, Tensor targets, float temperature, Tensor lse, Tensor dlogp,
                         Tensor dhidden, Tensor dweight);

    // ------------------------------------------------------------------ vision patches

    /** frames (T, C, H, W) → patches (T/tp · H/p · W/p, C·tp·p·p) in Qwen2-VL's merge-block order. */
    void extractPatches(Tensor frames, PatchSpec spec, Tensor patches);

    /** The inverse permutation (patches do not overlap): patches → frames, overwritten. */
    void foldPatches(Tensor patches, PatchSpec spec, Tensor frames);

    // ------------------------------------------------------------------ optimiser

    /**
     * One AdamW step with f32 master weights ({@link AdamWParams}: the gradient scaled by {@code gradScale}, decoupled
     * decay, bias-corrected moments). Updates master, m and v in place and, when {@code compute} is given, rewrites
     * it from the updated master rounded to its dtype (round to nearest even): the copy the forward pass reads.
     *
     * @param master  (…) F32 master weights
     * @param grad    same shape, F32 (what autograd accumulated; CUDA also takes BF16)
     * @param m       same shape, F32 first moment
     * @param v       same shape, F32 second moment
     * @param compute same shape BF16, or null when the forward reads the master itself
     */
    void adamw(Tensor master, Tensor grad, Tensor m, Tensor v, AdamWParams hp, Tensor compute);

    /** {@link #adamw(Tensor, Tensor, Tensor, Tensor, AdamWParams, Tensor)} on a parameter that is its own master. */
    default void adamw(Tensor param, Tensor grad, Tensor m, Tensor v, AdamWParams hp) { adamw(param, grad, m, v, hp, null); }
}
