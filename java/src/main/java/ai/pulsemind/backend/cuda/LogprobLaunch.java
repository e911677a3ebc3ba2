package ai.pulsemind.backend.cuda;

import ai.pulsemind.backend.OpChecks;
import ai.pulsemind.tensor.DType;
import ai.pulsemind.tensor.GradMode;
import ai.pulsemind.tensor.Shape;
import ai.pulsemind.tensor.Tensor;

import static ai.pulsemind.backend.cuda.CudaBackend.address;

/**
 * The fused LM head + log-softmax of {@code logprob.cu}, composed as tools/gpu-dev/README.md gives it: per
 * vocabulary chunk [v0, v0 + vc), a cuBLASLt GEMM writes the chunk's f32 logits Z = hidden · W[v0:v0+vc]ᵀ and a
 * kernel folds them into a running log-sum-exp (forward) or turns them into bf16 dZ for two more GEMMs (backward).
 * Memory is O(N × chunk): the (N, V) logits never exist.
 *
 * <pre>
 *   forward   per chunk: Z = H·W_cᵀ (f32 out); pm_logprob_chunk_fwd_f32        then pm_logprob_finalize_f32
 *   backward  per chunk: Z = H·W_cᵀ; pm_logprob_chunk_bwd_f32 → dZ (bf16);
 *             dH32 (+)= dZ·W_c (beta 0 on the first chunk); dW_c += dZᵀ·H (when dweight is given)
 *             then dhidden = dH32 in dhidden's dtype (dH32 is dhidden itself when that is F32)
 * </pre>
 */
final class LogprobLaunch {
    /** Scratch budget for the (N, chunk) slabs: 1/12 of the bf16 logits at 8192 × 151,936 (2.4 GiB). */
    static final long SCRATCH_BYTES = 192L << 20;
    private static final int THREADS = 256;

    private final CudaBackend be;
    private long scratchBytes = SCRATCH_BYTES;

    LogprobLaunch(CudaBackend be) { this.be = be; }

    void scratchBytes(long bytes) {
        if (bytes < 1) throw new IllegalArgumentException("log-prob scratch budget must be >= 1 byte, got " + bytes);
        scratchBytes = bytes;
    }

    long scratchBytes() { return scratchBytes; }

    /**
     * Vocabulary columns per chunk when each (row, column) of the slabs takes {@code bytesPerElement} bytes: within
     * {@code budget}, a multiple of 128 (W's row offsets and the GEMM operands stay aligned), at least 128, at most V.
     */
    static int chunk(int n, int vocab, int bytesPerElement, long budget) {
        long c = budget / ((long) Math.max(1, n) * bytesPerElement);
        c = Math.max(128, c / 128 * 128);
        return (int) Math.min(c, vocab);
    }

    /** Validates; returns {N, C, V}. */
    private int[] check(String op, Tensor hidden, Tensor weight, Tensor targets, float temperature, Tensor perRow, Tensor lse) {
        OpChecks.ready(op, be.device(), hidden, weight, targets, perRow, lse);
        OpChecks.rank(op, "hidden", hidden, 2);
        OpChecks.rank(op, "weight", weight, 2);
        if (hidden.dtype() != DType.BF16 || weight.dtype() != DType.BF16)
            throw new IllegalArgumentException(op + ": the CUDA log-prob takes BF16 hidden and weight (its GEMMs are bf16"
                    + " with f32 accumulation), got " + hidden + " and " + weight);
        OpChecks.dtype(op, "targets", targets, DType.I32);
        OpChecks.f32(op, perRow, lse);
        if (weight.dim(1) != hidden.dim(1))
            throw new IllegalArgumentException(op + ": hidden " + hidden.shape() + " and weight " + weight.shape() + " differ in C");
        Shape rows = Shape.of(hidden.dim(0));
        OpChecks.shape(op, "targets", targets, rows);
        OpChecks.shape(op, "per-row output", perRow, rows);
        OpChecks.shape(op, "lse", lse, rows);
        if (!(temperature > 0)) throw new IllegalArgumentException(op + ": temperature must be > 0, got " + temperature);
        if (weight.dim(0) == 0) throw new IllegalArgumentException(op + ": empty vocabulary " + weight.shape());
        return new int[] {hidden.dim(0), hidden.dim(1), weight.dim(0)};
    }

    void forward(Tensor hidden, Tensor weight, Tensor targets, float temperature, Tensor logp, Tensor lse) {
        int[] s = check("logprob", hidden, weight, targets, temperature, logp, lse);
        int n = s[0], vocab = s[2], chunk = chunk(n, vocab, 4, scratchBytes);
        if (n == 0) return;
        float inv = 1f / temperature;
        // views of a weight that requires grad are fine here: the backend computes, the tape is Ops' business
        try (var g = GradMode.disabled(); Tensor z = be.scratch((long) n * chunk); Tensor sum = be.scratch(n)) {
            for (int v0 = 0, c = 0; v0 < vocab; v0 += chunk, c++) {
                int vc = Math.min(chunk, vocab - v0);
                Tensor zc = z.narrow(0, 0, n * vc).reshape(n, vc);                 // (N, vc), ld vc
                be.matmul(hidden, false, weight.narrow(0, v0, vc), true, zc, 1f, 0f);
                be.kernel("pm_logprob_chunk_fwd_f32").ptr(address(zc)).i32(vc).i32(vc).i32(v0).ptr(address(targets)).f32(inv)
                        .i32(c == 0 ? 1 : 0).ptr(address(lse)).ptr(address(sum)).ptr(address(logp)).i32(n)
                        .launch3d(n, 1, 1, THREADS, 0, be.stream());
            }
            // in place: lse holds the running max and logp the target's logit until here
            be.kernel("pm_logprob_finalize_f32").ptr(address(targets)).ptr(address(lse)).ptr(address(sum)).ptr(address(logp))
                    .ptr(address(logp)).ptr(address(lse)).i32(n).launch3d(AttentionLaunch.cdiv(n, 256), 1, 1, 256, 0, be.stream());
        }
    }

    void backward(Tensor hidden, Tensor weight, Tensor targets, float temperature, Tensor lse, Tensor dlogp,
                  Tensor dhidden, Tensor dweight) {
        String op = "logprobBackward";
        int[] s = check(op, hidden, weight, targets, temperature, dlogp, lse);
        OpChecks.ready(op, be.device(), dhidden, dweight);
        OpChecks.sameShape(op + " (dhidden)", hidden, dhidden);
        OpChecks.dtype(op, "dhidden", dhidden, DType.F32, DType.BF16);
        if (dweight != null) {
            OpChecks.sameShape(op + " (dweight)", weight, dweight);
            OpChecks.dtype(op, "dweight", dweight, DType.F32, DType.BF16);
        }
        int n = s[0], c = s[1], vocab = s[2], chunk = chunk(n, vocab, 6, scratchBytes);
        if (n == 0 || c == 0) return; // nothing to write: dhidden and dweight are empty
        float inv = 1f / temperature;
        boolean own32 = dhidden.dtype() != DType.F32;
        try (var g = GradMode.disabled(); Tensor z = be.scratch((long) n * chunk);
             Tensor dz = be.empty(DType.BF16, Shape.of(n * chunk)); Tensor dh32 = own32 ? be.scratch((long) n * c) : null) {
            Tensor acc = own32 ? dh32.reshape(n, c) : dhidden;                         // (N, C) f32
            for (int v0 = 0, k = 0; v0 < vocab; v0 += chunk, k++) {
                int vc = Math.min(chunk, vocab - v0);
                Tensor wc = weight.narrow(0, v0, vc);                                   // (vc, C)
                Tensor zc = z.narrow(0, 0, n * vc).reshape(n, vc), dzc = dz.narrow(0, 0, n * vc).reshape(n, vc);
                be.matmul(hidden, false, wc, true, zc, 1f, 0f);
                be.kernel("pm_logprob_chunk_bwd_f32").ptr(address(zc)).i32(vc).i32(vc).i32(v0).ptr(address(targets))
                        .ptr(address(lse)).ptr(address(dlogp)).f32(inv).ptr(address(dzc)).i32(vc).i32(n)
                        .launch3d(n, 1, 1, THREADS, 0, be.stream());
                be.matmul(dzc, false, wc, false, acc, 1f, k == 0 ? 0f : 1f);           // dH (+)= dZ · W_c
                if (dweight != null) be.matmul(dzc, true, hidden, false, dweight.narrow(0, v0, vc), 1f, 1f); // dW_c += dZᵀ·H
            }
            if (own32) be.convert(acc, dhidden);
        }
    }
}
