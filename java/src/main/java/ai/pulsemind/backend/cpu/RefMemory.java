package ai.pulsemind.backend.cpu;

import ai.pulsemind.backend.PatchSpec;
import ai.pulsemind.tensor.DType;
import ai.pulsemind.tensor.Half;
import ai.pulsemind.tensor.HostStorage;
import ai.pulsemind.tensor.Tensor;

import java.lang.foreign.MemorySegment;

/** Copies, conversions, fills, row gathers and patch permutations on host memory. */
final class RefMemory {
    private RefMemory() {}

    /** Strided copy of any dtype: walks the shape, copying the innermost run in one call when both sides are dense. */
    static void copy(Tensor src, Tensor dst) {
        MemorySegment s = ((HostStorage) src.storage()).segment(), t = ((HostStorage) dst.storage()).segment();
        int es = src.dtype().byteSize();
        if (src.isContiguous() && dst.isContiguous()) {
            MemorySegment.copy(s, src.byteOffset(), t, dst.byteOffset(), src.byteSize());
            return;
        }
        int rank = src.rank();
        if (rank == 0) {
            MemorySegment.copy(s, src.byteOffset(), t, dst.byteOffset(), es);
            return;
        }
        int[] dims = src.shape().toArray();
        long[] ss = src.strides(), ds = dst.strides();
        int inner = dims[rank - 1];
        boolean dense = ss[rank - 1] == 1 && ds[rank - 1] == 1;
        long outer = src.numel() / Math.max(1, inner);
        int[] idx = new int[rank];
        for (long o = 0; o < outer; o++) {
            long so = src.offset(), dOff = dst.offset();
            for (int a = 0; a < rank - 1; a++) {
                so += idx[a] * ss[a];
                dOff += idx[a] * ds[a];
            }
            if (dense) {
                MemorySegment.copy(s, so * es, t, dOff * es, (long) inner * es);
            } else {
                for (int j = 0; j < inner; j++)
                    MemorySegment.copy(s, (so + j * ss[rank - 1]) * es, t, (dOff + j * ds[rank - 1]) * es, es);
            }
            for (int a = rank - 2; a >= 0; a--) { // odometer over the outer dims
                if (++idx[a] < dims[a]) break;
                idx[a] = 0;
            }
        }
    }

    static void convert(Tensor src, Tensor dst) {
        MemorySegment s = src.segment(), t = dst.segment();
        long n = src.numel();
        if (src.dtype() == DType.BF16 && dst.dtype() == DType.F32) { // checkpoint loading: keep it a tight loop
            for (long i = 0; i < n; i++) t.setAtIndex(Mem.F, i, Float.intBitsToFloat((s.getAtIndex(Mem.S, i) & 0xffff) << 16));
            return;
        }
        if (!src.dtype().isFloating() && !dst.dtype().isFloating()) {
            for (long i = 0; i < n; i++) setLong(t, dst.dtype(), i, getLong(s, src.dtype(), i));
            return;
        }
        for (long i = 0; i < n; i++) setFloat(t, dst.dtype(), i, getFloat(s, src.dtype(), i));
    }

    static void fill(Tensor dst, float value) {
        MemorySegment t = dst.segment();
        long n = dst.numel();
        if (value == 0f) {
            t.fill((byte) 0);
            return;
        }
        for (long i = 0; i < n; i++) setFloat(t, dst.dtype(), i, value);
    }

    static float getFloat(MemorySegment s, DType dt, long i) {
        return switch (dt) {
            case F32 -> s.getAtIndex(Mem.F, i);
            case BF16 -> Half.bf16ToFloat(s.getAtIndex(Mem.S, i));
            case F16 -> Float.float16ToFloat(s.getAtIndex(Mem.S, i));
            case I32 -> s.getAtIndex(Mem.I, i);
            case I64 -> s.getAtIndex(Mem.L, i);
        };
    }

    static void setFloat(MemorySegment s, DType dt, long i, float v) {
        switch (dt) {
            case F32 -> s.setAtIndex(Mem.F, i, v);
            case BF16 -> s.setAtIndex(Mem.S, i, Half.floatToBf16(v));
            case F16 -> s.setAtIndex(Mem.S, i, Float.floatToFloat16(v));
            case I32 -> s.setAtIndex(Mem.I, i, (int) v);
            case I64 -> s.setAtIndex(Mem.L, i, (long) v);
        }
    }

    private static long getLong(MemorySegment s, DType dt, long i) {
        return dt == DType.I64 ? s.getAtIndex(Mem.L, i) : s.getAtIndex(Mem.I, i);
    }

    private static void setLong(MemorySegment s, DType dt, long i, long v) {
        if (dt == DType.I64) s.setAtIndex(Mem.L, i, v);
        else s.setAtIndex(Mem.I, i, Math.toIntExact(v));
    }

    /** table (V, C) any dtype; rows copied byte for byte. Out-of-range ids are an error naming the position. */
    static void gatherRows(Tensor table, MemorySegment idx, Tensor out, long n) {
        MemorySegment t = table.segment(), o = out.segment();
        long rowBytes = (long) table.dim(1) * table.dtype().byteSize();
        int vocab = table.dim(0);
        for (long r = 0; r < n; r++) {
            int id = Mem.i(idx, r);
            if (id < 0 || id >= vocab)
                throw new IndexOutOfBoundsException("gatherRows: index " + id + " at position " + r + " is outside [0, " + vocab + ")");
            MemorySegment.copy(t, id * rowBytes, o, r * rowBytes, rowBytes);
        }
    }

    static void scatterAddRows(MemorySegment src, MemorySegment idx, MemorySegment dst, long n, int c, int vocab) {
        for (long r = 0; r < n; r++) {
            int id = Mem.i(idx, r);
            if (id < 0 || id >= vocab)
                throw new IndexOutOfBoundsException("scatterAddRows: index " + id + " at position " + r + " is outside [0, " + vocab + ")");
            for (int i = 0; i < c; i++) Mem.f(dst, (long) id * c + i, Mem.f(dst, (long) id * c + i) + Mem.f(src, r * c + i));
        }
    }

    /**
     * The index map of Qwen2-VL's patchify: for patch row {@code r} and column {@code col}, the flat index into
     * frames (T, C, H, W). Rows run over (gt, bh, bw, mh, mw), columns over (c, t, ph, pw).
     */
    static long patchSource(PatchSpec sp, int ch, int h, int w, int r, int col) {
        int p = sp.patch(), m = sp.merge(), tp = sp.temporalPatch();
        int gh = h / p, gw = w / p;
        int mw = r % m, mh = (r / m) % m, bw = (r / (m * m)) % (gw / m), bh = (r / (m * m * (gw / m))) % (gh / m);
        int gt = r / (gh * gw);
        int pw = col % p, ph = (col / p) % p, t = (col / (p * p)) % tp, c = col / (p * p * tp);
        long frame = (long) gt * tp + t, y = (long) (bh * m + mh) * p + ph, x = (long) (bw * m + mw) * p + pw;
        return ((frame * ch + c) * h + y) * w + x;
    }

    static void patches(MemorySegment frames, MemorySegment patches, PatchSpec sp, int[] fshape, boolean fold) {
        int ch = fshape[1], h = fshape[2], w = fshape[3];
        int rows = fshape[0] / sp.temporalPatch() * (h / sp.patch()) * (w / sp.patch()), cols = sp.patchDim(ch);
        for (int r = 0; r < rows; r++) {
            for (int col = 0; col < cols; col++) {
                long src = patchSource(sp, ch, h, w, r, col), dst = (long) r * cols + col;
                if (fold) Mem.f(frames, src, Mem.f(patches, dst));
                else Mem.f(patches, dst, Mem.f(frames, src));
            }
        }
    }
}
