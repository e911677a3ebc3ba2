package ai.pulsemind.backend.cpu;

import ai.pulsemind.backend.AttentionSpec;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorSpecies;

import java.lang.foreign.MemorySegment;
import java.util.Arrays;

import static ai.pulsemind.backend.cpu.FastAttention.BC;
import static ai.pulsemind.backend.cpu.MicroKernel.MR;
import static ai.pulsemind.backend.cpu.MicroKernel.NR;
import static ai.pulsemind.backend.cpu.MicroKernel.S;
import static ai.pulsemind.backend.cpu.MicroKernel.VL;
import static ai.pulsemind.backend.cpu.MicroKernel.ceilDiv;
import static ai.pulsemind.backend.cpu.MicroKernel.roundUp;

/**
 * Flash-style attention backward (FlashAttention-2 order: key blocks outer, query tiles inner), on the GEMM
 * micro-kernel. A piece of work owns one (segment, K/V head) — or an interleaved share of its key blocks when
 * there are fewer such pairs than threads — and loops over the query heads that read that K/V head, so dK and
 * dV accumulate privately with no atomics. Per key block and query tile (queries along vector lanes):
 *
 * <pre>
 * Sᵀ  = K_blk · Qᵀ·scale      Pᵀ = exp(Sᵀ − lse)                  (BC, NR)
 * dPᵀ = V_blk · dOᵀ           dSᵀ = Pᵀ ∘ (dPᵀ − Σ dO∘O) · scale     (BC, NR)
 * dV_blk += Pᵀ · dO     dK_blk += dSᵀ · Q     dQ_tile += dS · K_blk  (vectors along D, padded to NR)
 * </pre>
 *
 * dQ of a query tile sums over key blocks in order; when key blocks are split across pieces, each piece keeps a
 * dQ partial and the partials are added in piece order afterwards. So results are bit-identical from run to
 * run for a given thread count (the split depends on it).
 */
final class FastAttentionBackward {
    /** Query rows of one tile in the dQ accumulator: NR rounded up to whole micro-kernel tiles. */
    private static final int NRP = roundUp(NR, MR);
    private static final int SLOT_QT = 4, SLOT_DOT = 5, SLOT_QR = 6, SLOT_DOR = 7, SLOT_ROW = 8, SLOT_DQ = 9,
            SLOT_DK = 10, SLOT_DV = 11, SLOT_S = 12, SLOT_P = 13;
    private static final VectorSpecies<Integer> IS = S.vectorShape().withLanes(int.class);

    private FastAttentionBackward() {}

    /** The operands of one call and its layout, shared by every piece. */
    private record Call(MemorySegment q, MemorySegment out, MemorySegment lse, MemorySegment dout, AttentionSpec spec,
                        FastAttention.Packed kv, int hq, int hkv, int d, int dp, int chunks) {}

    static void backward(CpuPool pool, MemorySegment q, MemorySegment k, MemorySegment v, MemorySegment out,
                         MemorySegment lse, MemorySegment dout, AttentionSpec spec, MemorySegment dq,
                         MemorySegment dk, MemorySegment dv, int hq, int hkv, int d) {
        int dp = roundUp(d, NR), pairs = spec.segments() * hkv;
        int chunks = pairs >= pool.threads() ? 1 : ceilDiv(pool.threads(), pairs);
        FastAttention.Packed kv = FastAttention.pack(pool, k, v, spec.totalK(), hkv, d, dp);
        Call call = new Call(q, out, lse, dout, spec, kv, hq, hkv, d, dp, chunks);
        // With one chunk a piece writes dQ rows directly; otherwise into its own partial, summed below.
        float[][] partial = chunks == 1 ? null : new float[pairs * chunks][];
        try {
            pool.run(pairs * chunks, (t, w) -> {
                int pair = t / chunks, ch = t % chunks;
                float[] part = partial == null ? null : (partial[t] = new float[dqPartialSize(call, pair / hkv)]);
                piece(pool, w, call, pair / hkv, pair % hkv, ch, part, dq, dk, dv);
            });
        } finally {
            pool.giveBack(FastAttention.LENT_K, kv.k());
            pool.giveBack(FastAttention.LENT_V, kv.v());
        }
        if (partial != null) {
            for (int pair = 0; pair < pairs; pair++) {
                float[] sum = partial[pair * chunks];
                for (int ch = 1; ch < chunks; ch++) {
                    float[] o = partial[pair * chunks + ch];
                    for (int i = 0; i < sum.length; i++) sum[i] += o[i];
                }
                int s = pair / hkv, g = pair % hkv, group = hq / hkv;
                for (int hh = 0; hh < group; hh++) storeDq(call, s, g * group + hh, sum, hh * dqHeadSize(call, s), dq);
            }
        }
    }

    private static int tiles(AttentionSpec spec, int s) { return ceilDiv(spec.cuSeqlensQ()[s + 1] - spec.cuSeqlensQ()[s], NR); }

    private static int dqHeadSize(Call c, int s) { return tiles(c.spec(), s) * NRP * c.dp(); }

    private static int dqPartialSize(Call c, int s) { return (c.hq() / c.hkv()) * dqHeadSize(c, s); }

    /** Key blocks {@code ch, ch + chunks, ...} of segment s against every query head that reads K/V head g. */
    private static void piece(CpuPool pool, int w, Call c, int s, int g, int ch, float[] dqPartial,
                              MemorySegment dq, MemorySegment dk, MemorySegment dv) {
        AttentionSpec spec = c.spec();
        int q0 = spec.cuSeqlensQ()[s], lq = spec.cuSeqlensQ()[s + 1] - q0;
        int k0 = spec.cuSeqlensK()[s], lk = spec.cuSeqlensK()[s + 1] - k0;
        int d = c.d(), dp = c.dp(), nt = ceilDiv(lq, NR), group = c.hq() / c.hkv(), blocks = ceilDiv(lk, BC);
        int lkPad = blocks * BC;
        float[] dK = pool.floats(w, SLOT_DK, lkPad * dp), dV = pool.floats(w, SLOT_DV, lkPad * dp);
        Arrays.fill(dK, 0, lkPad * dp, 0f);
        Arrays.fill(dV, 0, lkPad * dp, 0f);
        for (int hh = 0; hh < group; hh++) {
            int h = g * group + hh;
            Head hd = prepare(pool, w, c, s, h, nt);
            for (int b = ch; b < blocks; b += c.chunks()) block(c, hd, s, g, b * BC, lq, lk, nt, dK, dV, pool, w);
            if (dqPartial == null) storeDq(c, s, h, hd.dQ, 0, dq);
            else System.arraycopy(hd.dQ, 0, dqPartial, hh * dqHeadSize(c, s), dqHeadSize(c, s));
        }
        for (int b = ch; b < blocks; b += c.chunks()) {
            for (int j = b * BC; j < Math.min(lk, (b + 1) * BC); j++) {
                long at = ((long) (k0 + j) * c.hkv() + g) * d;
                MemorySegment.copy(dK, j * dp, dk, Mem.F, at * 4, d);
                MemorySegment.copy(dV, j * dp, dv, Mem.F, at * 4, d);
            }
        }
    }

    /** One query head's operands, laid out for the micro-kernel. Rows past the segment are zero. */
    private record Head(float[] qT, float[] doT, float[] qR, float[] doR, float[] lse, float[] dd, float[] dQ) {}

    private static Head prepare(CpuPool pool, int w, Call c, int s, int h, int nt) {
        AttentionSpec spec = c.spec();
        int q0 = spec.cuSeqlensQ()[s], lq = spec.cuSeqlensQ()[s + 1] - q0, d = c.d(), dp = c.dp();
        long rowStride = (long) c.hq() * d;
        float[] qT = pool.floats(w, SLOT_QT, nt * d * NR), doT = pool.floats(w, SLOT_DOT, nt * d * NR);
        float[] qR = pool.floats(w, SLOT_QR, nt * NR * dp), doR = pool.floats(w, SLOT_DOR, nt * NR * dp);
        float[] row = pool.floats(w, SLOT_ROW, 2 * nt * NR), dQ = pool.floats(w, SLOT_DQ, nt * NRP * dp);
        Arrays.fill(dQ, 0, nt * NRP * dp, 0f);
        for (int t = 0; t < nt; t++) {
            int i0 = t * NR, rows = Math.min(NR, lq - i0);
            long at = ((long) (q0 + i0) * c.hq() + h) * d;
            FastAttention.loadTransposed(c.q(), at, rowStride, rows, d, spec.scale(), qT, t * d * NR);
            FastAttention.loadTransposed(c.dout(), at, rowStride, rows, d, 1f, doT, t * d * NR);
        }
        FastGemm.packRows(c.q(), (long) q0 * c.hq() * d + (long) h * d, (int) rowStride, lq, d, qR, 0, dp, nt * NR);
        FastGemm.packRows(c.dout(), (long) q0 * c.hq() * d + (long) h * d, (int) rowStride, lq, d, doR, 0, dp, nt * NR);
        // row[0, nt·NR): lse, +∞ past the segment so those lanes get P = 0; row[nt·NR, 2·nt·NR): D = Σ dO∘O.
        int n = nt * NR;
        for (int i = 0; i < n; i++) {
            if (i < lq) {
                row[i] = c.lse().getAtIndex(Mem.F, (long) h * spec.totalQ() + q0 + i);
                long o = ((long) (q0 + i) * c.hq() + h) * d;
                float acc = 0;
                for (int x = 0; x < d; x++) acc = Math.fma(c.dout().getAtIndex(Mem.F, o + x), c.out().getAtIndex(Mem.F, o + x), acc);
                row[n + i] = acc;
            } else {
                row[i] = Float.POSITIVE_INFINITY;
                row[n + i] = 0f;
            }
        }
        return new Head(qT, doT, qR, doR, Arrays.copyOfRange(row, 0, n), Arrays.copyOfRange(row, n, 2 * n), dQ);
    }

    /** Key block [j0, j0+BC) against every query tile that sees it. */
    private static void block(Call c, Head hd, int s, int g, int j0, int lq, int lk, int nt, float[] dK, float[] dV,
                              CpuPool pool, int w) {
        AttentionSpec spec = c.spec();
        int d = c.d(), dp = c.dp(), k0 = spec.cuSeqlensK()[s], off = lk - lq;
        int nj = Math.min(BC, lk - j0), rowsJ = roundUp(nj, MR), kb = c.kv().base(g, k0 + j0);
        float[] sb = pool.floats(w, SLOT_S, BC * NR + NR), pb = pool.floats(w, SLOT_P, BC * NR + NR);
        for (int t = 0; t < nt; t++) {
            int i0 = t * NR, nq = Math.min(NR, lq - i0);
            if (spec.causal() && i0 + nq - 1 + off < j0) continue; // every key of the block is after these queries
            MicroKernel.block(rowsJ, 1, d, c.kv().k(), kb, dp, 1, hd.qT(), t * d * NR, NR, 0, sb, 0, NR, false);
            MicroKernel.block(rowsJ, 1, d, c.kv().v(), kb, dp, 1, hd.doT(), t * d * NR, NR, 0, pb, 0, NR, false);
            int maskFrom = spec.causal() ? j0 - off - i0 : Integer.MIN_VALUE;
            probabilities(sb, pb, nj, rowsJ, maskFrom, hd.lse(), hd.dd(), i0, spec.scale());
            int panels = dp / NR;
            MicroKernel.block(rowsJ, panels, nq, sb, 0, NR, 1, hd.doR(), i0 * dp, dp, NR, dV, j0 * dp, dp, true);
            MicroKernel.block(rowsJ, panels, nq, pb, 0, NR, 1, hd.qR(), i0 * dp, dp, NR, dK, j0 * dp, dp, true);
            MicroKernel.block(NRP, panels, nj, pb, 0, 1, NR, c.kv().k(), kb, dp, NR, hd.dQ(), t * NRP * dp, dp, true);
        }
    }

    /**
     * sb: Sᵀ → Pᵀ = exp(Sᵀ − lse) (0 where causally hidden); pb: dPᵀ → dSᵀ = Pᵀ·(dPᵀ − D)·scale. Rows from nj
     * to rowsJ (past the last key) are zeroed, and so is the row after them that the dQ product's padded lanes
     * read.
     */
    private static void probabilities(float[] sb, float[] pb, int nj, int rowsJ, int maskFrom, float[] lse, float[] dd,
                                      int i0, float scale) {
        IntVector iota = IntVector.zero(IS).addIndex(1);
        for (int v = 0; v < NR; v += VL) {
            FloatVector l = FloatVector.fromArray(S, lse, i0 + v), dv = FloatVector.fromArray(S, dd, i0 + v);
            IntVector lane = iota.add(v);
            for (int j = 0; j < nj; j++) {
                int o = j * NR + v;
                FloatVector p = VecMath.exp(FloatVector.fromArray(S, sb, o).sub(l));
                if (maskFrom + j > v) {
                    VectorMask<Float> hid = lane.lt(maskFrom + j).cast(S);
                    p = p.blend(0f, hid);
                }
                p.intoArray(sb, o);
                FloatVector.fromArray(S, pb, o).sub(dv).mul(p).mul(scale).intoArray(pb, o);
            }
        }
        Arrays.fill(sb, nj * NR, rowsJ * NR + NR, 0f);
        Arrays.fill(pb, nj * NR, rowsJ * NR + NR, 0f);
    }

    /** dq rows of head h from the accumulator laid out [tile][NRP][dp] at {@code at}. */
    private static void storeDq(Call c, int s, int h, float[] acc, int at, MemorySegment dq) {
        AttentionSpec spec = c.spec();
        int q0 = spec.cuSeqlensQ()[s], lq = spec.cuSeqlensQ()[s + 1] - q0, d = c.d(), dp = c.dp();
        for (int i = 0; i < lq; i++) {
            int src = at + ((i / NR) * NRP + i % NR) * dp;
            MemorySegment.copy(acc, src, dq, Mem.F, (((long) (q0 + i) * c.hq() + h) * d) * 4, d);
        }
    }
}
