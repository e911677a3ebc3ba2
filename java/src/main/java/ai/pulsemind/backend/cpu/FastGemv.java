package ai.pulsemind.backend.cpu;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.ShortVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorShape;
import jdk.incubator.vector.VectorSpecies;

import java.lang.foreign.MemorySegment;
import java.nio.ByteOrder;
import java.util.Arrays;

import static ai.pulsemind.backend.cpu.FastElementwise.load;
import static ai.pulsemind.backend.cpu.MicroKernel.S;
import static ai.pulsemind.backend.cpu.MicroKernel.VL;
import static ai.pulsemind.backend.cpu.MicroKernel.ceilDiv;
import static ai.pulsemind.backend.cpu.MicroKernel.roundUp;

/**
 * Products with few rows of A (decoding: one token per sequence through a linear layer), where packing B costs
 * more than the arithmetic: B is read once, straight from its segment, and never copied. A (m x k, m ≤
 * {@link #MAX_ROWS}) is copied once into a small row-major array. Pieces are ranges of C's columns; every
 * element of C is summed in the same order whatever the split, so results do not depend on the thread count.
 *
 * <ul>
 *   <li>B stored (n x k) (a weight used as {@code x·Wᵀ}): C[i][j] is a vector dot product of A's row i and
 *       B's row j, in blocks of 4 rows of A by 4 rows of B (16 FMAs per 8 vector loads), or 4 by 1. Each element is
 *       the same FMA chain in every block shape, so a row gives the same bits alone or in a batch.</li>
 *   <li>B stored (k x n): C[i][j0..j1) accumulates A[i][p]·B[p][j0..j1) over p in a small L1 buffer.</li>
 * </ul>
 */
final class FastGemv {
    /**
     * Up to this many rows of A the direct path wins. Measured against the packed GEMM (whose 64-wide tile mostly
     * multiplies padding at these sizes), BF16 W (4864 x 896 and 896 x 4864), 2 threads, AMD EPYC Zen 4: 16 rows
     * 180–220 GFLOP/s against 42–60, 32 rows 175–185 against 74–110, 48 rows 178 against 108–142, 64 rows a tie.
     */
    static final int MAX_ROWS = 48;
    /** For B stored (k x n), whose accumulator (m x width) is meant to stay in L1/L2: measured 1 to 16 rows. */
    static final int MAX_ROWS_ROW_MAJOR_B = 8;
    private static final int SLOT_A = 21, SLOT_ACC = 22;
    private static final int LENT_A = 3;
    private static final VectorSpecies<Short> SH = VectorSpecies.of(short.class, VectorShape.forBitSize(S.vectorBitSize() / 2));
    private static final VectorSpecies<Integer> I = VectorSpecies.of(int.class, S.vectorShape());
    private static final ByteOrder NATIVE = ByteOrder.nativeOrder();

    private FastGemv() {}

    /** Whether a product with m rows of A and this B takes the direct path. */
    static boolean takes(int m, FastGemm.Mat b) { return m <= (b.t() ? MAX_ROWS : MAX_ROWS_ROW_MAJOR_B); }

    /**
     * A (F32) times B, F32 or BF16 ({@code b.bf16()}: widened lane by lane as it is loaded, so the same FMAs on the
     * same values as an F32 copy of B, and the same bits, from half the bytes).
     */
    static void gemv(CpuPool pool, boolean parallel, int worker, FastGemm.Mat a, FastGemm.Mat b, MemorySegment c,
                     long co, int m, int n, int k, float alpha, float beta) {
        boolean b16 = b.bf16();
        int kp = roundUp(k, VL);
        // Kept between calls (up to 48 rows of a 4864-wide input is ~1 MB a call to allocate and zero); each row's
        // padding to kp is zeroed here, as the masked tails rely on it.
        float[] ar = parallel ? pool.borrow(LENT_A, m * kp) : pool.floats(worker, SLOT_A, m * kp);
        try {
            for (int i = 0; i < m; i++) {
                if (!a.t()) MemorySegment.copy(a.seg(), Mem.F, (a.off() + (long) i * k) * 4, ar, i * kp, k);
                else for (int p = 0; p < k; p++) ar[i * kp + p] = a.seg().getAtIndex(Mem.F, a.off() + (long) p * m + i);
                Arrays.fill(ar, i * kp + k, (i + 1) * kp, 0f);
            }
            products(pool, parallel, worker, ar, kp, b, b16, c, co, m, n, k, alpha, beta);
        } finally {
            if (parallel) pool.giveBack(LENT_A, ar);
        }
    }

    private static void products(CpuPool pool, boolean parallel, int worker, float[] ar, int kp, FastGemm.Mat b,
                                 boolean b16, MemorySegment c, long co, int m, int n, int k, float alpha, float beta) {
        // Pieces of C's columns: for B stored (k x n) few and wide, so each row of B is read in long runs (short
        // strided runs touch a new page per row); the accumulator (m x width) then sits in L1/L2.
        int threads = parallel ? pool.threads() : 1;
        int pieceCols = roundUp(Math.max(64, ceilDiv(n, (b.t() ? 8 : 2) * threads)), VL);
        int pieces = ceilDiv(n, pieceCols);
        CpuPool.Body body = (t, w) -> {
            int j0 = t * pieceCols, j1 = Math.min(n, j0 + pieceCols);
            if (b.t()) dots(ar, kp, m, k, b, b16, j0, j1, c, co, n, alpha, beta, pool.floats(w, SLOT_ACC, 16 * VL));
            else rows(pool, w, ar, kp, m, k, b, b16, j0, j1, c, co, n, alpha, beta);
        };
        if (parallel) pool.run(pieces, body);
        else for (int t = 0; t < pieces; t++) body.run(t, worker);
    }

    /**
     * C[i][j] for j in [j0, j1), B stored (n x k). With four or more rows of A, blocks of 4 rows of A x 4 rows of B
     * ({@link #dot4x4}, when VL divides k); with one row, 1 x 4 blocks ({@link #dot1x4}) of rows a quarter of the
     * piece apart, so that the four chains read four long runs of B rather than four short adjacent rows (DRAM
     * bound; (4864, 896) bf16 over 557 MB of weights, one thread: 21 ms against 39 ms with adjacent rows,
     * DecodeGemvBench); the rows of B left over, one at a time. Every element is the same FMA chain either way.
     * The hot loops load and widen B with Vector API calls written out in place, not through a
     * helper of ours: a helper that C2 had already compiled on its own ("already compiled into a big method",
     * "callee uses too much stack") was sometimes not inlined, and then every vector it returned was boxed; which
     * way a run went depended on compile timing (decode at 6 or at 27 tokens/s from the same command).
     */
    private static void dots(float[] ar, int kp, int m, int k, FastGemm.Mat b, boolean b16, int j0, int j1,
                             MemorySegment c, long co, int ldc, float alpha, float beta, float[] acc) {
        if (m >= 4 && k % VL == 0) {
            float[] t = new float[16];
            for (; j0 + 4 <= j1; j0 += 4) {
                long bo = b.off() + (long) j0 * k;
                for (int i = 0; i < m; i += 4) {
                    int rows = Math.min(4, m - i);
                    dot4x4(ar, kp, i, rows, k, b.seg(), b16, bo, acc);
                    LaneSum.of16(acc, t); // t[r·4 + q] = C[i + r][j0 + q]
                    long at = co + (long) i * ldc + j0;
                    for (int r = 0; r < rows; r++)
                        for (int q = 0; q < 4; q++) finish(c, at + (long) r * ldc + q, t[r * 4 + q], alpha, beta);
                }
            }
        }
        if (m == 1 && k % VL == 0) {
            int s = (j1 - j0) / 4;
            for (int j = j0; j < j0 + s; j++) {
                dot1x4(ar, k, b.seg(), b16, b.off() + (long) j * k, (long) s * k, acc);
                for (int q = 0; q < 4; q++) finish(c, co + j + (long) q * s, LaneSum.of(FloatVector.fromArray(S, acc, q * VL)), alpha, beta);
            }
            j0 += 4 * s;
        }
        for (int j = j0; j < j1; j++) {
            long bo = b.off() + (long) j * k;
            for (int i = 0; i < m; i += 4) {
                int rows = Math.min(4, m - i);
                if (rows == 1) dot1(ar, i * kp, k, b.seg(), b16, bo, c, co + (long) i * ldc + j, alpha, beta);
                else dot4(ar, kp, i, rows, k, b.seg(), b16, bo, c, co + (long) i * ldc + j, ldc, alpha, beta);
            }
        }
    }

    /** Up to four dot products of A rows i..i+rows with one B row, each finished into C. */
    private static void dot4(float[] ar, int kp, int i, int rows, int k, MemorySegment bs, boolean b16, long bo,
                             MemorySegment c, long at, int ldc, float alpha, float beta) {
        FloatVector s0 = FloatVector.zero(S), s1 = s0, s2 = s0, s3 = s0;
        int a0 = i * kp, a1 = Math.min(i + 1, i + rows - 1) * kp, a2 = Math.min(i + 2, i + rows - 1) * kp;
        int a3 = Math.min(i + 3, i + rows - 1) * kp;
        int p = 0;
        for (; p + VL <= k; p += VL) {
            FloatVector bv = b16
                    ? ((IntVector) ShortVector.fromMemorySegment(SH, bs, (bo + p) * 2, NATIVE)
                    .convertShape(VectorOperators.S2I, I, 0))
                    .lanewise(VectorOperators.LSHL, 16).reinterpretAsFloats()
                    : FloatVector.fromMemorySegment(S, bs, (bo + p) * 4, NATIVE);
            s0 = FloatVector.fromArray(S, ar, a0 + p).fma(bv, s0);
            s1 = FloatVector.fromArray(S, ar, a1 + p).fma(bv, s1);
            s2 = FloatVector.fromArray(S, ar, a2 + p).fma(bv, s2);
            s3 = FloatVector.fromArray(S, ar, a3 + p).fma(bv, s3);
        }
        if (p < k) { // A is zero-padded to kp, so the masked-off lanes add 0
            FloatVector bv = loadB(bs, b16, bo + p, p, k);
            s0 = FloatVector.fromArray(S, ar, a0 + p).fma(bv, s0);
            s1 = FloatVector.fromArray(S, ar, a1 + p).fma(bv, s1);
            s2 = FloatVector.fromArray(S, ar, a2 + p).fma(bv, s2);
            s3 = FloatVector.fromArray(S, ar, a3 + p).fma(bv, s3);
        }
        finish(c, at, LaneSum.of(s0), alpha, beta);
        if (rows > 1) finish(c, at + ldc, LaneSum.of(s1), alpha, beta);
        if (rows > 2) finish(c, at + 2L * ldc, LaneSum.of(s2), alpha, beta);
        if (rows > 3) finish(c, at + 3L * ldc, LaneSum.of(s3), alpha, beta);
    }

    /**
     * Sixteen dot-product chains: A rows i..i+rows (rows ≤ 4; missing rows repeat the last, computed and dropped)
     * with four consecutive B rows from element {@code bo}; chain (r, q) is left, unreduced, as vector r·4 + q of
     * {@code acc}. Each B vector feeds four FMAs and each A vector four, so a step loads 8 vectors for 16 FMAs
     * ({@link #dot4}: 5 for 4). Reduced by {@link LaneSum#of16}, each element is {@link #dot4}'s chain (vector FMAs
     * over k in order, then the lane butterfly), so the results are its bits. k is a multiple of VL: a masked tail
     * would double the method's size past what C2 inlines into it, and its vectors would then be boxed.
     */
    private static void dot4x4(float[] ar, int kp, int i, int rows, int k, MemorySegment bs, boolean b16, long bo,
                               float[] acc) {
        FloatVector s00 = FloatVector.zero(S), s01 = s00, s02 = s00, s03 = s00, s10 = s00, s11 = s00, s12 = s00, s13 = s00;
        FloatVector s20 = s00, s21 = s00, s22 = s00, s23 = s00, s30 = s00, s31 = s00, s32 = s00, s33 = s00;
        int a0 = i * kp, a1 = Math.min(i + 1, i + rows - 1) * kp, a2 = Math.min(i + 2, i + rows - 1) * kp;
        int a3 = Math.min(i + 3, i + rows - 1) * kp;
        long b0 = bo, b1 = bo + k, b2 = bo + 2L * k, b3 = bo + 3L * k;
        for (int p = 0; p < k; p += VL) {
            FloatVector w0 = b16
                    ? ((IntVector) ShortVector.fromMemorySegment(SH, bs, (b0 + p) * 2, NATIVE)
                            .convertShape(VectorOperators.S2I, I, 0)).lanewise(VectorOperators.LSHL, 16).reinterpretAsFloats()
                    : FloatVector.fromMemorySegment(S, bs, (b0 + p) * 4, NATIVE);
            FloatVector w1 = b16
                    ? ((IntVector) ShortVector.fromMemorySegment(SH, bs, (b1 + p) * 2, NATIVE)
                            .convertShape(VectorOperators.S2I, I, 0)).lanewise(VectorOperators.LSHL, 16).reinterpretAsFloats()
                    : FloatVector.fromMemorySegment(S, bs, (b1 + p) * 4, NATIVE);
            FloatVector w2 = b16
                    ? ((IntVector) ShortVector.fromMemorySegment(SH, bs, (b2 + p) * 2, NATIVE)
                            .convertShape(VectorOperators.S2I, I, 0)).lanewise(VectorOperators.LSHL, 16).reinterpretAsFloats()
                    : FloatVector.fromMemorySegment(S, bs, (b2 + p) * 4, NATIVE);
            FloatVector w3 = b16
                    ? ((IntVector) ShortVector.fromMemorySegment(SH, bs, (b3 + p) * 2, NATIVE)
                            .convertShape(VectorOperators.S2I, I, 0)).lanewise(VectorOperators.LSHL, 16).reinterpretAsFloats()
                    : FloatVector.fromMemorySegment(S, bs, (b3 + p) * 4, NATIVE);
            FloatVector x = FloatVector.fromArray(S, ar, a0 + p);
            s00 = x.fma(w0, s00); s01 = x.fma(w1, s01); s02 = x.fma(w2, s02); s03 = x.fma(w3, s03);
            x = FloatVector.fromArray(S, ar, a1 + p);
            s10 = x.fma(w0, s10); s11 = x.fma(w1, s11); s12 = x.fma(w2, s12); s13 = x.fma(w3, s13);
            x = FloatVector.fromArray(S, ar, a2 + p);
            s20 = x.fma(w0, s20); s21 = x.fma(w1, s21); s22 = x.fma(w2, s22); s23 = x.fma(w3, s23);
            x = FloatVector.fromArray(S, ar, a3 + p);
            s30 = x.fma(w0, s30); s31 = x.fma(w1, s31); s32 = x.fma(w2, s32); s33 = x.fma(w3, s33);
        }
        // Stored for the caller to reduce: the reduction's vector ops inlined here would push this method past the
        // node count up to which C2 inlines, and the ops left out would then run unintrinsified (boxed).
        s00.intoArray(acc, 0); s01.intoArray(acc, VL); s02.intoArray(acc, 2 * VL); s03.intoArray(acc, 3 * VL);
        s10.intoArray(acc, 4 * VL); s11.intoArray(acc, 5 * VL); s12.intoArray(acc, 6 * VL); s13.intoArray(acc, 7 * VL);
        s20.intoArray(acc, 8 * VL); s21.intoArray(acc, 9 * VL); s22.intoArray(acc, 10 * VL); s23.intoArray(acc, 11 * VL);
        s30.intoArray(acc, 12 * VL); s31.intoArray(acc, 13 * VL); s32.intoArray(acc, 14 * VL); s33.intoArray(acc, 15 * VL);
    }

    /**
     * Four dot-product chains of A's first row with four B rows, from elements {@code bo}, bo + stride, bo + 2·stride
     * and bo + 3·stride (decoding at batch 1), left unreduced as vectors 0..3 of {@code acc}. {@link #dot1}'s chain four times over, interleaved:
     * one chain alone waits on each FMA's latency (k/VL dependent FMAs a row), four independent ones keep the FMA
     * unit busy while the B rows stream in. Reduced by {@link LaneSum#of}, each is {@link #dot1}'s result, bit for
     * bit. k is a multiple of VL (no masked tail: see {@link #dot4x4}).
     */
    private static void dot1x4(float[] ar, int k, MemorySegment bs, boolean b16, long bo, long stride, float[] acc) {
        FloatVector s0 = FloatVector.zero(S), s1 = s0, s2 = s0, s3 = s0;
        long b0 = bo, b1 = bo + stride, b2 = bo + 2 * stride, b3 = bo + 3 * stride;
        for (int p = 0; p < k; p += VL) {
            FloatVector w0 = b16
                    ? ((IntVector) ShortVector.fromMemorySegment(SH, bs, (b0 + p) * 2, NATIVE)
                            .convertShape(VectorOperators.S2I, I, 0)).lanewise(VectorOperators.LSHL, 16).reinterpretAsFloats()
                    : FloatVector.fromMemorySegment(S, bs, (b0 + p) * 4, NATIVE);
            FloatVector w1 = b16
                    ? ((IntVector) ShortVector.fromMemorySegment(SH, bs, (b1 + p) * 2, NATIVE)
                            .convertShape(VectorOperators.S2I, I, 0)).lanewise(VectorOperators.LSHL, 16).reinterpretAsFloats()
                    : FloatVector.fromMemorySegment(S, bs, (b1 + p) * 4, NATIVE);
            FloatVector w2 = b16
                    ? ((IntVector) ShortVector.fromMemorySegment(SH, bs, (b2 + p) * 2, NATIVE)
                            .convertShape(VectorOperators.S2I, I, 0)).lanewise(VectorOperators.LSHL, 16).reinterpretAsFloats()
                    : FloatVector.fromMemorySegment(S, bs, (b2 + p) * 4, NATIVE);
            FloatVector w3 = b16
                    ? ((IntVector) ShortVector.fromMemorySegment(SH, bs, (b3 + p) * 2, NATIVE)
                            .convertShape(VectorOperators.S2I, I, 0)).lanewise(VectorOperators.LSHL, 16).reinterpretAsFloats()
                    : FloatVector.fromMemorySegment(S, bs, (b3 + p) * 4, NATIVE);
            FloatVector x = FloatVector.fromArray(S, ar, p);
            s0 = x.fma(w0, s0); s1 = x.fma(w1, s1); s2 = x.fma(w2, s2); s3 = x.fma(w3, s3);
        }
        s0.intoArray(acc, 0); s1.intoArray(acc, VL); s2.intoArray(acc, 2 * VL); s3.intoArray(acc, 3 * VL);
    }

    /**
     * One dot product of A's row at {@code a0} with one B row (decoding at batch 1): {@link #dot4}'s arithmetic for
     * a single row, in the same order, without its three idle accumulators (a quarter of the loads and FMAs).
     */
    private static void dot1(float[] ar, int a0, int k, MemorySegment bs, boolean b16, long bo, MemorySegment c, long at,
                             float alpha, float beta) {
        FloatVector s0 = FloatVector.zero(S);
        int p = 0;
        if (b16) {
            for (; p + VL <= k; p += VL) {
                FloatVector w = ((IntVector) ShortVector.fromMemorySegment(SH, bs, (bo + p) * 2, NATIVE)
                        .convertShape(VectorOperators.S2I, I, 0)).lanewise(VectorOperators.LSHL, 16).reinterpretAsFloats();
                s0 = FloatVector.fromArray(S, ar, a0 + p).fma(w, s0);
            }
        } else {
            for (; p + VL <= k; p += VL)
                s0 = FloatVector.fromArray(S, ar, a0 + p).fma(FloatVector.fromMemorySegment(S, bs, (bo + p) * 4, NATIVE), s0);
        }
        if (p < k) s0 = FloatVector.fromArray(S, ar, a0 + p).fma(loadB(bs, b16, bo + p, p, k), s0);
        finish(c, at, LaneSum.of(s0), alpha, beta);
    }

    /** VL values of B from element {@code i}, F32 or BF16 widened. */
    private static FloatVector loadB(MemorySegment s, boolean b16, long i) { return b16 ? Bf16.load(s, i) : load(s, i); }

    /** As above for row positions {@code from} to {@code to} − 1 (the lanes past {@code to} are 0). */
    private static FloatVector loadB(MemorySegment s, boolean b16, long i, int from, int to) {
        return b16 ? Bf16.load(s, i, from, to) : load(s, i, S.indexInRange(from, to));
    }

    /** C = alpha·s + beta·C; beta 0 ignores C (it may hold garbage), as BLAS does. */
    private static void finish(MemorySegment c, long at, float s, float alpha, float beta) {
        float v = alpha * s;
        if (beta != 0) v += beta * c.getAtIndex(Mem.F, at);
        c.setAtIndex(Mem.F, at, v);
    }


    /** C[i][j0..j1) for B stored (k x n): rows of B streamed once, accumulated in an L1 buffer. */
    private static void rows(CpuPool pool, int w, float[] ar, int kp, int m, int k, FastGemm.Mat b, boolean b16,
                             int j0, int j1, MemorySegment c, long co, int ldc, float alpha, float beta) {
        int width = j1 - j0, wp = roundUp(width, VL);
        float[] acc = pool.floats(w, SLOT_ACC, m * wp);
        Arrays.fill(acc, 0, m * wp, 0f);
        int full = width / VL * VL;
        for (int p = 0; p < k; p++) {
            long bo = b.off() + (long) p * ldc + j0;
            for (int i = 0; i < m; i++) {
                FloatVector a = FloatVector.broadcast(S, ar[i * kp + p]);
                int at = i * wp;
                for (int v = 0; v < full; v += VL)
                    loadB(b.seg(), b16, bo + v).fma(a, FloatVector.fromArray(S, acc, at + v)).intoArray(acc, at + v);
                if (full < width)
                    loadB(b.seg(), b16, bo + full, full, width).fma(a, FloatVector.fromArray(S, acc, at + full)).intoArray(acc, at + full);
            }
        }
        float[] tile = new float[MicroKernel.NR];
        for (int i = 0; i < m; i++) {
            for (int v = 0; v < width; v += MicroKernel.NR) {
                int cols = Math.min(MicroKernel.NR, width - v);
                System.arraycopy(acc, i * wp + v, tile, 0, cols);
                FastGemm.store(tile, 1, cols, c, co + (long) i * ldc + j0 + v, ldc, alpha, beta, true);
            }
        }
    }
}
