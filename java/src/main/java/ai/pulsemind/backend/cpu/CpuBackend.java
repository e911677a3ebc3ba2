package ai.pulsemind.backend.cpu;

import ai.pulsemind.backend.AdamWParams;
import ai.pulsemind.backend.AttentionSpec;

import java.lang.foreign.MemorySegment;

/**
 * The fast CPU backend: Vector API kernels, blocked and multithreaded, each tested against
 * {@link ReferenceBackend}. Ops it does not override are the reference's (validation is always shared).
 *
 * <p>It owns a {@link CpuPool} of {@code threads} threads (the caller plus {@code threads - 1} workers), closed
 * by {@link #close()}. Results are bit-identical from run to run for a given thread count.
 */
public class CpuBackend extends ReferenceBackend {
    private final CpuPool pool;

    public CpuBackend(int threads) {
        this.pool = new CpuPool(threads > 0 ? threads : Runtime.getRuntime().availableProcessors());
    }

    @Override public String name() { return "cpu"; }

    public int threads() { return pool.threads(); }

    @Override public void close() { pool.close(); }

    @Override
    protected void matmulKernel(MemorySegment a, boolean ta, MemorySegment b, boolean tb, MemorySegment c,
                                float alpha, float beta, int[] dims) {
        FastGemm.matmul(pool, a, ta, b, tb, c, alpha, beta, dims);
    }

    /** BF16 B read as stored: widened lane by lane in the decoding path, and as it is packed in the blocked one. */
    @Override
    protected boolean matmulBf16BKernel(MemorySegment a, boolean ta, MemorySegment b, boolean tb, MemorySegment c,
                                        float alpha, float beta, int[] dims) {
        FastGemm.matmul(pool, a, ta, b, tb, true, c, alpha, beta, dims);
        return true;
    }

    // ------------------------------------------------------------------ elementwise

    @Override
    protected void addKernel(MemorySegment a, MemorySegment b, MemorySegment out, long n, long nb) {
        FastElementwise.add(pool, a, b, out, n, nb);
    }

    @Override
    protected void mulKernel(MemorySegment a, MemorySegment b, MemorySegment out, long n, long nb) {
        FastElementwise.mul(pool, a, b, out, n, nb);
    }

    @Override
    protected void scaleKernel(MemorySegment x, float s, MemorySegment out, long n) {
        FastElementwise.scale(pool, x, s, out, n);
    }

    @Override
    protected void axpyKernel(float alpha, MemorySegment x, MemorySegment y, long n) {
        FastElementwise.axpy(pool, alpha, x, y, n);
    }

    @Override
    protected void siluKernel(MemorySegment x, MemorySegment out, long n) {
        FastElementwise.silu(pool, x, out, n);
    }

    @Override
    protected void siluBackwardKernel(MemorySegment x, MemorySegment dout, MemorySegment dx, long n) {
        FastElementwise.siluBackward(pool, x, dout, dx, n);
    }

    @Override
    protected void geluKernel(MemorySegment x, boolean tanhApprox, MemorySegment out, long n) {
        FastElementwise.gelu(pool, x, tanhApprox, out, n);
    }

    @Override
    protected void geluBackwardKernel(MemorySegment x, boolean tanhApprox, MemorySegment dout, MemorySegment dx, long n) {
        FastElementwise.geluBackward(pool, x, tanhApprox, dout, dx, n);
    }

    @Override
    protected void swigluKernel(MemorySegment gate, MemorySegment up, MemorySegment out, long n) {
        FastElementwise.swiglu(pool, gate, up, out, n);
    }

    @Override
    protected void swigluBackwardKernel(MemorySegment gate, MemorySegment up, MemorySegment dout, MemorySegment dgate,
                                        MemorySegment dup, long n) {
        FastElementwise.swigluBackward(pool, gate, up, dout, dgate, dup, n);
    }

    @Override
    protected void ropeKernel(MemorySegment x, MemorySegment cos, MemorySegment sin, MemorySegment out,
                              long n, int heads, int d, float sign) {
        FastElementwise.rope(pool, x, cos, sin, out, n, heads, d, sign);
    }

    @Override
    protected void adamwKernel(MemorySegment p, MemorySegment g, MemorySegment m, MemorySegment v, AdamWParams hp, long n) {
        FastElementwise.adamw(pool, p, g, m, v, hp, n);
    }

    // ------------------------------------------------------------------ norms and softmax

    @Override
    protected void rmsnormKernel(MemorySegment x, MemorySegment w, float eps, MemorySegment out, MemorySegment rstd,
                                 long rows, int c) {
        FastNorm.rmsnorm(pool, x, w, eps, out, rstd, rows, c);
    }

    @Override
    protected void rmsnormBackwardKernel(MemorySegment x, MemorySegment w, MemorySegment rstd, MemorySegment dout,
                                         MemorySegment dx, MemorySegment dw, long rows, int c) {
        FastNorm.rmsnormBackward(pool, x, w, rstd, dout, dx, dw, rows, c);
    }

    @Override
    protected void layernormKernel(MemorySegment x, MemorySegment w, MemorySegment b, float eps, MemorySegment out,
                                   MemorySegment mean, MemorySegment rstd, long rows, int c) {
        FastNorm.layernorm(pool, x, w, b, eps, out, mean, rstd, rows, c);
    }

    @Override
    protected void layernormBackwardKernel(MemorySegment x, MemorySegment w, MemorySegment mean, MemorySegment rstd,
                                           MemorySegment dout, MemorySegment dx, MemorySegment dw, MemorySegment db,
                                           long rows, int c) {
        FastNorm.layernormBackward(pool, x, w, mean, rstd, dout, dx, dw, db, rows, c);
    }

    @Override
    protected void softmaxKernel(MemorySegment x, MemorySegment out, long rows, int c) {
        FastNorm.softmax(pool, x, out, rows, c);
    }

    @Override
    protected void softmaxBackwardKernel(MemorySegment y, MemorySegment dy, MemorySegment dx, long rows, int c) {
        FastNorm.softmaxBackward(pool, y, dy, dx, rows, c);
    }

    // ------------------------------------------------------------------ attention

    @Override
    protected void attentionKernel(MemorySegment q, MemorySegment k, MemorySegment v, AttentionSpec spec,
                                   MemorySegment out, MemorySegment lse, int hq, int hkv, int d) {
        FastAttention.forward(pool, q, k, v, spec, out, lse, hq, hkv, d);
    }

    @Override
    protected void attentionBackwardKernel(MemorySegment q, MemorySegment k, MemorySegment v, MemorySegment out,
                                           MemorySegment lse, MemorySegment dout, AttentionSpec spec, MemorySegment dq,
                                           MemorySegment dk, MemorySegment dv, int hq, int hkv, int d) {
        FastAttentionBackward.backward(pool, q, k, v, out, lse, dout, spec, dq, dk, dv, hq, hkv, d);
    }

    // ------------------------------------------------------------------ log-prob

    @Override
    protected void logprobKernel(MemorySegment h, MemorySegment w, MemorySegment targets, float temperature,
                                 MemorySegment logp, MemorySegment lse, int n, int c, int vocab) {
        FastLogprob.forward(pool, h, w, targets, temperature, logp, lse, n, c, vocab);
    }

    @Override
    protected void logprobBackwardKernel(MemorySegment h, MemorySegment w, MemorySegment targets, float temperature,
                                         MemorySegment lse, MemorySegment dlogp, MemorySegment dh, MemorySegment dw,
                                         int n, int c, int vocab) {
        FastLogprob.backward(pool, h, w, targets, temperature, lse, dlogp, dh, dw, n, c, vocab);
    }

    /** Rows in parallel, each through {@link FastSampling} (the reference's algorithm with vectorised exp/log). */
    @Override
    protected void sampleRows(MemorySegment lg, java.util.List<ai.pulsemind.backend.SampleRow> rows, MemorySegment pv,
                              MemorySegment o, int b, int v, int p) {
        pool.run(b, (r, w) -> {
            int[] prev = null;
            if (pv != null) {
                prev = new int[p];
                MemorySegment.copy(pv, Mem.I, (long) r * p * 4, prev, 0, p);
            }
            o.setAtIndex(Mem.I, r, FastSampling.sampleRow(lg, r, v, prev, rows.get(r)));
        });
    }

    @Override
    protected void attentionDecodeKernel(MemorySegment q, MemorySegment k, MemorySegment v, int[] slots, int[] lengths,
                                         float scale, MemorySegment out, int hq, int hkv, int d, int lmax) {
        FastDecode.decode(pool, q, k, v, slots, lengths, scale, out, hq, hkv, d, lmax);
    }
}
