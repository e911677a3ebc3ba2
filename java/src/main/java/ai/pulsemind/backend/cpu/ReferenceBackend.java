package ai.pulsemind.backend.cpu;

import ai.pulsemind.backend.AdamWParams;
import ai.pulsemind.backend.AttentionSpec;
import ai.pulsemind.backend.Backend;
import ai.pulsemind.backend.OpChecks;
import ai.pulsemind.backend.PatchSpec;
import ai.pulsemind.backend.RopeSpec;
import ai.pulsemind.backend.SampleRow;
import ai.pulsemind.backend.SamplingParams;
import ai.pulsemind.tensor.DType;
import ai.pulsemind.tensor.Device;
import ai.pulsemind.tensor.HostAllocator;
import ai.pulsemind.tensor.MemoryStats;
import ai.pulsemind.tensor.Shape;
import ai.pulsemind.tensor.Tensor;

import java.lang.foreign.MemorySegment;
import java.util.List;

import static ai.pulsemind.backend.OpChecks.f32;
import static ai.pulsemind.backend.OpChecks.ready;
import static ai.pulsemind.backend.OpChecks.sameShape;
import static ai.pulsemind.backend.OpChecks.shape;
import static ai.pulsemind.backend.cpu.Mem.seg;

/**
 * The plain CPU backend: scalar loops, double accumulators, one thread. It is the oracle every other path
 * (the fast CPU backend, CUDA) is tested against, so it stays obviously right rather than fast.
 * Non-goals: speed, dtypes other than F32 for compute.
 *
 * <p>Each op validates here, then calls a kernel method; {@link CpuBackend} overrides the kernels it speeds up
 * and inherits the validation.
 */
public class ReferenceBackend implements Backend {
    protected final Device dev = Device.CPU;

    @Override public String name() { return "cpu-reference"; }

    @Override public Device device() { return dev; }

    @Override public Tensor empty(DType dtype, Shape shape) { return Tensor.hostEmpty(dtype, shape); }

    @Override public void synchronize() {}

    @Override public MemoryStats memoryStats() { return HostAllocator.global().stats(); }

    @Override
    public void fill(Tensor dst, float value) {
        ready("fill", dev, dst);
        RefMemory.fill(dst, value);
    }

    @Override
    public void copy(Tensor src, Tensor dst) {
        src.checkAlive("copy");
        dst.checkAlive("copy");
        if (!src.device().isHost() || !dst.device().isHost())
            throw new IllegalArgumentException("copy: the CPU backend copies between host tensors only, got "
                    + src.device() + " → " + dst.device());
        sameShape("copy", src, dst);
        if (src.dtype() != dst.dtype())
            throw new IllegalArgumentException("copy: dtypes differ (" + src.dtype() + " → " + dst.dtype() + "); use convert");
        RefMemory.copy(src, dst);
    }

    @Override
    public void convert(Tensor src, Tensor dst) {
        ready("convert", dev, src, dst);
        sameShape("convert", src, dst);
        RefMemory.convert(src, dst);
    }

    // ------------------------------------------------------------------ linear algebra

    @Override
    public final void matmul(Tensor a, boolean ta, Tensor b, boolean tb, Tensor c, float alpha, float beta) {
        ready("matmul", dev, a, b, c);
        f32("matmul", a, b, c);
        int[] dims = OpChecks.matmul(a, ta, b, tb, c);
        matmulKernel(a.segment(), ta, b.segment(), tb, c.segment(), alpha, beta, dims);
    }

    /** dims = {B, M, N, K, Ba, Bb}. */
    protected void matmulKernel(MemorySegment a, boolean ta, MemorySegment b, boolean tb, MemorySegment c,
                                float alpha, float beta, int[] dims) {
        RefLinalg.matmul(a, ta, b, tb, c, alpha, beta, dims);
    }

    // ------------------------------------------------------------------ elementwise

    @Override
    public final void add(Tensor a, Tensor b, Tensor out) {
        binary("add", a, b, out);
        addKernel(a.segment(), b.segment(), out.segment(), a.numel(), b.numel());
    }

    @Override
    public final void mul(Tensor a, Tensor b, Tensor out) {
        binary("mul", a, b, out);
        mulKernel(a.segment(), b.segment(), out.segment(), a.numel(), b.numel());
    }

    private void binary(String op, Tensor a, Tensor b, Tensor out) {
        ready(op, dev, a, b, out);
        f32(op, a, b, out);
        OpChecks.broadcastSuffix(op, a, b);
        sameShape(op, a, out);
    }

    protected void addKernel(MemorySegment a, MemorySegment b, MemorySegment out, long n, long nb) {
        RefElementwise.add(a, b, out, n, nb);
    }

    protected void mulKernel(MemorySegment a, MemorySegment b, MemorySegment out, long n, long nb) {
        RefElementwise.mul(a, b, out, n, nb);
    }

    @Override
    public void scale(Tensor x, float s, Tensor out) {
        unary("scale", x, out);
        scaleKernel(x.segment(), s, out.segment(), x.numel());
    }

    protected void scaleKernel(MemorySegment x, float s, MemorySegment out, long n) {
        RefElementwise.scale(x, s, out, n);
    }

    @Override
    public void axpy(float alpha, Tensor x, Tensor y) {
        unary("axpy", x, y);
        axpyKernel(alpha, x.segment(), y.segment(), x.numel());
    }

    protected void axpyKernel(float alpha, MemorySegment x, MemorySegment y, long n) {
        RefElementwise.axpy(alpha, x, y, n);
    }

    protected final void unary(String op, Tensor x, Tensor out) {
        ready(op, dev, x, out);
        f32(op, x, out);
        sameShape(op, x, out);
    }

    @Override
    public void sumRows(Tensor x, Tensor out) {
        ready("sumRows", dev, x, out);
        f32("sumRows", x, out);
        shape("sumRows", "out", out, Shape.of(x.shape().last()));
        RefElementwise.sumRows(x.segment(), out.segment(), x.shape().rows(), x.shape().last());
    }

    @Override
    public void sum(Tensor x, Tensor out) {
        ready("sum", dev, x, out);
        f32("sum", x, out);
        if (out.numel() != 1) throw new IllegalArgumentException("sum: out must have one element, got " + out.shape());
        RefElementwise.sum(x.segment(), out.segment(), x.numel());
    }

    @Override
    public void argmax(Tensor x, Tensor out) {
        ready("argmax", dev, x, out);
        f32("argmax", x);
        OpChecks.dtype("argmax", "out", out, DType.I32);
        shape("argmax", "out", out, Shape.of((int) x.shape().rows()));
        RefElementwise.argmax(x.segment(), out.segment(), x.shape().rows(), x.shape().last());
    }

    /** The device sampler's algorithm ({@link RefSampling}), one row at a time. */
    @Override
    public void sample(Tensor logits, List<SampleRow> rows, Tensor prevIds, Tensor out) {
        int[] d = SamplingParams.check(dev, logits, rows, prevIds, out);
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
        unary("silu", x, out);
        siluKernel(x.segment(), out.segment(), x.numel());
    }

    protected void siluKernel(MemorySegment x, MemorySegment out, long n) {
        RefElementwise.silu(x, out, n);
    }

    @Override
    public void siluBackward(Tensor x, Tensor dout, Tensor dx) {
        unary("siluBackward", x, dout);
        unary("siluBackward", x, dx);
        siluBackwardKernel(x.segment(), dout.segment(), dx.segment(), x.numel());
    }

    protected void siluBackwardKernel(MemorySegment x, MemorySegment dout, MemorySegment dx, long n) {
        RefElementwise.siluBackward(x, dout, dx, n);
    }

    @Override
    public void gelu(Tensor x, boolean tanhApprox, Tensor out) {
        unary("gelu", x, out);
        geluKernel(x.segment(), tanhApprox, out.segment(), x.numel());
    }

    protected void geluKernel(MemorySegment x, boolean tanhApprox, MemorySegment out, long n) {
        RefElementwise.gelu(x, tanhApprox, out, n);
    }

    @Override
    public void geluBackward(Tensor x, boolean tanhApprox, Tensor dout, Tensor dx) {
        unary("geluBackward", x, dout);
        unary("geluBackward", x, dx);
        geluBackwardKernel(x.segment(), tanhApprox, dout.segment(), dx.segment(), x.numel());
    }

    protected void geluBackwardKernel(MemorySegment x, boolean tanhApprox, MemorySegment dout, MemorySegment dx, long n) {
        RefElementwise.geluBackward(x, tanhApprox, dout, dx, n);
    }

    @Override
    public void swiglu(Tensor gate, Tensor up, Tensor out) {
        unary("swiglu", gate, up);
        unary("swiglu", gate, out);
        swigluKernel(gate.segment(), up.segment(), out.segment(), gate.numel());
    }

    protected void swigluKernel(MemorySegment gate, MemorySegment up, MemorySegment out, long n) {
        RefElementwise.swiglu(gate, up, out, n);
    }

    @Override
    public void swigluBackward(Tensor gate, Tensor up, Tensor dout, Tensor dgate, Tensor dup) {
        unary("swigluBackward", gate, up);
        unary("swigluBackward", gate, dout);
        unary("swigluBackward", gate, dgate);
        unary("swigluBackward", gate, dup);
        swigluBackwardKernel(gate.segment(), up.segment(), dout.segment(), dgate.segment(), dup.segment(), gate.numel());
    }

    protected void swigluBackwardKernel(MemorySegment gate, MemorySegment up, MemorySegment dout, MemorySegment dgate,
                                        MemorySegment dup, long n) {
        RefElementwise.swigluBackward(gate, up, dout, dgate, dup, n);
    }

    // ------------------------------------------------------------------ norms

    @Override
    public void rmsnorm(Tensor x, Tensor w, float eps, Tensor out, Tensor rstd) {
        normArgs("rmsnorm", x, w, out, rstd);
        rmsnormKernel(x.segment(), w.segment(), eps, out.segment(), rstd.segment(), x.shape().rows(), x.shape().last());
    }

    protected void rmsnormKernel(MemorySegment x, MemorySegment w, float eps, MemorySegment out, MemorySegment rstd,
                                 long rows, int c) {
        RefNorm.rmsnorm(x, w, eps, out, rstd, rows, c);
    }

    @Override
    public void rmsnormBackward(Tensor x, Tensor w, Tensor rstd, Tensor dout, Tensor dx, Tensor dw) {
        normArgs("rmsnormBackward", x, w, dout, rstd);
        unary("rmsnormBackward", x, dx);
        if (dw != null) sameShape("rmsnormBackward (dw)", w, dw);
        ready("rmsnormBackward", dev, dw);
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
        normArgs("layernorm", x, w, out, rstd);
        sameShape("layernorm (b)", w, b);
        sameShape("layernorm (mean)", rstd, mean);
        ready("layernorm", dev, b, mean);
        layernormKernel(x.segment(), w.segment(), b.segment(), eps, out.segment(), mean.segment(), rstd.segment(),
                x.shape().rows(), x.shape().last());
    }

    protected void layernormKernel(MemorySegment x, MemorySegment w, MemorySegment b, float eps, MemorySegment out,
                                   MemorySegment mean, MemorySegment rstd, long rows, int c) {
        RefNorm.layernorm(x, w, b, eps, out, mean, rstd, rows, c);
    }

    @Override
    public void layernormBackward(Tensor x, Tensor w, Tensor mean, Tensor rstd, Tensor dout, Tensor dx, Tensor dw, Tensor db) {
        normArgs("layernormBackward", x, w, dout, rstd);
        unary("layernormBackward", x, dx);
        ready("layernormBackward", dev, mean, dw, db);
        layernormBackwardKernel(x.segment(), w.segment(), mean.segment(), rstd.segment(), dout.segment(), dx.segment(),
                seg(dw), seg(db), x.shape().rows(), x.shape().last());
    }

    /** dw, db may be null (frozen parameters). */
    protected void layernormBackwardKernel(MemorySegment x, MemorySegment w, MemorySegment mean, MemorySegment rstd,
                                           MemorySegment dout, MemorySegment dx, MemorySegment dw, MemorySegment db,
                                           long rows, int c) {
        RefNorm.layernormBackward(x, w, mean, rstd, dout, dx, dw, db, rows, c);
    }

    /** x (R, C), w (C), y (R, C), stat (R). */
    protected final void normArgs(String op, Tensor x, Tensor w, Tensor y, Tensor stat) {
        ready(op, dev, x, w, y, stat);
        f32(op, x, w, y, stat);
        shape(op, "weight", w, Shape.of(x.shape().last()));
        sameShape(op, x, y);
        shape(op, "row statistics", stat, Shape.of((int) x.shape().rows()));
    }

    @Override
    public void softmax(Tensor x, Tensor out) {
        unary("softmax", x, out);
        softmaxKernel(x.segment(), out.segment(), x.shape().rows(), x.shape().last());
    }

    protected void softmaxKernel(MemorySegment x, MemorySegment out, long rows, int c) {
        RefNorm.softmax(x, out, rows, c);
    }

    @Override
    public void softmaxBackward(Tensor y, Tensor dy, Tensor dx) {
        unary("softmaxBackward", y, dy);
        unary("softmaxBackward", y, dx);
        softmaxBackwardKernel(y.segment(), dy.segment(), dx.segment(), y.shape().rows(), y.shape().last());
    }

    protected void softmaxBackwardKernel(MemorySegment y, MemorySegment dy, MemorySegment dx, long rows, int c) {
        RefNorm.softmaxBackward(y, dy, dx, rows, c);
    }

    // ------------------------------------------------------------------ rotary

    @Override
    public void ropeTable(RopeSpec spec, Tensor positions, Tensor cos, Tensor sin) {
        ready("ropeTable", dev, positions, cos, sin);
        OpChecks.dtype("ropeTable", "positions", positions, DType.I32);
        OpChecks.rank("ropeTable", "positions", positions, 2);
        if (positions.dim(0) != spec.axes())
            throw new IllegalArgumentException("ropeTable: positions has " + positions.dim(0) + " rows, the spec needs " + spec.axes());
        Shape table = Shape.of(positions.dim(1), spec.headDim() / 2);
        shape("ropeTable", "cos", cos, table);
        shape("ropeTable", "sin", sin, table);
        f32("ropeTable", cos, sin);
        RefRope.table(spec, positions.segment(), positions.dim(1), cos.segment(), sin.segment());
    }

    @Override
    public void rope(Tensor x, Tensor cos, Tensor sin, Tensor out) {
        ropeArgs("rope", x, cos, sin, out);
        ropeKernel(x.segment(), cos.segment(), sin.segment(), out.segment(), x.dim(0), x.dim(1), x.dim(2), 1f);
    }

    @Override
    public void ropeBackward(Tensor dout, Tensor cos, Tensor sin, Tensor dx) {
        ropeArgs("ropeBackward", dout, cos, sin, dx);
        ropeKernel(dout.segment(), cos.segment(), sin.segment(), dx.segment(), dout.dim(0), dout.dim(1), dout.dim(2), -1f);
    }

    /** x, out (N, H, D), may alias; cos, sin (N, D/2); {@code sign} -1 rotates backwards (the gradient). */
    protected void ropeKernel(MemorySegment x, MemorySegment cos, MemorySegment sin, MemorySegment out,
                              long n, int heads, int d, float sign) {
        RefRope.rotate(x, cos, sin, out, n, heads, d, sign);
    }

    protected final void ropeArgs(String op, Tensor x, Tensor cos, Tensor sin, Tensor out) {
        ready(op, dev, x, cos, sin, out);
        f32(op, x, cos, sin, out);
        OpChecks.rank(op, "x", x, 3);
        if (x.dim(2) % 2 != 0) throw new IllegalArgumentException(op + ": head dim " + x.dim(2) + " must be even");
        Shape table = Shape.of(x.dim(0), x.dim(2) / 2);
        shape(op, "cos", cos, table);
        shape(op, "sin", sin, table);
        sameShape(op, x, out);
    }

    // ------------------------------------------------------------------ attention

    @Override
    public void attention(Tensor q, Tensor k, Tensor v, AttentionSpec spec, Tensor out, Tensor lse) {
        ready("attention", dev, q, k, v, out, lse);
        f32("attention", q, k, v, out, lse);
        int[] h = OpChecks.attention(q, k, v, spec, out, lse);
        attentionKernel(q.segment(), k.segment(), v.segment(), spec, out.segment(), lse.segment(), h[0], h[1], h[2]);
    }

    protected void attentionKernel(MemorySegment q, MemorySegment k, MemorySegment v, AttentionSpec spec,
                                   MemorySegment out, MemorySegment lse, int hq, int hkv, int d) {
        RefAttention.forward(q, k, v, spec, out, lse, hq, hkv, d);
    }

    @Override
    public void attentionBackward(Tensor q, Tensor k, Tensor v, Tensor out, Tensor lse, Tensor dout, AttentionSpec spec,
                                  Tensor dq, Tensor dk, Tensor dv) {
        ready("attentionBackward", dev, q, k, v, out, lse, dout, dq, dk, dv);
        f32("attentionBackward", q, k, v, out, lse, dout, dq, dk, dv);
        int[] h = OpChecks.attention(q, k, v, spec, out, lse);
        sameShape("attentionBackward (dout)", q, dout);
        sameShape("attentionBackward (dq)", q, dq);
        sameShape("attentionBackward (dk)", k, dk);
        sameShape("attentionBackward (dv)", v, dv);
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
        ready("attentionDecode", dev, q, kCache, vCache, out);
        f32("attentionDecode", q, kCache, vCache, out);
        int[] h = OpChecks.attentionDecode(q, kCache, vCache, slots, lengths, out);
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
        ready("gatherRows", dev, table, idx, out);
        OpChecks.gatherRows("gatherRows", table, idx, out);
        RefMemory.gatherRows(table, idx.segment(), out, idx.dim(0));
    }

    @Override
    public void scatterAddRows(Tensor src, Tensor idx, Tensor dst) {
        ready("scatterAddRows", dev, src, idx, dst);
        f32("scatterAddRows", src, dst);
        OpChecks.dtype("scatterAddRows", "idx", idx, DType.I32);
        OpChecks.rank("scatterAddRows", "dst", dst, 2);
        shape("scatterAddRows", "src", src, Shape.of(idx.dim(0), dst.dim(1)));
        RefMemory.scatterAddRows(src.segment(), idx.segment(), dst.segment(), idx.dim(0), dst.dim(1), dst.dim(0));
    }

    // ------------------------------------------------------------------ log-prob

    @Override
    public void logprob(Tensor hidden, Tensor weight, Tensor targets, float temperature, Tensor logp, Tensor lse) {
        logprobArgs("logprob", hidden, weight, targets, temperature, logp, lse);
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
        logprobArgs("logprobBackward", hidden, weight, targets, temperature, dlogp, lse);
        ready("logprobBackward", dev, dhidden, dweight);
        sameShape("logprobBackward (dhidden)", hidden, dhidden);
        if (dweight != null) sameShape("logprobBackward (dweight)", weight, dweight);
        logprobBackwardKernel(hidden.segment(), weight.segment(), targets.segment(), temperature, lse.segment(),
                dlogp.segment(), dhidden.segment(), seg(dweight), hidden.dim(0), hidden.dim(1), weight.dim(0));
    }

    protected void logprobBackwardKernel(MemorySegment h, MemorySegment w, MemorySegment targets, float temperature,
                                         MemorySegment lse, MemorySegment dlogp, MemorySegment dh, MemorySegment dw,
                                         int n, int c, int vocab) {
        RefLogprob.backward(h, w, targets, temperature, lse, dlogp, dh, dw, n, c, vocab);
    }

    private void logprobArgs(String op, Tensor hidden, Tensor weight, Tensor targets, float temperature, Tensor perRow, Tensor lse) {
        ready(op, dev, hidden, weight, targets, perRow, lse);
        f32(op, hidden, weight, perRow, lse);
        OpChecks.rank(op, "hidden", hidden, 2);
        OpChecks.rank(op, "weight", weight, 2);
        OpChecks.dtype(op, "targets", targets, DType.I32);
        if (weight.dim(1) != hidden.dim(1))
            throw new IllegalArgumentException(op + ": hidden " + hidden.shape() + " and weight " + weight.shape() + " differ in C");
        Shape rows = Shape.of(hidden.dim(0));
        shape(op, "targets", targets, rows);
        shape(op, "per-row output", perRow, rows);
        shape(op, "lse", lse, rows);
        if (!(temperature > 0)) throw new IllegalArgumentException(op + ": temperature must be > 0, got " + temperature);
    }

    // ------------------------------------------------------------------ patches

    @Override
    public void extractPatches(Tensor frames, PatchSpec spec, Tensor patches) {
        int[] fs = patchArgs("extractPatches", frames, spec, patches);
        RefMemory.patches(frames.segment(), patches.segment(), spec, fs, false);
    }

    @Override
    public void foldPatches(Tensor patches, PatchSpec spec, Tensor frames) {
        int[] fs = patchArgs("foldPatches", frames, spec, patches);
        RefMemory.patches(frames.segment(), patches.segment(), spec, fs, true);
    }

    private int[] patchArgs(String op, Tensor frames, PatchSpec sp, Tensor patches) {
        ready(op, dev, frames, patches);
        f32(op, frames, patches);
        return OpChecks.patches(op, frames, sp, patches);
    }

    // ------------------------------------------------------------------ optimiser

    @Override
    public void adamw(Tensor param, Tensor grad, Tensor m, Tensor v, AdamWParams hp) {
        ready("adamw", dev, param, grad, m, v);
        f32("adamw", param, grad, m, v);
        sameShape("adamw (grad)", param, grad);
        sameShape("adamw (m)", param, m);
        sameShape("adamw (v)", param, v);
        adamwKernel(param.segment(), grad.segment(), m.segment(), v.segment(), hp, param.numel());
    }

    protected void adamwKernel(MemorySegment p, MemorySegment g, MemorySegment m, MemorySegment v, AdamWParams hp, long n) {
        double bc1 = 1 - Math.pow(hp.beta1(), hp.step()), bc2 = 1 - Math.pow(hp.beta2(), hp.step());
        for (long i = 0; i < n; i++) {
            double gi = Mem.f(g, i);
            double mi = hp.beta1() * Mem.f(m, i) + (1 - hp.beta1()) * gi;
            double vi = hp.beta2() * Mem.f(v, i) + (1 - hp.beta2()) * gi * gi;
            double pi = Mem.f(p, i) * (1 - (double) hp.lr() * hp.weightDecay());
            pi -= hp.lr() / bc1 * mi / (Math.sqrt(vi) / Math.sqrt(bc2) + hp.eps());
            Mem.f(m, i, (float) mi);
            Mem.f(v, i, (float) vi);
            Mem.f(p, i, (float) pi);
        }
    }

    // ------------------------------------------------------------------ CRPO advantage

    @Override
    public void crpoAdvantage(Tensor verdicts, Tensor weights, float tieScore, AdvantageScaling scaling, float eps,
                              Tensor rewards, Tensor advantages) {
        int[] d = Crpo.check(dev, verdicts, weights, eps, rewards, advantages);
        RefCrpo.advantage(verdicts.segment(), weights.segment(), tieScore, scaling, eps, rewards.segment(),
                advantages.segment(), d[0], d[1], d[2], d[3]);
    }
}
