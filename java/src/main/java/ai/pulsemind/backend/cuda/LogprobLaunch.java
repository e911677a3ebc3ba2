package ai.pulsemind.backend.cuda;

import ai.pulsemind.tensor.DType;
import ai.pulsemind.tensor.GradMode;
import ai.pulsemind.tensor.Shape;
import ai.pulsemind.tensor.Tensor;

import static ai.pulsemind.backend.cuda.LaunchContext.address;

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

    private final LaunchContext cx;
    private final GemmLaunch gemm;
    private final MemoryLaunch memory;
    private long scratchBytes = SCRATCH_BYTES;

    LogprobLaunch(LaunchContext cx, GemmLaunch gemm, MemoryLaunch memory) {
        this.cx = cx;
        this.gemm = gemm;
        this.memory = memory;
    }

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

    void forward(Tensor hidden, Tensor weight, Tensor targets, float temperature, Tensor logp, Tensor lse) {
        int[] s = cx.checks().logprob(hidden, weight, targets, temperature, logp, lse); // {N, C, V}
        int n = s[0], vocab = s[2], chunk = chunk(n, vocab, 4, scratchBytes);
        if (n == 0) return;
        float inv = 1f / temperature;
        // views of a weight that requires grad are fine here: the backend computes, the tape is Ops' business
        try (var g = GradMode.disabled(); Tensor z = cx.scratch((long) n * chunk); Tensor sum = cx.scratch(n)) {
            for (int v0 = 0, c = 0; v0 < vocab; v0 += chunk, c++) {
                int vc = Math.min(chunk, vocab - v0);
                Tensor zc = z.narrow(0, 0, n * vc).reshape(n, vc);                 // (N, vc), ld vc
                gemm.matmul(hidden, false, weight.narrow(0, v0, vc), true, zc, 1f, 0f);
                cx.kernel("pm_logprob_chunk_fwd_f32").ptr(address(zc)).i32(vc).i32(vc).i32(v0).ptr(address(targets)).f32(inv)
                        .i32(c == 0 ? 1 : 0).ptr(address(lse)).ptr(address(sum)).ptr(address(logp)).i32(n)
                        .launch3d(n, 1, 1, THREADS, 0, cx.stream());
            }
            // in place: lse holds the running max and logp the target's logit until here
            cx.kernel("pm_logprob_finalize_f32").ptr(address(targets)).ptr(address(lse)).ptr(address(sum)).ptr(address(logp))
                    .ptr(address(logp)).ptr(address(lse)).i32(n).launch3d(LaunchContext.cdiv(n, 256), 1, 1, 256, 0, cx.stream());
        }
    }

    void backward(Tensor hidden, Tensor weight, Tensor targets, float temperature, Tensor lse, Tensor dlogp,
                  Tensor dhidden, Tensor dweight) {
        int[] s = cx.checks().logprobBackward(hidden, weight, targets, temperature, lse, dlogp, dhidden, dweight); // {N, C, V}
        int n = s[0], c = s[1], vocab = s[2], chunk = chunk(n, vocab, 6, scratchBytes);
        if (n == 0 || c == 0) return; // nothing to write: dhidden and dweight are empty
        float inv = 1f / temperature;
        boolean own32 = dhidden.dtype() != DType.F32;
        try (var g = GradMode.disabled(); Tensor z = cx.scratch((long) n * chunk);
             Tensor dz = cx.empty(DType.BF16, Shape.of(n * chunk)); Tensor dh32 = own32 ? cx.scratch((long) n * c) : null) {
            Tensor acc = own32 ? dh32.reshape(n, c) : dhidden;                         // (N, C) f32
            for (int v0 = 0, k = 0; v0 < vocab; v0 += chunk, k++) {
                int vc = Math.min(chunk, vocab - v0);
                Tensor wc = weight.narrow(0, v0, vc);                                   // (vc, C)
                Tensor zc = z.narrow(0, 0, n * vc).reshape(n, vc), dzc = dz.narrow(0, 0, n * vc).reshape(n, vc);
                gemm.matmul(hidden, false, wc, true, zc, 1f, 0f);
                cx.kernel("pm_logprob_chunk_bwd_f32").ptr(address(zc)).i32(vc).i32(vc).i32(v0).ptr(address(targets))
                        .ptr(address(lse)).ptr(address(dlogp)).f32(inv).ptr(address(dzc)).i32(vc).i32(n)
                        .launch3d(n, 1, 1, THREADS, 0, cx.stream());
                gemm.matmul(dzc, false, wc, false, acc, 1f, k == 0 ? 0f : 1f);           // dH (+)= dZ · W_c
                if (dweight != null) gemm.matmul(dzc, true, hidden, false, dweight.narrow(0, v0, vc), 1f, 1f); // dW_c += dZᵀ·H
            }
            if (own32) memory.convert(acc, dhidden);
        }
    }
}
