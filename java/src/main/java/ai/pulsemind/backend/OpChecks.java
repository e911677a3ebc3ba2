package ai.pulsemind.backend;

import ai.pulsemind.tensor.DType;
import ai.pulsemind.tensor.Device;
import ai.pulsemind.tensor.Shape;
import ai.pulsemind.tensor.Tensor;

/**
 * The one argument contract of every {@link Backend} op, shared by all backends so each op fails the same way
 * everywhere: with the op's name, the argument's name and the shapes involved. A backend holds one instance with
 * its device and its {@link DtypeRules}; each op method checks, in order, that the tensors are alive, on the device
 * and contiguous, that their dtypes follow the backend's rule for the op, and that their shapes fit, then returns
 * what the kernels need (the compute dtype T the arguments bind, or the dimensions). Limits of one backend's kernels
 * (a head dim a kernel lacks, a grid size) are the backend's business, not the contract's.
 *
 * <p>A new op adds one method here (and one entry in each backend's dtype table); the static helpers below are the
 * pieces the methods are made of.
 */
public final class OpChecks {
    private final Device device;
    private final DtypeRules dtypes;

    public OpChecks(Device device, DtypeRules dtypes) {
        this.device = device;
        this.dtypes = dtypes;
    }

    public Device device() { return device; }

    public DtypeRules dtypes() { return dtypes; }

    /** Ready on the device, then the dtype rule of {@code op}; returns T. */
    private DType args(String op, Tensor... ts) {
        ready(op, device, ts);
        return dtypes.check(op, ts);
    }

    // ------------------------------------------------------------------ memory

    public void fill(Tensor dst) { args("fill", dst); }

    /** Same shape; either side may be strided or on the host, so placement is the backend's to check. */
    public void copy(Tensor src, Tensor dst) {
        src.checkAlive("copy");
        dst.checkAlive("copy");
        sameShape("copy", src, dst);
        if (src.dtype() != dst.dtype())
            throw new IllegalArgumentException("copy: dtypes differ (" + src.dtype() + " → " + dst.dtype() + "); use convert");
    }

    public void convert(Tensor src, Tensor dst) {
        args("convert", src, dst);
        sameShape("convert", src, dst);
    }

    // ------------------------------------------------------------------ linear algebra

    /** Returns {B, M, N, K, Ba, Bb}. */
    public int[] matmul(Tensor a, boolean ta, Tensor b, boolean tb, Tensor c) {
        args("matmul", a, b, c);
        return matmulDims(a, ta, b, tb, c);
    }

    /** {@code op}'s tensors with their rule (e.g. a backend's fused {@code matmulBias}), then the matmul shapes. */
    public int[] matmul(String op, Tensor a, boolean ta, Tensor b, boolean tb, Tensor c, Tensor... more) {
        Tensor[] all = new Tensor[3 + more.length];
        all[0] = a;
        all[1] = b;
        System.arraycopy(more, 0, all, 2, more.length);
        all[all.length - 1] = c;
        args(op, all);
        return matmulDims(a, ta, b, tb, c);
    }

    // ------------------------------------------------------------------ elementwise and reductions

    /** add, mul: b's shape a suffix of a's; out like a. Returns T. */
    public DType binary(String op, Tensor a, Tensor b, Tensor out) {
        DType t = args(op, a, b, out);
        broadcastSuffix(op, a, b);
        sameShape(op, a, out);
        if (a.numel() > 0 && b.numel() == 0) throw new IllegalArgumentException(op + ": cannot broadcast an empty " + b.shape());
        return t;
    }

    /** One input and one output of the same shape: scale, silu, gelu, softmax. Returns T. */
    public DType unary(String op, Tensor x, Tensor out) {
        DType t = args(op, x, out);
        sameShape(op, x, out);
        return t;
    }

    /** {@code y += alpha·x}: x and y each any of the compute dtypes, the same shape. */
    public void axpy(Tensor x, Tensor y) { unary("axpy", x, y); }

    /** An input, its output gradient and its input gradient, all of one shape: siluBackward, geluBackward, softmaxBackward. */
    public DType unaryBackward(String op, Tensor x, Tensor dout, Tensor dx) {
        DType t = args(op, x, dout, dx);
        sameShape(op, x, dout);
        sameShape(op, x, dx);
        return t;
    }

    public DType swiglu(Tensor gate, Tensor up, Tensor out) {
        DType t = args("swiglu", gate, up, out);
        sameShape("swiglu", gate, up);
        sameShape("swiglu", gate, out);
        return t;
    }

    public DType swigluBackward(Tensor gate, Tensor up, Tensor dout, Tensor dgate, Tensor dup) {
        DType t = args("swigluBackward", gate, up, dout, dgate, dup);
        for (Tensor o : new Tensor[] {up, dout, dgate, dup}) sameShape("swigluBackward", gate, o);
        return t;
    }

    /** x (R, C) → out (C). Returns T. */
    public DType sumRows(Tensor x, Tensor out) {
        DType t = args("sumRows", x, out);
        shape("sumRows", "out", out, Shape.of(x.shape().last()));
        return t;
    }

    /** Any x → out of one element. Returns T. */
    public DType sum(Tensor x, Tensor out) {
        DType t = args("sum", x, out);
        if (out.numel() != 1) throw new IllegalArgumentException("sum: out must have one element, got " + out.shape());
        return t;
    }

    /** x (R, C) with C ≥ 1 when R ≥ 1 → out (R). */
    public void argmax(Tensor x, Tensor out) {
        args("argmax", x, out);
        shape("argmax", "out", out, Shape.of((int) x.shape().rows()));
        if (x.shape().rows() > 0 && x.shape().last() == 0)
            throw new IllegalArgumentException("argmax: rows of " + x.shape() + " are empty");
    }

    // ------------------------------------------------------------------ norms

    /** x (R, C), w (C), out (R, C), rstd (R). Returns T. */
    public DType rmsnorm(Tensor x, Tensor w, Tensor out, Tensor rstd) {
        DType t = args("rmsnorm", x, w, out, rstd);
        normShapes("rmsnorm", x, w, out, rstd);
        return t;
    }

    /** As {@link #rmsnorm} for x, w, dout, rstd; dx like x; dw (C) or null. Returns T. */
    public DType rmsnormBackward(Tensor x, Tensor w, Tensor rstd, Tensor dout, Tensor dx, Tensor dw) {
        DType t = args("rmsnormBackward", x, w, rstd, dout, dx, dw);
        normShapes("rmsnormBackward", x, w, dout, rstd);
        sameShape("rmsnormBackward (dx)", x, dx);
        if (dw != null) sameShape("rmsnormBackward (dw)", w, dw);
        return t;
    }

    /** x (R, C), w, b (C), out (R, C), mean, rstd (R). Returns T. */
    public DType layernorm(Tensor x, Tensor w, Tensor b, Tensor out, Tensor mean, Tensor rstd) {
        DType t = args("layernorm", x, w, b, out, mean, rstd);
        normShapes("layernorm", x, w, out, rstd);
        sameShape("layernorm (b)", w, b);
        sameShape("layernorm (mean)", rstd, mean);
        return t;
    }

    /** As {@link #layernorm} for x, w, dout, mean, rstd; dx like x; dw, db (C) or null. Returns T. */
    public DType layernormBackward(Tensor x, Tensor w, Tensor mean, Tensor rstd, Tensor dout, Tensor dx, Tensor dw, Tensor db) {
        DType t = args("layernormBackward", x, w, mean, rstd, dout, dx, dw, db);
        normShapes("layernormBackward", x, w, dout, rstd);
        sameShape("layernormBackward (mean)", rstd, mean);
        sameShape("layernormBackward (dx)", x, dx);
        for (Tensor g : new Tensor[] {dw, db}) if (g != null) sameShape("layernormBackward (dw, db)", w, g);
        return t;
    }

    /** x (R, C), w (C), y (R, C), stat (R). */
    private static void normShapes(String op, Tensor x, Tensor w, Tensor y, Tensor stat) {
        shape(op, "weight", w, Shape.of(x.shape().last()));
        sameShape(op, x, y);
        shape(op, "row statistics", stat, Shape.of((int) x.shape().rows()));
    }

    // ------------------------------------------------------------------ rotary

    /** positions (A, N) with A the spec's axes; cos, sin (N, D/2). */
    public void ropeTable(RopeSpec spec, Tensor positions, Tensor cos, Tensor sin) {
        String op = "ropeTable";
        args(op, positions, cos, sin);
        rank(op, "positions", positions, 2);
        if (positions.dim(0) != spec.axes())
            throw new IllegalArgumentException(op + ": positions has " + positions.dim(0) + " rows, the spec needs " + spec.axes());
        Shape table = Shape.of(positions.dim(1), spec.headDim() / 2);
        shape(op, "cos", cos, table);
        shape(op, "sin", sin, table);
    }

    /** rope, ropeBackward: x, out (N, H, D) with D even; cos, sin (N, D/2). Returns T. */
    public DType rope(String op, Tensor x, Tensor cos, Tensor sin, Tensor out) {
        DType t = args(op, x, cos, sin, out);
        rank(op, "x", x, 3);
        if (x.dim(2) % 2 != 0) throw new IllegalArgumentException(op + ": head dim " + x.dim(2) + " must be even");
        Shape table = Shape.of(x.dim(0), x.dim(2) / 2);
        shape(op, "cos", cos, table);
        shape(op, "sin", sin, table);
        sameShape(op, x, out);
        return t;
    }

    // ------------------------------------------------------------------ attention

    /** Returns {Hq, Hkv, D}. */
    public int[] attention(Tensor q, Tensor k, Tensor v, AttentionSpec spec, Tensor out, Tensor lse) {
        args("attention", q, k, v, out, lse);
        return attentionDims("attention", q, k, v, spec, out, lse);
    }

    /** Returns {Hq, Hkv, D}. */
    public int[] attentionBackward(Tensor q, Tensor k, Tensor v, Tensor out, Tensor lse, Tensor dout, AttentionSpec spec,
                                   Tensor dq, Tensor dk, Tensor dv) {
        String op = "attentionBackward";
        args(op, q, k, v, out, lse, dout, dq, dk, dv);
        int[] h = attentionDims(op, q, k, v, spec, out, lse);
        sameShape(op + " (dout)", q, dout);
        sameShape(op + " (dq)", q, dq);
        sameShape(op + " (dk)", k, dk);
        sameShape(op + " (dv)", v, dv);
        return h;
    }

    /**
     * q (B, Hq, D), caches (S, Lmax, Hkv, D), out like q; {@code slots} (B) in [0, S), or null for slot b of row b
     * (then S = B); lengths (B) in [1, Lmax]. Returns {Hq, Hkv, D, Lmax, S}.
     */
    public int[] attentionDecode(Tensor q, Tensor kCache, Tensor vCache, int[] slots, int[] lengths, Tensor out) {
        String op = "attentionDecode";
        args(op, q, kCache, vCache, out);
        rank(op, "q", q, 3);
        rank(op, "kCache", kCache, 4);
        sameShape(op + " (kCache vs vCache)", kCache, vCache);
        sameShape(op + " (q vs out)", q, out);
        int b = q.dim(0), hq = q.dim(1), d = q.dim(2), s = kCache.dim(0), lmax = kCache.dim(1), hkv = kCache.dim(2);
        if (kCache.dim(3) != d || (slots == null && s != b))
            throw new IllegalArgumentException(op + ": cache " + kCache.shape() + " does not fit q " + q.shape()
                    + (slots == null ? " (without slots, one cache slot per query row)" : ""));
        if (hkv == 0 || hq % hkv != 0)
            throw new IllegalArgumentException(op + ": " + hq + " query heads is not a multiple of " + hkv);
        if (lengths.length != b) throw new IllegalArgumentException(op + ": " + lengths.length + " lengths for batch " + b);
        if (slots != null && slots.length != b) throw new IllegalArgumentException(op + ": " + slots.length + " slots for batch " + b);
        for (int i = 0; i < b; i++) {
            if (lengths[i] < 1 || lengths[i] > lmax)
                throw new IllegalArgumentException(op + ": length " + lengths[i] + " of row " + i + " not in [1, " + lmax + "]");
            if (slots != null && (slots[i] < 0 || slots[i] >= s))
                throw new IllegalArgumentException(op + ": slot " + slots[i] + " of row " + i + " not in [0, " + s + ")");
        }
        return new int[] {hq, hkv, d, lmax, s};
    }

    /** Slot b for row b: what a null {@code slots} of {@link #attentionDecode} means. */
    public static int[] identitySlots(int b) {
        int[] s = new int[b];
        for (int i = 0; i < b; i++) s[i] = i;
        return s;
    }

    // ------------------------------------------------------------------ sampling

    /**
     * logits (B, V) with V ≥ 1, one {@link SampleRow} per row, prevIds (B, P) or null, out (B). Returns {B, V, P}
     * (P = 0 without prevIds).
     */
    public int[] sample(Tensor logits, java.util.List<SampleRow> rows, Tensor prevIds, Tensor out) {
        String op = "sample";
        args(op, logits, prevIds, out);
        rank(op, "logits", logits, 2);
        int b = logits.dim(0), v = logits.dim(1);
        if (v == 0) throw new IllegalArgumentException(op + ": logits " + logits.shape() + " have an empty vocabulary");
        shape(op, "out", out, Shape.of(b));
        if (rows.size() != b) throw new IllegalArgumentException(op + ": " + rows.size() + " sampling rows for " + b + " logits rows");
        int p = 0;
        if (prevIds != null) {
            rank(op, "prevIds", prevIds, 2);
            if (prevIds.dim(0) != b)
                throw new IllegalArgumentException(op + ": prevIds " + prevIds.shape() + " has not one row per logits row (" + b + ")");
            p = prevIds.dim(1);
        }
        return new int[] {b, v, p};
    }

    // ------------------------------------------------------------------ row gathers

    /** table (V, C) any dtype, idx (N) I32, out (N, C) of table's dtype. */
    public void gatherRows(Tensor table, Tensor idx, Tensor out) {
        String op = "gatherRows";
        args(op, table, idx, out);
        rank(op, "table", table, 2);
        rank(op, "idx", idx, 1);
        shape(op, "out", out, Shape.of(idx.dim(0), table.dim(1)));
    }

    /** src (N, C), idx (N) I32, dst (V, C). Returns T (src's dtype). */
    public DType scatterAddRows(Tensor src, Tensor idx, Tensor dst) {
        String op = "scatterAddRows";
        DType t = args(op, src, idx, dst);
        rank(op, "idx", idx, 1);
        rank(op, "dst", dst, 2);
        shape(op, "src", src, Shape.of(idx.dim(0), dst.dim(1)));
        return t;
    }

    // ------------------------------------------------------------------ log-prob

    /** hidden (N, C), weight (V, C) with V ≥ 1, targets, logp, lse (N), temperature > 0. Returns {N, C, V}. */
    public int[] logprob(Tensor hidden, Tensor weight, Tensor targets, float temperature, Tensor logp, Tensor lse) {
        args("logprob", hidden, weight, targets, logp, lse);
        return logprobDims("logprob", hidden, weight, targets, temperature, logp, lse);
    }

    /** As {@link #logprob} with dlogp for logp; dhidden like hidden; dweight like weight, or null. Returns {N, C, V}. */
    public int[] logprobBackward(Tensor hidden, Tensor weight, Tensor targets, float temperature, Tensor lse, Tensor dlogp,
                                 Tensor dhidden, Tensor dweight) {
        String op = "logprobBackward";
        args(op, hidden, weight, targets, lse, dlogp, dhidden, dweight);
        int[] s = logprobDims(op, hidden, weight, targets, temperature, dlogp, lse);
        sameShape(op + " (dhidden)", hidden, dhidden);
        if (dweight != null) sameShape(op + " (dweight)", weight, dweight);
        return s;
    }

    private static int[] logprobDims(String op, Tensor hidden, Tensor weight, Tensor targets, float temperature, Tensor perRow,
                                     Tensor lse) {
        rank(op, "hidden", hidden, 2);
        rank(op, "weight", weight, 2);
        if (weight.dim(1) != hidden.dim(1))
            throw new IllegalArgumentException(op + ": hidden " + hidden.shape() + " and weight " + weight.shape() + " differ in C");
        if (weight.dim(0) == 0) throw new IllegalArgumentException(op + ": empty vocabulary " + weight.shape());
        Shape rows = Shape.of(hidden.dim(0));
        shape(op, "targets", targets, rows);
        shape(op, "per-row output", perRow, rows);
        shape(op, "lse", lse, rows);
        if (!(temperature > 0)) throw new IllegalArgumentException(op + ": temperature must be > 0, got " + temperature);
        return new int[] {hidden.dim(0), hidden.dim(1), weight.dim(0)};
    }

    // ------------------------------------------------------------------ patches

    /** extractPatches, foldPatches: frames (T, C, H, W) against patches for {@link PatchSpec}; returns frames' dims. */
    public int[] patches(String op, Tensor frames, PatchSpec sp, Tensor patches) {
        if (op.equals("foldPatches")) args(op, patches, frames);
        else args(op, frames, patches);
        rank(op, "frames", frames, 4);
        int[] fs = frames.shape().toArray();
        int unit = sp.patch() * sp.merge();
        if (fs[0] % sp.temporalPatch() != 0 || fs[2] % unit != 0 || fs[3] % unit != 0)
            throw new IllegalArgumentException(op + ": frames " + frames.shape() + " must have T divisible by "
                    + sp.temporalPatch() + " and H, W divisible by patch·merge = " + unit);
        int rows = fs[0] / sp.temporalPatch() * (fs[2] / sp.patch()) * (fs[3] / sp.patch());
        shape(op, "patches", patches, Shape.of(rows, sp.patchDim(fs[1])));
        return fs;
    }

    // ------------------------------------------------------------------ optimiser

    /** param, grad, m, v of one shape; {@code more} are a backend's extra outputs of that shape (a bf16 copy), or null. */
    public void adamw(Tensor param, Tensor grad, Tensor m, Tensor v, Tensor... more) {
        Tensor[] all = new Tensor[4 + more.length];
        all[0] = param;
        all[1] = grad;
        all[2] = m;
        all[3] = v;
        System.arraycopy(more, 0, all, 4, more.length);
        args("adamw", all);
        for (int i = 1; i < all.length; i++) if (all[i] != null) sameShape("adamw", param, all[i]);
    }

    // ------------------------------------------------------------------ the pieces

    /** Alive, on {@code device}, contiguous. Null tensors are skipped (optional outputs). */
    public static void ready(String op, Device device, Tensor... ts) {
        for (Tensor t : ts) {
            if (t == null) continue;
            t.checkAlive(op);
            if (!t.device().equals(device))
                throw new IllegalArgumentException(op + ": " + t + " is on " + t.device() + " but this backend runs on " + device);
            if (!t.isContiguous()) throw new IllegalArgumentException(op + ": " + t + " must be contiguous");
        }
    }

    public static void dtype(String op, String arg, Tensor t, DType... allowed) {
        for (DType d : allowed) if (t.dtype() == d) return;
        throw new IllegalArgumentException(op + ": " + arg + " has unsupported dtype " + t.dtype() + " (allowed: "
                + java.util.Arrays.toString(allowed) + ")");
    }

    /** Every tensor F32. */
    public static void f32(String op, Tensor... ts) {
        for (Tensor t : ts) if (t != null && t.dtype() != DType.F32)
            throw new IllegalArgumentException(op + ": unsupported dtype " + t.dtype() + " for " + t
                    + " on this backend (it computes in F32; convert first)");
    }

    public static void shape(String op, String arg, Tensor t, Shape expected) {
        if (!t.shape().equals(expected))
            throw new IllegalArgumentException(op + ": " + arg + " has shape " + t.shape() + ", expected " + expected);
    }

    public static void sameShape(String op, Tensor a, Tensor b) {
        if (!a.shape().equals(b.shape()))
            throw new IllegalArgumentException(op + ": shapes differ: " + a.shape() + " vs " + b.shape());
    }

    public static void rank(String op, String arg, Tensor t, int... ranks) {
        for (int r : ranks) if (t.rank() == r) return;
        throw new IllegalArgumentException(op + ": " + arg + " must have rank " + java.util.Arrays.toString(ranks)
                + ", got shape " + t.shape());
    }

    /** {@code b} broadcasts against {@code a} when its shape is a suffix of a's. */
    public static void broadcastSuffix(String op, Tensor a, Tensor b) {
        int ra = a.rank(), rb = b.rank();
        boolean ok = rb <= ra;
        for (int i = 1; ok && i <= rb; i++) ok = a.shape().dim(ra - i) == b.shape().dim(rb - i);
        if (!ok) throw new IllegalArgumentException(op + ": cannot broadcast " + b.shape() + " against " + a.shape()
                + " (the second shape must be a suffix of the first)");
    }

    /** Matmul shapes: returns {B, M, N, K, Ba, Bb}. */
    private static int[] matmulDims(Tensor a, boolean ta, Tensor b, boolean tb, Tensor c) {
        rank("matmul", "a", a, 2, 3);
        rank("matmul", "b", b, 2, 3);
        rank("matmul", "c", c, 2, 3);
        int ba = a.rank() == 3 ? a.dim(0) : 1, bb = b.rank() == 3 ? b.dim(0) : 1, bc = c.rank() == 3 ? c.dim(0) : 1;
        int m = ta ? a.dim(-1) : a.dim(-2), ka = ta ? a.dim(-2) : a.dim(-1);
        int kb = tb ? b.dim(-1) : b.dim(-2), n = tb ? b.dim(-2) : b.dim(-1);
        if (ka != kb)
            throw new IllegalArgumentException("matmul: inner dimensions differ: a " + a.shape() + (ta ? "ᵀ" : "")
                    + " has K = " + ka + ", b " + b.shape() + (tb ? "ᵀ" : "") + " has K = " + kb);
        if (c.dim(-2) != m || c.dim(-1) != n)
            throw new IllegalArgumentException("matmul: c has shape " + c.shape() + ", expected (" + m + ", " + n + ")");
        if ((ba != 1 && ba != bc) || (bb != 1 && bb != bc))
            throw new IllegalArgumentException("matmul: batch sizes " + ba + " and " + bb + " do not broadcast to " + bc);
        return new int[] {bc, m, n, ka, ba, bb};
    }

    /** Attention shapes: returns {Hq, Hkv, D}. */
    private static int[] attentionDims(String op, Tensor q, Tensor k, Tensor v, AttentionSpec spec, Tensor out, Tensor lse) {
        rank(op, "q", q, 3);
        rank(op, "k", k, 3);
        sameShape(op + " (k vs v)", k, v);
        int hq = q.dim(1), hkv = k.dim(1), d = q.dim(2);
        if (k.dim(2) != d) throw new IllegalArgumentException(op + ": q head dim " + d + " vs k head dim " + k.dim(2));
        if (hkv == 0 || hq % hkv != 0)
            throw new IllegalArgumentException(op + ": " + hq + " query heads is not a multiple of " + hkv + " key/value heads");
        if (q.dim(0) != spec.totalQ()) throw new IllegalArgumentException(op + ": q has " + q.dim(0)
                + " rows but the segments cover " + spec.totalQ());
        if (k.dim(0) != spec.totalK()) throw new IllegalArgumentException(op + ": k has " + k.dim(0)
                + " rows but the segments cover " + spec.totalK());
        if (out != null) shape(op, "out", out, q.shape());
        if (lse != null) shape(op, "lse", lse, Shape.of(hq, q.dim(0)));
        return new int[] {hq, hkv, d};
    }

    /** Rows and channels of a tensor seen as (R, C). */
    public static long rows(Tensor t) { return t.shape().rows(); }
}
