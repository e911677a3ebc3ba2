package ai.pulsemind.backend.cpu;

import ai.pulsemind.backend.AttentionSpec;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorSpecies;

import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.List;

import static ai.pulsemind.backend.cpu.MicroKernel.MR;
import static ai.pulsemind.backend.cpu.MicroKernel.NR;
import static ai.pulsemind.backend.cpu.MicroKernel.S;
import static ai.pulsemind.backend.cpu.MicroKernel.VL;
import static ai.pulsemind.backend.cpu.MicroKernel.ceilDiv;
import static ai.pulsemind.backend.cpu.MicroKernel.roundUp;

/**
 * Flash-style tiled attention forward (packed varlen segments, bottom-right causal, GQA), on the GEMM
 * micro-kernel. A piece of work is one (segment, query head, tile of {@link MicroKernel#NR} queries); it keeps
 * the tile <em>transposed</em> — queries along the vector lanes — so the online softmax (running max, rescale,
 * row sums) is plain lane-wise vector code:
 *
 * <pre>
 * Qᵀ (D, NR)   queries of the tile, pre-scaled, one column per query
 * for each key block of BC keys:
 *   Sᵀ (BC, NR) = K_blk (BC, D) · Qᵀ              micro-kernel, A = K rows (broadcast), B = Qᵀ
 *   m' = max(m, colmax Sᵀ);  Pᵀ = exp(Sᵀ − m');  l = l·e^(m−m') + colsum Pᵀ;  Oᵀ ·= e^(m−m')
 *   Oᵀ (D, NR) += V_blkᵀ (D, BC) · Pᵀ              micro-kernel, A = V read by columns, B = Pᵀ
 * out = (Oᵀ / l)ᵀ,  lse = m + log l
 * </pre>
 *
 * K and V are first copied once per call into float arrays [Hkv][Nk][DS] (DS = D rounded up to
 * {@link MicroKernel#MR}, zero-padded), shared by every piece. The reduction order of each output is fixed by
 * the loops, so results do not depend on the thread count.
 */
final class FastAttention {
    /** Keys per block: the Pᵀ tile (BC x NR) and the K, V rows it reads stay in L1/L2. */
    static final int BC = 96;
    private static final int SLOT_QT = 0, SLOT_S = 1, SLOT_O = 2, SLOT_ML = 3;
    static final int LENT_K = 1, LENT_V = 2;
    private static final VectorSpecies<Integer> IS = S.vectorShape().withLanes(int.class);

    private FastAttention() {}

    /** Packed K or V: [Hkv][Nk][ds], plus one spare block of rows so tiles may read past the last key. */
    record Packed(float[] k, float[] v, int ds, int nk) {
        int base(int head, int row) { return (head * nk + row) * ds; }
    }

    /** Copies k, v (Nk, Hkv, D) into [Hkv][Nk][ds] float arrays, zero-padding each row to ds columns. */
    static Packed pack(CpuPool pool, MemorySegment k, MemorySegment v, int nk, int hkv, int d, int ds) {
        int size = hkv * nk * ds + BC * ds + NR;
        float[] kp = pool.borrow(LENT_K, size), vp = pool.borrow(LENT_V, size);
        int per = Math.max(1, FastElementwise.CHUNK / Math.max(1, hkv * d));
        pool.run(ceilDiv(Math.max(1, nk), per), (t, w) -> {
            for (int j = t * per; j < Math.min(nk, (t + 1) * per); j++) {
                for (int h = 0; h < hkv; h++) {
                    long src = ((long) j * hkv + h) * d;
                    int dst = (h * nk + j) * ds;
                    FastGemm.packRows(k, src, d, 1, d, kp, dst, ds, 1);
                    FastGemm.packRows(v, src, d, 1, d, vp, dst, ds, 1);
                }
            }
        });
        java.util.Arrays.fill(kp, hkv * nk * ds, size, 0f);
        java.util.Arrays.fill(vp, hkv * nk * ds, size, 0f);
        return new Packed(kp, vp, ds, nk);
    }

    /** One piece: a tile of up to NR queries [i0, i0+rows) of segment s for query head h. */
    private record Piece(int s, int h, int i0, int rows) {}

    static void forward(CpuPool pool, MemorySegment q, MemorySegment k, MemorySegment v, AttentionSpec spec,
                        MemorySegment out, MemorySegment lse, int hq, int hkv, int d) {
        int ds = roundUp(d, MR);
        Packed p = pack(pool, k, v, spec.totalK(), hkv, d, ds);
        List<Piece> pieces = new ArrayList<>();
        for (int s = 0; s < spec.segments(); s++) {
            int lq = spec.cuSeqlensQ()[s + 1] - spec.cuSeqlensQ()[s];
            // Later tiles of a causal segment see more keys: list them first so the long pieces start early.
            for (int i0 = (ceilDiv(lq, NR) - 1) * NR; i0 >= 0; i0 -= NR)
                for (int h = 0; h < hq; h++) pieces.add(new Piece(s, h, i0, Math.min(NR, lq - i0)));
        }
        try {
            pool.run(pieces.size(), (t, w) -> tile(pool, w, pieces.get(t), q, p, spec, out, lse, hq, hkv, d));
        } finally {
            pool.giveBack(LENT_K, p.k());
            pool.giveBack(LENT_V, p.v());
        }
    }

    private static void tile(CpuPool pool, int w, Piece pc, MemorySegment q, Packed p, AttentionSpec spec,
                             MemorySegment out, MemorySegment lse, int hq, int hkv, int d) {
        int ds = p.ds();
        int q0 = spec.cuSeqlensQ()[pc.s()], lq = spec.cuSeqlensQ()[pc.s() + 1] - q0;
        int k0 = spec.cuSeqlensK()[pc.s()], lk = spec.cuSeqlensK()[pc.s() + 1] - k0;
        int off = lk - lq, kh = pc.h() / (hq / hkv);
        float[] qt = pool.floats(w, SLOT_QT, d * NR), sb = pool.floats(w, SLOT_S, BC * NR);
        float[] ot = pool.floats(w, SLOT_O, ds * NR), ml = pool.floats(w, SLOT_ML, 2 * NR);
        loadTransposed(q, ((long) (q0 + pc.i0()) * hq + pc.h()) * d, (long) hq * d, pc.rows(), d, spec.scale(), qt, 0);
        java.util.Arrays.fill(ot, 0, ds * NR, 0f);
        java.util.Arrays.fill(ml, 0, NR, Float.NEGATIVE_INFINITY); // running max m
        java.util.Arrays.fill(ml, NR, 2 * NR, 0f);                  // running sum l
        // Keys this tile can see: all, or up to the last query's causal limit.
        int kvEnd = spec.causal() ? Math.min(lk, pc.i0() + pc.rows() + off) : lk;
        for (int j0 = 0; j0 < kvEnd; j0 += BC) {
            int nj = Math.min(BC, kvEnd - j0);
            int kb = p.base(kh, k0 + j0);
            MicroKernel.block(roundUp(nj, MR), 1, d, p.k(), kb, ds, 1, qt, 0, NR, 0, sb, 0, NR, false);
            // Causal: key j0+j is hidden from query lanes i < j0 + j − off − i0.
            int maskFrom = spec.causal() ? j0 - off - pc.i0() : Integer.MIN_VALUE;
            onlineSoftmax(sb, nj, maskFrom, ml, ot, ds);
            MicroKernel.block(ds, 1, nj, p.v(), kb, 1, ds, sb, 0, NR, 0, ot, 0, NR, true);
        }
        storeOutput(ot, ml, out, lse, ((long) (q0 + pc.i0()) * hq + pc.h()) * d, (long) hq * d,
                (long) pc.h() * spec.totalQ() + q0 + pc.i0(), pc.rows(), d);
    }

    /** dst[to + c·NR + i] = scale · src[at + i·stride + c] for i < rows, c < d; lanes i ≥ rows are zero. */
    static void loadTransposed(MemorySegment src, long at, long stride, int rows, int d, float scale, float[] dst, int to) {
        for (int i = 0; i < NR; i++) {
            if (i < rows) {
                long o = at + i * stride;
                for (int c = 0; c < d; c++) dst[to + c * NR + i] = scale * src.getAtIndex(Mem.F, o + c);
            } else {
                for (int c = 0; c < d; c++) dst[to + c * NR + i] = 0f;
            }
        }
    }

    /**
     * Updates the running max m and sum l (ml = [m | l], NR lanes each) with the score block sb (nj x NR), turns
     * sb into Pᵀ = exp(Sᵀ − m') and rescales the accumulator ot (ds x NR) by e^(m − m').
     * Row j of sb is masked for lanes {@code i < maskFrom + j} (causal).
     */
    static void onlineSoftmax(float[] sb, int nj, int maskFrom, float[] ml, float[] ot, int ds) {
        IntVector iota = IntVector.zero(IS).addIndex(1);
        for (int v = 0; v < NR; v += VL) {
            FloatVector mOld = FloatVector.fromArray(S, ml, v), mx = mOld;
            IntVector lane = iota.add(v);
            for (int j = 0; j < nj; j++) {
                FloatVector sv = FloatVector.fromArray(S, sb, j * NR + v);
                if (maskFrom + j > v) { // some lanes of this vector are hidden
                    VectorMask<Float> hid = lane.lt(maskFrom + j).cast(S);
                    sv = sv.blend(Float.NEGATIVE_INFINITY, hid);
                    sv.intoArray(sb, j * NR + v);
                }
                mx = mx.max(sv);
            }
            // A lane with no visible key yet keeps m = −∞; subtract 0 there instead so exp gives 0, not NaN.
            FloatVector base = mx.blend(0f, mx.eq(Float.NEGATIVE_INFINITY));
            FloatVector alpha = VecMath.exp(mOld.sub(base));
            FloatVector sum = FloatVector.fromArray(S, ml, NR + v).mul(alpha);
            for (int j = 0; j < nj; j++) {
                FloatVector e = VecMath.exp(FloatVector.fromArray(S, sb, j * NR + v).sub(base));
                e.intoArray(sb, j * NR + v);
                sum = sum.add(e);
            }
            mx.intoArray(ml, v);
            sum.intoArray(ml, NR + v);
            for (int c = 0; c < ds; c++) FloatVector.fromArray(S, ot, c * NR + v).mul(alpha).intoArray(ot, c * NR + v);
        }
    }

    /** out[i][c] = ot[c][i] / l[i]; lse[i] = m[i] + log l[i]; a query that saw no key gets 0 and −∞. */
    private static void storeOutput(float[] ot, float[] ml, MemorySegment out, MemorySegment lse, long at, long stride,
                                    long lseAt, int rows, int d) {
        for (int i = 0; i < rows; i++) {
            float l = ml[NR + i], inv = l > 0 ? 1f / l : 0f;
            long o = at + i * stride;
            for (int c = 0; c < d; c++) out.setAtIndex(Mem.F, o + c, ot[c * NR + i] * inv);
            lse.setAtIndex(Mem.F, lseAt + i, l > 0 ? ml[i] + (float) Math.log(l) : Float.NEGATIVE_INFINITY);
        }
    }
}
