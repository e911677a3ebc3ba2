package ai.pulsemind.backend;

import ai.pulsemind.tensor.DType;
import ai.pulsemind.tensor.Device;
import ai.pulsemind.tensor.Shape;
import ai.pulsemind.tensor.Tensor;

/**
 * Argument validation shared by every backend, so each op fails the same way everywhere: with the op's name,
 * the argument's name and the shapes involved.
 */
public final class OpChecks {
    private OpChecks() {}

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

    /** Every tensor F32: the CPU computes in F32 (bf16 weights are widened when loaded). */
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

    /** Validates a matmul and returns {B, M, N, K, Ba, Bb}. */
    public static int[] matmul(Tensor a, boolean ta, Tensor b, boolean tb, Tensor c) {
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

    /** Validates an attention call and returns {Hq, Hkv, D}. */
    public static int[] attention(Tensor q, Tensor k, Tensor v, AttentionSpec spec, Tensor out, Tensor lse) {
        rank("attention", "q", q, 3);
        rank("attention", "k", k, 3);
        sameShape("attention (k vs v)", k, v);
        int hq = q.dim(1), hkv = k.dim(1), d = q.dim(2);
        if (k.dim(2) != d) throw new IllegalArgumentException("attention: q head dim " + d + " vs k head dim " + k.dim(2));
        if (hkv == 0 || hq % hkv != 0)
            throw new IllegalArgumentException("attention: " + hq + " query heads is not a multiple of " + hkv + " key/value heads");
        if (q.dim(0) != spec.totalQ()) throw new IllegalArgumentException("attention: q has " + q.dim(0)
                + " rows but the segments cover " + spec.totalQ());
        if (k.dim(0) != spec.totalK()) throw new IllegalArgumentException("attention: k has " + k.dim(0)
                + " rows but the segments cover " + spec.totalK());
        if (out != null) shape("attention", "out", out, q.shape());
        if (lse != null) shape("attention", "lse", lse, Shape.of(hq, q.dim(0)));
        return new int[] {hq, hkv, d};
    }

    /** Validates a decode-attention call and returns {Hq, Hkv, D, Lmax}. */
    /**
     * Validates an attentionDecode call and returns {Hq, Hkv, D, Lmax, S}; {@code slots} null means row b reads
     * slot b (then the cache must have exactly B slots).
     */
    public static int[] attentionDecode(Tensor q, Tensor kCache, Tensor vCache, int[] slots, int[] lengths, Tensor out) {
        String op = "attentionDecode";
        rank(op, "q", q, 3);
        rank(op, "kCache", kCache, 4);
        sameShape("attentionDecode (kCache vs vCache)", kCache, vCache);
        sameShape("attentionDecode (q vs out)", q, out);
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

    /** Slot b for row b: what a null {@code slots} means. */
    public static int[] identitySlots(int b) {
        int[] s = new int[b];
        for (int i = 0; i < b; i++) s[i] = i;
        return s;
    }

    /** Validates frames (T, C, H, W) against patches (rows, C·tp·p·p) for {@link PatchSpec}; returns frames' dims. */
    public static int[] patches(String op, Tensor frames, PatchSpec sp, Tensor patches) {
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

    /** table (V, C), idx (N) i32, out (N, C) of table's dtype, for a row gather. */
    public static void gatherRows(String op, Tensor table, Tensor idx, Tensor out) {
        rank(op, "table", table, 2);
        dtype(op, "idx", idx, DType.I32);
        rank(op, "idx", idx, 1);
        shape(op, "out", out, Shape.of(idx.dim(0), table.dim(1)));
        if (out.dtype() != table.dtype())
            throw new IllegalArgumentException(op + ": out dtype " + out.dtype() + " differs from table " + table.dtype());
    }

    /** Rows and channels of a tensor seen as (R, C). */
    public static long rows(Tensor t) { return t.shape().rows(); }
}
