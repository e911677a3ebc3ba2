package ai.pulsemind.backend.cpu;

import ai.pulsemind.backend.AdamWParams;
import ai.pulsemind.backend.AttentionSpec;
import ai.pulsemind.backend.Backend;
import ai.pulsemind.backend.OpChecks;
import ai.pulsemind.backend.PatchSpec;
import ai.pulsemind.backend.RopeSpec;
import ai.pulsemind.backend.SampleRow;
import ai.pulsemind.tensor.DType;
import ai.pulsemind.tensor.Device;
import ai.pulsemind.tensor.HostAllocator;
import ai.pulsemind.tensor.MemoryStats;
import ai.pulsemind.tensor.Shape;
import ai.pulsemind.tensor.Tensor;

import java.lang.foreign.MemorySegment;
import java.util.List;

import static ai.pulsemind.backend.cpu.Mem.seg;

/**
 * The plain CPU backend: scalar loops, double accumulators, one thread. It is the oracle every other path
 * (the fast CPU backend, CUDA) is tested against, so it stays obviously right rather than fast.
 * Non-goals: speed, dtypes other than F32 for compute.
 *
 * <p>Each op validates here (the shared {@link OpChecks} contract with the CPU dtype rules, {@link CpuDtypes}),
 * then calls a kernel method; {@link CpuBackend} overrides the kernels it speeds up and inherits the validation.
 */
public class ReferenceBackend implements Backend {
    protected final Device dev = Device.CPU;
    protected final OpChecks checks = new OpChecks(dev, CpuDtypes.RULES);

    @Override public String name() { return "cpu-reference"; }

    @Override public Device device() { return dev; }

    @Override public Tensor empty(DType dtype, Shape shape) { return Tensor.hostEmpty(dtype, shape); }

    @Override public void synchronize() {}

    @Override public MemoryStats memoryStats() { return HostAllocator.global().stats(); }

    @Override
    public void fill(Tensor dst, float value) {
        checks.fill(dst);
        RefMemory.fill(dst, value);
    }

    @Override
    public void copy(Tensor src, Tensor dst) {
        checks.copy(src, dst);
        if (!src.device().isHost() || !dst.device().isHost())
            throw new IllegalArgumentException("copy: the CPU backend copies between host tensors only, got "
                    + src.device() + " → " + dst.device());
        RefMemory.copy(src, dst);
    }

    @Override
    public void convert(Tensor src, Tensor dst) {
        checks.convert(src, dst);
        RefMemory.convert(src, dst);
    }

    // ------------------------------------------------------------------ linear algebra

    @Override
    public final void matmul(Tensor a, boolean ta, Tensor b, boolean tb, Tensor c, float alpha, float beta) {
        int[] dims = checks.matmul(a, ta, b, tb, c);
        if (a.dtype() == DType.F32 && b.dtype() == DType.F32) {
            matmulKernel(a.segment(), ta, b.segment(), tb, c.segment(), alpha, beta, dims);
            return;
        }
        // A BF16 operand (a weight kept as stored): read directly where a kernel can, else widened first. Either
        // way every product is the same F32 arithmetic on the exactly widened values, so the result is the one
        // the widened F32 weight gives, bit for bit.
        if (a.dtype() == DType.F32 && matmulBf16BKernel(a.segment(), ta, b.segment(), tb, c.segment(), alpha, beta, dims)) return;
        Tensor wa = widened(a), wb = widened(b);
        try {
            matmulKernel(wa.segment(), ta, wb.segment(), tb, c.segment(), alpha, beta, dims);
        } finally {
            if (wa != a) wa.close();
            if (wb != b) wb.close();
        }
    }

    private Tensor widened(Tensor t) {
        if (t.dtype() == DType.F32) return t;
        Tensor w = empty(DType.F32, t.shape());
        RefMemory.convert(t, w);
        return w;
    }

    /**
     * C from F32 A and BF16 B without widening B first, when this backend has a kernel for the shape; returns
     * false otherwise (the reference has none).
     */
    protected boolean matmulBf16BKernel(MemorySegment a, boolean ta, MemorySegment b, boolean tb, MemorySegment c,
                                        float alpha, float beta, int[] dims) {
        return false;
    }

    /** The CPU backends multiply F32 activations by BF16 weights as stored: half the bytes read per decoded token. */
    @Override public boolean takesBf16Weights() { return true; }

    /** dims = {B, M, N, K, Ba, Bb}. */
    protected void matmulKernel(MemorySegment a, boolean ta, MemorySegment b, boolean tb, MemorySegment c,
                                float alpha, float beta, int[] dims) {
        RefLinalg.matmul(a, ta, b, tb, c, alpha, beta, dims);
    }

    // ------------------------------------------------------------------ elementwise

    @Override
    public final void add(Tensor a, Tensor b, Tensor out) {
        checks.binary("add", a, b, out);
        addKernel(a.segment(), b.segment(), out.segment(), a.numel(), b.numel());
    }

    @Override
    public final void mul(Tensor a, Tensor b, Tensor out) {
        checks.binary("mul", a, b, out);
        mulKernel(a.segment(), b.segment(), out.segment(), a.numel(), b.numel());
    }

    protected void addKernel(MemorySegment a, MemorySegment b, MemorySegment out, long n, long nb) {
        RefElementwise.add(a, b, out, n, nb);
    }

    protected void mulKernel(MemorySegment a, MemorySegment b, MemorySegment out, long n, long nb) {
        RefElementwise.mul(a, b, out, n, nb);
    }

    @Override
    public void scale(Tensor x, float s, Tensor out) {
        checks.unary("scale", x, out);
        scaleKernel(x.segment(), s, out.segment(), x.numel());
    }

    protected void scaleKernel(MemorySegment x, float s, MemorySegment out, long n) {
        RefElementwise.scale(x, s, out, n);
    }

    @Override
    public void axpy(float alpha, Tensor x, Tensor y) {
        checks.axpy(x, y);
        axpyKernel(alpha, x.segment(), y.segment(), x.numel());
    }

    protected void axpyKernel(float alpha, MemorySegment x, MemorySegment y, long n) {
        RefElementwise.axpy(alpha, x, y, n);
    }

    @Override
    public void sumRows(Tensor x, Tensor out) {
        checks.sumRows(x, out);
        RefElementwise.sumRows(x.segment(), out.segment(), x.shape().rows(), x.shape().last());
    }

    @Override
    public void sum(Tensor x, Tensor out) {
        checks.sum(x, out);
        RefElementwise.sum(x.segment(), out.segment(), x.numel());
    }

    @Override
    public void argmax(Tensor x, Tensor out) {
        checks.argmax(x, out);
        RefElementwise.argmax(x.segment(), out.segment(), x.shape().rows(), x.shape().last());
    }

    /** The device sampler's algorithm ({@link RefSampling}), one row at a time. */
    @Override
    public void sample(Tensor logits, List<SampleRow> rows, Tensor prevIds, Tensor out) {
        int[] d = checks.sample(logits, rows, prevIds, out);
        sampleRows(logits.segment(), rows, seg(prevIds), out.segment(), d[0], d[1], d[2]);
    }

    /** Rows [0, b) of (B, V) logits with (B, P) previous ids (or null) into out (B). */
    protected void sampleRows(MemorySegment lg, List<SampleRow> rows, MemorySegment pv, MemorySegment o, int b, int v, int p) {
        for (int r = 0; r < b; r++) o.setAtIndex(Mem.I, r, sampleOne(lg, rows.get(r), pv, r, v, p));
    }

    static int sampleOne(MemorySegment lg, SampleRow row, MemorySegment pv, int r, int v, int p) {
        float[] x = new float[v];
        MemorySegment.copy(lg, Mem.F, (long) r * v * 4, x, 0, v);
        int[] prev = null;
        if (pv != null) {
            prev = new int[p];
            MemorySegment.copy(pv, Mem.I, (long) r * p * 4, prev, 0, p);
        }
        return RefSampling.sampleRow(x, prev, row);
    }

    @Override
    public void silu(Tensor x, Tensor out) {
        checks.unary("silu", x, out);
        siluKernel(x.segment(), out.segment(), x.numel());
    }

    protected void siluKernel(MemorySegment x, MemorySegment out, long n) {
        RefElementwise.silu(x, out, n);
    }

    @Override
    public void siluBackward(Tensor x, Tensor dout, Tensor dx) {
        checks.unaryBackward("siluBackward", x, dout, dx);
        siluBackwardKernel(x.segment(), dout.segment(), dx.segment(), x.numel());
    }

    protected void siluBackwardKernel(MemorySegment x, MemorySegment dout, MemorySegment dx, long n) {
        RefElementwise.siluBackward(x, dout, dx, n);
    }

    @Override
    public void gelu(Tensor x, boolean tanhApprox, Tensor out) {
        checks.unary("gelu", x, out);
        geluKernel(x.segment(), tanhApprox, out.segment(), x.numel());
    }

    protected void geluKernel(MemorySegment x, boolean tanhApprox, MemorySegment out, long n) {
        RefElementwise.gelu(x, tanhApprox, out, n);
    }

    @Override
    public void geluBackward(Tensor x, boolean tanhApprox, Tensor dout, Tensor dx) {
        checks.unaryBackward("geluBackward", x, dout, dx);
        geluBackwardKernel(x.segment(), tanhApprox, dout.segment(), dx.segment(), x.numel());
    }

    protected void geluBackwardKernel(MemorySegment x, boolean tanhApprox, MemorySegment dout, MemorySegment dx, long n) {
        RefElementwise.geluBackward(x, tanhApprox, dout, dx, n);
    }

    @Override
    public void swiglu(Tensor gate, Tensor up, Tensor out) {
        checks.swiglu(gate, up, out);
        swigluKernel(gate.segment(), up.segment(), out.segment(), gate.numel());
    }

    protected void swigluKernel(MemorySegment gate, MemorySegment up, MemorySegment out, long n) {
        RefElementwise.swiglu(gate, up, out, n);
    }

    @Override
    public void swigluBackward(Tensor gate, Tensor up, Tensor dout, Tensor dgate, Tensor dup) {
        checks.swigluBackward(gate, up, dout, dgate, dup);
        swigluBackwardKernel(gate.segment(), up.segment(), dout.segment(), dgate.segment(), dup.segment(), gate.numel());
    }

    protected void swigluBackwardKernel(MemorySegment gate, MemorySegment up, MemorySegment dout, MemorySegment dgate,
                                        MemorySegment dup, long n) {
        RefElementwise.swigluBackward(gate, up, dout, dgate, dup, n);
    }

    // ------------------------------------------------------------------ norms

    @Override
    public void rmsnorm(Tensor x, Tensor w, float eps, Tensor out, Tensor rstd) {
        checks.rmsnorm(x, w, out, rstd);
        rmsnormKernel(x.segment(), w.segment(), eps, out.segment(), rstd.segment(), x.shape().rows(), x.shape().last());
    }

    protected void rmsnormKernel(MemorySegment x, MemorySegment w, float eps, MemorySegment out, MemorySegment rstd,
                                 long rows, int c) {
        RefNorm.rmsnorm(x, w, eps, out, rstd, rows, c);
    }

    @Override
    public void rmsnormBackward(Tensor x, Tensor w, Tensor rstd, Tensor dout, Tensor dx, Tensor dw) {
        checks.rmsnormBackward(x, w, rstd, dout, dx, dw);
        rmsnormBackwardKernel(x.segment(), w.segment(), rstd.segment(), dout.segment(), dx.segment(), seg(dw),
                x.shape().rows(), x.shape().last());
    }

    /** dw may be null (frozen weight). */
    protected void rmsnormBackwardKernel(MemorySegment x, MemorySegment w, MemorySegment rstd, MemorySegment dout,
                                         MemorySegment dx, MemorySegment dw, long rows, int c) {
        RefNorm.rmsnormBackward(x, w, rstd, dout, dx, dw, rows, c);
    }

    @Override
    public void layernorm(Tensor x, Tensor w, Tensor b, float eps, Tensor out, Tensor mean, Tensor rstd) {
        checks.layernorm(x, w, b, out, mean, rstd);
        layernormKernel(x.segment(), w.segment(), b.segment(), eps, out.segment(), mean.segment(), rstd.segment(),
                x.shape().rows(), x.shape().last());
    }

    protected void layernormKernel(MemorySegment x, MemorySegment w, MemorySegment b, float eps, MemorySegment out,
                                   MemorySegment mean, MemorySegment rstd, long rows, int c) {
        RefNorm.layernorm(x, w, b, eps, out, mean, rstd, rows, c);
    }

    @Override
    public void layernormBackward(Tensor x, Tensor w, Tensor mean, Tensor rstd, Tensor dout, Tensor dx, Tensor dw, Tensor db) {
        checks.layernormBackward(x, w, mean, rstd, dout, dx, dw, db);
        layernormBackwardKernel(x.segment(), w.segment(), mean.segment(), rstd.segment(), dout.segment(), dx.segment(),
                seg(dw), seg(db), x.shape().rows(), x.shape().last());
    }

    /** dw, db may be null (frozen parameters). */
    protected void layernormBackwardKernel(MemorySegment x, MemorySegment w, MemorySegment mean, MemorySegment rstd,
                                           MemorySegment dout, MemorySegment dx, MemorySegment dw, MemorySegment db,
                                           long rows, int c) {
        RefNorm.layernormBackward(x, w, mean, rstd, dout, dx, dw, db, rows, c);
    }

    @Override
    public void softmax(Tensor x, Tensor out) {
        checks.unary("softmax", x, out);
        softmaxKernel(x.segment(), out.segment(), x.shape().rows(), x.shape().last());
    }

    protected void softmaxKernel(MemorySegment x, MemorySegment out, long rows, int c) {
        RefNorm.softmax(x, out, rows, c);
    }

    @Override
    public void softmaxBackward(Tensor y, Tensor dy, Tensor dx) {
        checks.unaryBackward("softmaxBackward", y, dy, dx);
        softmaxBackwardKernel(y.segment(), dy.segment(), dx.segment(), y.shape().rows(), y.shape().last());
    }

    protected void softmaxBackwardKernel(MemorySegment y, MemorySegment dy, MemorySegment dx, long rows, int c) {
        RefNorm.softmaxBackward(y, dy, dx, rows, c);
    }

    // ------------------------------------------------------------------ rotary

    @Override
    public void ropeTable(RopeSpec spec, Tensor positions, Tensor cos, Tensor sin) {
        checks.ropeTable(spec, positions, cos, sin);
        RefRope.table(spec, positions.segment(), positions.dim(1), cos.segment(), sin.segment());
    }

    @Override
    public void rope(Tensor x, Tensor cos, Tensor sin, Tensor out) {
        checks.rope("rope", x, cos, sin, out);
        ropeKernel(x.segment(), cos.segment(), sin.segment(), out.segment(), x.dim(0), x.dim(1), x.dim(2), 1f);
    }

    @Override
    public void ropeBackward(Tensor dout, Tensor cos, Tensor sin, Tensor dx) {
        checks.rope("ropeBackward", dout, cos, sin, dx);
        ropeKernel(dout.segment(), cos.segment(), sin.segment(), dx.segment(), dout.dim(0), dout.dim(1), dout.dim(2), -1f);
    }

    /** x, out (N, H, D), may alias; cos, sin (N, D/2); {@code sign} -1 rotates backwards (the gradient). */
    protected void ropeKernel(MemorySegment x, MemorySegment cos, MemorySegment sin, MemorySegment out,
                              long n, int heads, int d, float sign) {
        RefRope.rotate(x, cos, sin, out, n, heads, d, sign);
    }

    // ------------------------------------------------------------------ attention

    @Override
    public void attention(Tensor q, Tensor k, Tensor v, AttentionSpec spec, Tensor out, Tensor lse) {
        int[] h = checks.attention(q, k, v, spec, out, lse);
        attentionKernel(q.segment(), k.segment(), v.segment(), spec, out.segment(), lse.segment(), h[0], h[1], h[2]);
    }

    protected void attentionKernel(MemorySegment q, MemorySegment k, MemorySegment v, AttentionSpec spec,
                                   MemorySegment out, MemorySegment lse, int hq, int hkv, int d) {
        RefAttention.forward(q, k, v, spec, out, lse, hq, hkv, d);
    }

    @Override
    public void attentionBackward(Tensor q, Tensor k, Tensor v, Tensor out, Tensor lse, Tensor dout, AttentionSpec spec,
                                  Tensor dq, Tensor dk, Tensor dv) {
        int[] h = checks.attentionBackward(q, k, v, out, lse, dout, spec, dq, dk, dv);
        attentionBackwardKernel(q.segment(), k.segment(), v.segment(), out.segment(), lse.segment(), dout.segment(), spec,
                dq.segment(), dk.segment(), dv.segment(), h[0], h[1], h[2]);
    }

    protected void attentionBackwardKernel(MemorySegment q, MemorySegment k, MemorySegment v, MemorySegment out,
                                           MemorySegment lse, MemorySegment dout, AttentionSpec spec, MemorySegment dq,
                                           MemorySegment dk, MemorySegment dv, int hq, int hkv, int d) {
        RefAttention.backward(q, k, v, out, lse, dout, spec, dq, dk, dv, hq, hkv, d);
    }

    @Override
    public void attentionDecode(Tensor q, Tensor kCache, Tensor vCache, int[] slots, int[] lengths, float scale, Tensor out) {
        int[] h = checks.attentionDecode(q, kCache, vCache, slots, lengths, out);
        attentionDecodeKernel(q.segment(), kCache.segment(), vCache.segment(),
                slots != null ? slots : OpChecks.identitySlots(lengths.length), lengths, scale, out.segment(), h[0], h[1], h[2], h[3]);
    }

    /** h = {Hq, Hkv, D, Lmax}; query row b reads cache slot slots[b]. */
    protected void attentionDecodeKernel(MemorySegment q, MemorySegment k, MemorySegment v, int[] slots, int[] lengths,
                                         float scale, MemorySegment out, int hq, int hkv, int d, int lmax) {
        RefAttention.decode(q, k, v, slots, lengths, scale, out, hq, hkv, d, lmax);
    }

    // ------------------------------------------------------------------ gathers

    @Override
    public void gatherRows(Tensor table, Tensor idx, Tensor out) {
        checks.gatherRows(table, idx, out);
        RefMemory.gatherRows(table, idx.segment(), out, idx.dim(0));
    }

    @Override
    public void scatterAddRows(Tensor src, Tensor idx, Tensor dst) {
        checks.scatterAddRows(src, idx, dst);
        RefMemory.scatterAddRows(src.segment(), idx.segment(), dst.segment(), idx.dim(0), dst.dim(1), dst.dim(0));
    }

    // ------------------------------------------------------------------ log-prob

    @Override
    public void logprob(Tensor hidden, Tensor weight, Tensor targets, float temperature, Tensor logp, Tensor lse) {
        checks.logprob(hidden, weight, targets, temperature, logp, lse);
        logprobKernel(hidden.segment(), weight.segment(), targets.segment(), temperature, logp.segment(), lse.segment(),
                hidden.dim(0), hidden.dim(1), weight.dim(0));
    }

    protected void logprobKernel(MemorySegment h, MemorySegment w, MemorySegment targets, float temperature,
                                 MemorySegment logp, MemorySegment lse, int n, int c, int vocab) {
        RefLogprob.forward(h, w, targets, temperature, logp, lse, n, c, vocab);
    }

    @Override
    public void logprobBackward(Tensor hidden, Tensor weight, Tensor targets, float temperature, Tensor lse, Tensor dlogp,
                                Tensor dhidden, Tensor dweight) {
        checks.logprobBackward(hidden, weight, targets, temperature, lse, dlogp, dhidden, dweight);
        logprobBackwardKernel(hidden.segment(), weight.segment(), targets.segment(), temperature, lse.segment(),
                dlogp.segment(), dhidden.segment(), seg(dweight), hidden.dim(0), hidden.dim(1), weight.dim(0));
    }

    protected void logprobBackwardKernel(MemorySegment h, MemorySegment w, MemorySegment targets, float temperature,
                                         MemorySegment lse, MemorySegment dlogp, MemorySegment dh, MemorySegment dw,
                                         int n, int c, int vocab) {
        RefLogprob.backward(h, w, targets, temperature, lse, dlogp, dh, dw, n, c, vocab);
    }

    // ------------------------------------------------------------------ patches

    @Override
    public void extractPatches(Tensor frames, PatchSpec spec, Tensor patches) {
        int[] fs = checks.patches("extractPatches", frames, spec, patches);
        RefMemory.patches(frames.segment(), patches.segment(), spec, fs, false);
    }

    @Override
    public void foldPatches(Tensor patches, PatchSpec spec, Tensor frames) {
        int[] fs = checks.patches("foldPatches", frames, spec, patches);
        RefMemory.patches(frames.segment(), patches.segment(), spec, fs, true);
    }

    // ------------------------------------------------------------------ optimiser

    @Override
    public void adamw(Tensor param, Tensor grad, Tensor m, Tensor v, AdamWParams hp, Tensor compute) {
        checks.adamw(param, grad, m, v, compute);
        adamwKernel(param.segment(), grad.segment(), m.segment(), v.segment(), hp, param.numel());
        if (compute != null) convert(param, compute);
    }

    protected void adamwKernel(MemorySegment p, MemorySegment g, MemorySegment m, MemorySegment v, AdamWParams hp, long n) {
        double bc1 = hp.biasCorrection1(), bc2 = hp.biasCorrection2();
        for (long i = 0; i < n; i++) {
            double gi = (double) Mem.f(g, i) * hp.gradScale();
            double mi = hp.beta1() * Mem.f(m, i) + (1 - hp.beta1()) * gi;
            double vi = hp.beta2() * Mem.f(v, i) + (1 - hp.beta2()) * gi * gi;
            double pi = Mem.f(p, i) * (1 - (double) hp.lr() * hp.weightDecay());
            pi -= hp.lr() / bc1 * mi / (Math.sqrt(vi) / Math.sqrt(bc2) + hp.eps());
            Mem.f(m, i, (float) mi);
            Mem.f(v, i, (float) vi);
            Mem.f(p, i, (float) pi);
        }
    }
}
