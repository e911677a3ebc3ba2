package ai.pulsemind.autograd;

import ai.pulsemind.backend.AttentionSpec;
import ai.pulsemind.backend.Backend;
import ai.pulsemind.backend.PatchSpec;
import ai.pulsemind.tensor.DType;
import ai.pulsemind.tensor.GradMode;
import ai.pulsemind.tensor.Shape;
import ai.pulsemind.tensor.Tensor;

import java.util.function.Function;

/**
 * Differentiable ops on one backend. Each allocates its output, runs the backend's forward and, when grad mode is
 * on and an input requires grad, records a {@link Node} whose backward calls the backend's hand-written backward.
 * Under {@link GradMode#disabled()} nothing is recorded, so the same model code serves inference.
 *
 * <p>Shapes follow the backend's conventions: ops over "rows" see a tensor as (R, C) with C the last dim.
 *
 * <p>Dtypes: outputs take their inputs' dtype (the backend's {@link Backend#computeDtype()} when the model put its
 * weights there), except what the backends keep in F32 whatever the compute dtype: row statistics, attention
 * log-sum-exps, log-probs, sums, and the parameter gradients kernels produce (norm weights, biases, embedding
 * tables, LM heads). An activation's gradient has the activation's dtype, so the engine can sum gradients that
 * meet; a leaf (a parameter) takes an F32 gradient as it is, accumulated into its {@code grad}. On the CPU
 * everything is F32 and none of this converts anything.
 */
public final class Ops {
    private final Backend be;

    public Ops(Backend backend) { this.be = backend; }

    public Backend backend() { return be; }

    /** Runs the backward pass from a scalar loss. */
    public void backward(Tensor loss) { Autograd.backward(be, loss); }

    private Tensor like(Tensor t) { return be.empty(t.dtype(), t.shape()); }

    private static boolean track(Tensor... ins) {
        if (!GradMode.isEnabled()) return false;
        for (Tensor t : ins) if (t != null && t.requiresGrad()) return true;
        return false;
    }

    private static Tensor record(Tensor out, String name, Tensor[] ins, Function<Tensor, Tensor[]> bw, Tensor... owned) {
        if (track(ins)) out.setGradFn(new Node(name, ins, bw, owned));
        else for (Tensor t : owned) if (t != null) t.close();
        return out;
    }

    private static boolean needs(Tensor t) { return t != null && t.requiresGrad(); }

    /**
     * An F32 gradient computed for {@code x}: as it is for a leaf or an F32 tensor, else converted to x's dtype
     * (the F32 buffer is then closed).
     */
    private Tensor gradFor(Tensor gradF32, Tensor x) {
        if (gradF32 == null || gradF32.dtype() == x.dtype() || x.isLeaf()) return gradF32;
        Tensor g = be.empty(x.dtype(), x.shape());
        be.convert(gradF32, g);
        gradF32.close();
        return g;
    }

    /** {@code t} in {@code dtype}: itself, or a converted copy (which the caller closes). */
    private Tensor as(Tensor t, DType dtype) {
        if (t.dtype() == dtype) return t;
        Tensor c = be.empty(dtype, t.shape());
        be.convert(t, c);
        return c;
    }

    // ------------------------------------------------------------------ linear algebra

    /** a (…, M, K) · b (…, K, N) with optional transposes, in a's dtype; batch dims as in {@link Backend#matmul}. */
    public Tensor matmul(Tensor a, boolean ta, Tensor b, boolean tb) { return matmul(a, ta, b, tb, a.dtype()); }

    /**
     * As {@link #matmul(Tensor, boolean, Tensor, boolean)} with the output in {@code outDtype}: F32 logits from bf16
     * hidden states, say (products accumulate in F32 either way).
     */
    public Tensor matmul(Tensor a, boolean ta, Tensor b, boolean tb, DType outDtype) {
        int m = ta ? a.dim(-1) : a.dim(-2), n = tb ? b.dim(-2) : b.dim(-1);
        int batch = Math.max(a.rank() == 3 ? a.dim(0) : 1, b.rank() == 3 ? b.dim(0) : 1);
        boolean batched = a.rank() == 3 || b.rank() == 3;
        Tensor c = be.empty(outDtype, batched ? Shape.of(batch, m, n) : Shape.of(m, n));
        be.matmul(a, ta, b, tb, c, 1f, 0f);
        return record(c, "matmul", new Tensor[] {a, b}, gOut -> {
            Tensor g = as(gOut, a.dtype()); // the products take operands of one dtype
            Tensor da = null, db = null;
            if (needs(a)) { // dA = dC·op(B)ᵀ, laid out as A (transposed when A was)
                da = be.empty(gradDtype(a), gradShape(a, batched, batch));
                if (ta) be.matmul(b, tb, g, true, da, 1f, 0f);
                else be.matmul(g, false, b, !tb, da, 1f, 0f);
                da = reduceBatch(da, a);
            }
            if (needs(b)) {
                db = be.empty(gradDtype(b), gradShape(b, batched, batch));
                if (tb) be.matmul(g, true, a, ta, db, 1f, 0f);
                else be.matmul(a, !ta, g, false, db, 1f, 0f);
                db = reduceBatch(db, b);
            }
            if (g != gOut) g.close();
            return new Tensor[] {da, db};
        });
    }

    /** F32 for a leaf (a weight's gradient accumulates in F32), the tensor's own dtype otherwise. */
    private static DType gradDtype(Tensor x) { return x.isLeaf() ? DType.F32 : x.dtype(); }

    /** An operand broadcast over the batch first gets a per-batch gradient, summed afterwards. */
    private static Shape gradShape(Tensor x, boolean batched, int batch) {
        return batched && x.rank() == 2 ? Shape.of(batch, x.dim(0), x.dim(1)) : x.shape();
    }

    /** A broadcast (rank-2) operand's gradient is the sum over the batch (an F32 column sum). */
    private Tensor reduceBatch(Tensor g, Tensor x) {
        if (g.shape().equals(x.shape())) return g;
        Tensor flat = g.reshape(g.dim(0), (int) x.numel());
        Tensor out = be.empty(DType.F32, Shape.of((int) x.numel()));
        be.sumRows(flat, out);
        g.close();
        return gradFor(out.reshape(x.shape().toArray()), x);
    }

    /** y = x·wᵀ + b: x (…, In), w (Out, In), b (Out) or null. */
    public Tensor linear(Tensor x, Tensor w, Tensor b) {
        int in = x.shape().last();
        int[] outDims = x.shape().toArray();
        outDims[outDims.length - 1] = w.dim(0);
        Tensor x2 = x.reshape(-1, in);
        Tensor y = matmul(x2, false, w, true);
        if (b != null) y = add(y, b);
        return y.reshape(outDims);
    }

    // ------------------------------------------------------------------ elementwise

    /** a + b, b broadcast when its shape is a suffix of a's (its gradient is then summed over rows). */
    public Tensor add(Tensor a, Tensor b) {
        Tensor out = like(a);
        be.add(a, b, out);
        return record(out, "add", new Tensor[] {a, b}, g -> new Tensor[] {
                needs(a) ? g : null, needs(b) ? broadcastGrad(g, b) : null});
    }

    private Tensor broadcastGrad(Tensor g, Tensor b) {
        if (g.shape().equals(b.shape())) return g;
        Tensor out = be.empty(DType.F32, Shape.of((int) b.numel())); // column sums accumulate in F32
        be.sumRows(g.reshape(-1, (int) b.numel()), out);
        return gradFor(out.reshape(b.shape().toArray()), b);
    }

    public Tensor mul(Tensor a, Tensor b) {
        Tensor out = like(a);
        be.mul(a, b, out);
        return record(out, "mul", new Tensor[] {a, b}, g -> {
            Tensor da = null, db = null;
            if (needs(a)) {
                da = like(a);
                be.mul(g, b, da);
            }
            if (needs(b)) {
                Tensor full = like(a);
                be.mul(g, a, full);
                db = broadcastGrad(full, b);
                if (db != full) full.close();
            }
            return new Tensor[] {da, db};
        });
    }

    public Tensor scale(Tensor x, float s) {
        Tensor out = like(x);
        be.scale(x, s, out);
        return record(out, "scale", new Tensor[] {x}, g -> {
            Tensor dx = like(x);
            be.scale(g, s, dx);
            return new Tensor[] {dx};
        });
    }

    /** Sum of all elements, as a one-element tensor of shape [1]. */
    public Tensor sum(Tensor x) {
        Tensor out = be.empty(DType.F32, Shape.of(1));
        be.sum(x, out);
        return record(out, "sum", new Tensor[] {x}, g -> new Tensor[] {gradFor(expand(g, x.shape(), 1f), x)});
    }

    public Tensor mean(Tensor x) {
        Tensor out = be.empty(DType.F32, Shape.of(1));
        be.sum(x, out);
        be.scale(out, 1f / x.numel(), out);
        return record(out, "mean", new Tensor[] {x}, g -> new Tensor[] {gradFor(expand(g, x.shape(), 1f / x.numel()), x)});
    }

    /** A tensor of {@code shape} filled with {@code factor · g[0]}: the gradient of a full reduction. */
    private Tensor expand(Tensor g, Shape shape, float factor) {
        Tensor out = be.zeros(DType.F32, shape);
        Tensor column = out.reshape((int) out.numel(), 1); // g's shape [1] is a suffix of (numel, 1): it broadcasts
        be.add(column, g.reshape(1), column);
        if (factor != 1f) be.scale(out, factor, out);
        return out;
    }

    // ------------------------------------------------------------------ activations

    public Tensor silu(Tensor x) {
        Tensor out = like(x);
        be.silu(x, out);
        return record(out, "silu", new Tensor[] {x}, g -> {
            Tensor dx = like(x);
            be.siluBackward(x, g, dx);
            return new Tensor[] {dx};
        });
    }

    public Tensor gelu(Tensor x, boolean tanhApprox) {
        Tensor out = like(x);
        be.gelu(x, tanhApprox, out);
        return record(out, "gelu", new Tensor[] {x}, g -> {
            Tensor dx = like(x);
            be.geluBackward(x, tanhApprox, g, dx);
            return new Tensor[] {dx};
        });
    }

    /** silu(gate) * up. */
    public Tensor swiglu(Tensor gate, Tensor up) {
        Tensor out = like(gate);
        be.swiglu(gate, up, out);
        return record(out, "swiglu", new Tensor[] {gate, up}, g -> {
            Tensor dg = like(gate), du = like(up);
            be.swigluBackward(gate, up, g, dg, du);
            return new Tensor[] {dg, du};
        });
    }

    // ------------------------------------------------------------------ norms

    /** RMSNorm over the last dim: x (…, C), w (C). */
    public Tensor rmsnorm(Tensor x, Tensor w, float eps) {
        Tensor out = like(x);
        Tensor rstd = be.empty(DType.F32, Shape.of((int) x.shape().rows()));
        be.rmsnorm(x, w, eps, out, rstd);
        return record(out, "rmsnorm", new Tensor[] {x, w}, g -> {
            Tensor dx = like(x), dw = needs(w) ? be.zeros(DType.F32, w.shape()) : null;
            be.rmsnormBackward(x, w, rstd, g, dx, dw);
            return new Tensor[] {needs(x) ? dx : close(dx), gradFor(dw, w)};
        }, rstd);
    }

    public Tensor layernorm(Tensor x, Tensor w, Tensor b, float eps) {
        Tensor out = like(x);
        Shape rows = Shape.of((int) x.shape().rows());
        Tensor mean = be.empty(DType.F32, rows), rstd = be.empty(DType.F32, rows);
        be.layernorm(x, w, b, eps, out, mean, rstd);
        return record(out, "layernorm", new Tensor[] {x, w, b}, g -> {
            Tensor dx = like(x);
            Tensor dw = needs(w) ? be.zeros(DType.F32, w.shape()) : null, db = needs(b) ? be.zeros(DType.F32, b.shape()) : null;
            be.layernormBackward(x, w, mean, rstd, g, dx, dw, db);
            return new Tensor[] {needs(x) ? dx : close(dx), gradFor(dw, w), gradFor(db, b)};
        }, mean, rstd);
    }

    public Tensor softmax(Tensor x) {
        Tensor out = like(x);
        be.softmax(x, out);
        return record(out, "softmax", new Tensor[] {x}, g -> {
            Tensor dx = like(x);
            be.softmaxBackward(out, g, dx);
            return new Tensor[] {dx};
        });
    }

    private static Tensor close(Tensor t) {
        t.close();
        return null;
    }

    // ------------------------------------------------------------------ rotary, attention

    /** Rotary on x (N, H, D) with constant tables cos, sin (N, D/2). */
    public Tensor rope(Tensor x, Tensor cos, Tensor sin) {
        Tensor out = like(x);
        be.rope(x, cos, sin, out);
        return record(out, "rope", new Tensor[] {x}, g -> {
            Tensor dx = like(x);
            be.ropeBackward(g, cos, sin, dx);
            return new Tensor[] {dx};
        });
    }

    /** q (Nq, Hq, D), k, v (Nk, Hkv, D) → (Nq, Hq, D). */
    public Tensor attention(Tensor q, Tensor k, Tensor v, AttentionSpec spec) {
        Tensor out = like(q);
        Tensor lse = be.empty(DType.F32, Shape.of(q.dim(1), q.dim(0)));
        be.attention(q, k, v, spec, out, lse);
        return record(out, "attention", new Tensor[] {q, k, v}, g -> {
            Tensor dq = like(q), dk = like(k), dv = like(v);
            be.attentionBackward(q, k, v, out, lse, g, spec, dq, dk, dv);
            return new Tensor[] {dq, dk, dv};
        }, lse);
    }

    // ------------------------------------------------------------------ gathers, log-prob

    /** Rows of table (V, C) at idx (N) I32 → (N, C): the embedding lookup. */
    public Tensor gatherRows(Tensor table, Tensor idx) {
        Tensor out = be.empty(table.dtype(), Shape.of(idx.dim(0), table.dim(1)));
        be.gatherRows(table, idx, out);
        return record(out, "gatherRows", new Tensor[] {table}, g -> {
            Tensor dt = be.zeros(DType.F32, table.shape()); // rows summed in F32, in n order
            be.scatterAddRows(g, idx, dt);
            return new Tensor[] {gradFor(dt, table)};
        });
    }

    /**
     * Per-token log-probabilities of targets under the LM head, never materialising (N, V) logits.
     *
     * @param hidden (N, C); weight (V, C); targets (N) I32, negative = ignored (logp 0, no gradient)
     * @return logp (N)
     */
    public Tensor logprob(Tensor hidden, Tensor weight, Tensor targets, float temperature) {
        Shape rows = Shape.of(hidden.dim(0));
        Tensor logp = be.empty(DType.F32, rows), lse = be.empty(DType.F32, rows);
        be.logprob(hidden, weight, targets, temperature, logp, lse);
        return record(logp, "logprob", new Tensor[] {hidden, weight}, g -> {
            Tensor dh = like(hidden), dw = needs(weight) ? be.zeros(DType.F32, weight.shape()) : null;
            be.logprobBackward(hidden, weight, targets, temperature, lse, g, dh, dw);
            return new Tensor[] {needs(hidden) ? dh : close(dh), gradFor(dw, weight)};
        }, lse);
    }

    // ------------------------------------------------------------------ copies and layout

    /** A contiguous, differentiable copy of {@code x.narrow(axis, start, length)}. */
    public Tensor narrow(Tensor x, int axis, int start, int length) {
        Tensor view;
        try (var g = GradMode.disabled()) {
            view = x.narrow(axis, start, length);
        }
        Tensor out = be.empty(x.dtype(), view.shape());
        be.copy(view, out);
        return record(out, "narrow", new Tensor[] {x}, g -> {
            Tensor dx = be.zeros(x.dtype(), x.shape());
            be.copy(g, dx.narrow(axis, start, length));
            return new Tensor[] {dx};
        });
    }

    /** A contiguous, differentiable copy of {@code x.transpose(a0, a1)}. */
    public Tensor transpose(Tensor x, int a0, int a1) {
        Tensor view;
        try (var g = GradMode.disabled()) {
            view = x.transpose(a0, a1);
        }
        Tensor out = be.empty(x.dtype(), view.shape());
        be.copy(view, out);
        return record(out, "transpose", new Tensor[] {x}, g -> {
            Tensor dx = like(x);
            be.copy(g.transpose(a0, a1), dx);
            return new Tensor[] {dx};
        });
    }

    /** Concatenation along {@code axis}. */
    public Tensor cat(int axis, Tensor... parts) {
        int a = parts[0].shape().axis(axis), total = 0;
        for (Tensor p : parts) total += p.dim(a);
        Tensor out = be.empty(parts[0].dtype(), parts[0].shape().with(a, total));
        int at = 0;
        for (Tensor p : parts) {
            be.copy(p, out.narrow(a, at, p.dim(a)));
            at += p.dim(a);
        }
        return record(out, "cat", parts, g -> {
            Tensor[] d = new Tensor[parts.length];
            int off = 0;
            for (int i = 0; i < parts.length; i++) {
                int len = parts[i].dim(a);
                if (needs(parts[i])) {
                    d[i] = like(parts[i]);
                    be.copy(g.narrow(a, off, len), d[i]);
                }
                off += len;
            }
            return d;
        });
    }

    /** Vision patchify (see {@link PatchSpec}); differentiable through its inverse permutation. */
    public Tensor extractPatches(Tensor frames, PatchSpec spec) {
        int t = frames.dim(0), c = frames.dim(1), h = frames.dim(2), w = frames.dim(3);
        int rows = t / spec.temporalPatch() * (h / spec.patch()) * (w / spec.patch());
        Tensor out = be.empty(frames.dtype(), Shape.of(rows, spec.patchDim(c)));
        be.extractPatches(frames, spec, out);
        return record(out, "extractPatches", new Tensor[] {frames}, g -> {
            Tensor dx = like(frames);
            be.foldPatches(g, spec, dx);
            return new Tensor[] {dx};
        });
    }
}
