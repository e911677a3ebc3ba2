package ai.pulsemind.backend.cpu;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorMask;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.util.Arrays;

import static ai.pulsemind.backend.cpu.MicroKernel.MR;
import static ai.pulsemind.backend.cpu.MicroKernel.NR;
import static ai.pulsemind.backend.cpu.MicroKernel.S;
import static ai.pulsemind.backend.cpu.MicroKernel.VL;
import static ai.pulsemind.backend.cpu.MicroKernel.ceilDiv;
import static ai.pulsemind.backend.cpu.MicroKernel.roundUp;

/**
 * Blocked, packed, multithreaded f32 GEMM {@code C = alpha·op(A)·op(B) + beta·C} (the BLIS loop nest):
 *
 * <pre>
 * for jc in N step NC                       B block (KC x NC) packed once, shared by all threads
 *   for pc in K step KC                     into NR-wide panels (kc x NR, row-contiguous)
 *     parallel for (ic in M step mc) x (N sub-range)   tiles of C: each packs its own A block (mc x kc)
 *       for panel: for 6-row tile: MicroKernel.tile   then adds the panel into C (alpha, beta applied here)
 * </pre>
 *
 * A is never transposed while packing: the micro-kernel broadcasts A from any strides, so a row-major A block
 * is packed as rows ({@code ars = kc}) and a transposed one as columns ({@code aps = mc}) by plain copies.
 * B is packed into panels (a transpose when {@code transB}). Edges are zero-padded in the packed copies and
 * masked when C is written, so every size takes the same path.
 *
 * <p>Determinism: every element of C is the same sequence of FMAs (K in KC blocks, each block summed in order,
 * blocks added to C in order) whatever the tiling or thread count, so results do not depend on threads at all.
 */
final class FastGemm {
    /**
     * K block. A B panel (KC x NR = 128 KB) and the A block (MC x KC = 288 KB) both stay in the 1 MB L2. Measured
     * on Zen 5 (2 threads, 1024³ and 2048³, interleaved best-of-24 on a shared machine): KC 512 ≥ 384 > 256 > 128
     * by 5–15%; MC from 96 to 192 within noise.
     */
    static final int KC = 512;
    /** Largest M block (rows of A packed per piece). */
    static final int MC = 144;
    /** N block: the packed B block (KC x NC = 4 MB) is shared by all threads from L3. */
    static final int NC = 2048;
    /** Below this many multiply-adds a GEMM runs on the calling thread: fork/join costs more than it saves. */
    static final long SERIAL_WORK = 1L << 18;

    private static final ValueLayout.OfFloat F = ValueLayout.JAVA_FLOAT_UNALIGNED;
    private static final ByteOrder NATIVE = ByteOrder.nativeOrder();
    private static final int SLOT_A = 0, SLOT_C = 1, SLOT_T = 2, SLOT_B = 3;
    private static final int LENT_B = 0;

    private FastGemm() {}

    /**
     * One operand: a (rows x cols) row-major matrix at element {@code off} of {@code seg}, read transposed if
     * {@code t}; its elements F32, or BF16 with {@code bf16} (widened exactly as they are packed or loaded).
     */
    record Mat(MemorySegment seg, long off, int rows, int cols, boolean t, boolean bf16) {
        Mat(MemorySegment seg, long off, int rows, int cols, boolean t) { this(seg, off, rows, cols, t, false); }
    }

    /** dims = {B, M, N, K, Ba, Bb} as returned by OpChecks.matmul. */
    static void matmul(CpuPool pool, MemorySegment a, boolean ta, MemorySegment b, boolean tb, MemorySegment c,
                       float alpha, float beta, int[] dims) {
        matmul(pool, a, ta, b, tb, false, c, alpha, beta, dims);
    }

    /** As above; with {@code bBf16} B's elements are BF16 (a weight kept as stored), with the same results as its F32 copy. */
    static void matmul(CpuPool pool, MemorySegment a, boolean ta, MemorySegment b, boolean tb, boolean bBf16,
                       MemorySegment c, float alpha, float beta, int[] dims) {
        int batch = dims[0], m = dims[1], n = dims[2], k = dims[3], ba = dims[4], bb = dims[5];
        long sa = (long) m * k, sb = (long) k * n, sc = (long) m * n;
        long work = (long) m * n * k;
        if (batch > 1 && work * pool.threads() < SERIAL_WORK * 64) {
            // Many small products (attention-sized): one product per piece, each on one thread.
            pool.run(batch, (p, w) -> gemm(pool, false, w, new Mat(a, ba == 1 ? 0 : p * sa, ta ? k : m, ta ? m : k, ta),
                    new Mat(b, bb == 1 ? 0 : p * sb, tb ? n : k, tb ? k : n, tb, bBf16), c, p * sc, m, n, k, alpha, beta));
            return;
        }
        for (int p = 0; p < batch; p++) {
            Mat ma = new Mat(a, ba == 1 ? 0 : p * sa, ta ? k : m, ta ? m : k, ta);
            Mat mb = new Mat(b, bb == 1 ? 0 : p * sb, tb ? n : k, tb ? k : n, tb, bBf16);
            long cOff = p * sc;
            if (work < SERIAL_WORK) pool.run(1, (t, w) -> gemm(pool, false, w, ma, mb, c, cOff, m, n, k, alpha, beta));
            else gemm(pool, true, 0, ma, mb, c, cOff, m, n, k, alpha, beta);
        }
    }

    /**
     * One product C (m x n at element {@code co} of {@code c}) from A (m x k) and B (k x n) as described by the
     * operands. Not {@code parallel}: run on the calling thread, which is {@code worker} of {@code pool} (its
     * scratch buffers are used).
     */
    static void gemm(CpuPool pool, boolean parallel, int worker, Mat a, Mat b, MemorySegment c, long co, int m, int n, int k,
                     float alpha, float beta) {
        if (m == 0 || n == 0) return;
        if (k == 0) {
            scaleC(c, co, m, n, beta);
            return;
        }
        if (FastGemv.takes(m, b)) {
            FastGemv.gemv(pool, parallel, worker, a, b, c, co, m, n, k, alpha, beta); // B's BF16 flag travels in b
            return;
        }
        // x·Wᵀ with fewer rows of x than of W: packing W as B would transpose all of it for little arithmetic.
        // Compute Cᵀ = W·xᵀ instead: W becomes the A operand (plain row copies) and only x is transposed. Each
        // element is the same FMA sequence either way (the product commutes), so the result is unchanged. Cᵀ is
        // written back transposed, element by element, once per K block: from KC rows of x on, that costs more
        // than transposing W once (measured, 4864 x 896 weight, 2 threads: 1024 rows 34 ms unswapped against
        // 45 ms swapped; 128 and 256 rows within 5%).
        boolean swap = b.t() && m < n && m < KC;
        if (swap) {
            Mat w = new Mat(b.seg(), b.off(), n, k, false, b.bf16());
            Mat xt = a.t() ? new Mat(a.seg(), a.off(), k, m, false) : new Mat(a.seg(), a.off(), m, k, true);
            a = w;
            b = xt;
            int t = m;
            m = n;
            n = t;
        }
        int threads = parallel ? pool.threads() : 1;
        // Equal M blocks, their count a multiple of the thread count once there are enough rows.
        int mb = ceilDiv(m, MC);
        if (mb >= threads) mb = roundUp(mb, threads);
        int mc = Math.min(roundUp(ceilDiv(m, mb), MR), roundUp(m, MR));
        mb = ceilDiv(m, mc);
        int ncMax = Math.min(NC, n), panelsMax = ceilDiv(ncMax, NR);
        // Shared by the pieces of a parallel product, so not a per-worker scratch buffer.
        float[] bp = parallel ? pool.borrow(LENT_B, panelsMax * KC * NR) : pool.floats(worker, SLOT_B, panelsMax * KC * NR);
        try {
            loops(pool, parallel, worker, a, b, c, co, m, n, k, alpha, beta, bp, mb, mc, threads, swap);
        } finally {
            if (parallel) pool.giveBack(LENT_B, bp);
        }
    }

    private static void loops(CpuPool pool, boolean parallel, int worker, Mat a, Mat b, MemorySegment c, long co,
                              int m, int n, int k, float alpha, float beta, float[] bp, int mb, int mc, int threads,
                              boolean ct) {
        for (int jc = 0; jc < n; jc += NC) {
            int nc = Math.min(NC, n - jc), panels = ceilDiv(nc, NR);
            // N sub-ranges so that small-M products still give every thread work (each >= 4 panels).
            int nsplit = Math.max(1, Math.min(ceilDiv(2 * threads, mb), panels / 4));
            int per = ceilDiv(panels, nsplit);
            for (int pc = 0; pc < k; pc += KC) {
                int kc = Math.min(KC, k - pc);
                boolean first = pc == 0;
                int packPieces = Math.min(panels, 4 * threads), jcF = jc, pcF = pc;
                int perPack = ceilDiv(panels, packPieces);
                run(parallel ? pool : null, worker, ceilDiv(panels, perPack), (t, w) -> {
                    for (int jp = t * perPack; jp < Math.min(panels, (t + 1) * perPack); jp++)
                        packB(b, pcF, kc, jcF + jp * NR, Math.min(NR, n - jcF - jp * NR), bp, jp * kc * NR, pool, w);
                });
                run(parallel ? pool : null, worker, mb * nsplit, (t, w) -> {
                    int ic = (t / nsplit) * mc, rows = Math.min(mc, m - ic);
                    int p0 = (t % nsplit) * per, p1 = Math.min(panels, p0 + per);
                    if (p0 < p1)
                        tileTask(a, ic, rows, pcF, kc, bp, p0, p1, c, co, ct ? m : n, ct, jcF, nc, alpha, beta, first, pool, w);
                });
            }
        }
    }

    private static void run(CpuPool pool, int worker, int tasks, CpuPool.Body body) {
        if (pool == null) for (int t = 0; t < tasks; t++) body.run(t, worker);
        else pool.run(tasks, body);
    }

    /**
     * One tile of C: rows [ic, ic+rows) x panels [p0, p1) of the current N block, for one K block. With
     * {@code ct} the product being computed is Cᵀ, so tile element (i, j) goes to C[j][i] (row length ldc).
     */
    private static void tileTask(Mat a, int ic, int rows, int pc, int kc, float[] bp, int p0, int p1,
                                 MemorySegment c, long co, int ldc, boolean ct, int jc, int nc, float alpha, float beta,
                                 boolean first, CpuPool pool, int w) {
        int rowsPad = roundUp(rows, MR);
        float[] ap = pool.floats(w, SLOT_A, rowsPad * kc);
        float[] cb = pool.floats(w, SLOT_C, rowsPad * NR);
        int ars, aps;
        if (!a.t()) { // A (m x k) row-major: rows of the block as they are
            packRows(a, a.off() + (long) ic * a.cols() + pc, a.cols(), rows, kc, ap, 0, kc, rowsPad);
            ars = kc;
            aps = 1;
        } else {      // A stored (k x m): the block's columns are rows of the stored matrix
            packRows(a, a.off() + (long) pc * a.cols() + ic, a.cols(), kc, rows, ap, 0, rowsPad, kc);
            ars = 1;
            aps = rowsPad;
        }
        for (int jp = p0; jp < p1; jp++) {
            MicroKernel.block(rowsPad, 1, kc, ap, 0, ars, aps, bp, jp * kc * NR, NR, 0, cb, 0, NR, false);
            int j0 = jc + jp * NR, cols = Math.min(NR, jc + nc - j0);
            if (ct) storeTransposed(cb, rows, cols, c, co + (long) j0 * ldc + ic, ldc, alpha, beta, first);
            else store(cb, rows, cols, c, co + (long) ic * ldc + j0, ldc, alpha, beta, first);
        }
    }

    /**
     * Copies {@code rows} runs of {@code len} floats, {@code stride} elements apart from element {@code off} of the
     * segment, into {@code dst} from {@code at}, {@code dstStride} apart, zero-filling each run to {@code dstStride}
     * and the rows up to {@code rowsPad}.
     */
    static void packRows(MemorySegment seg, long off, int stride, int rows, int len, float[] dst, int at, int dstStride,
                         int rowsPad) {
        for (int r = 0; r < rows; r++) {
            int d = at + r * dstStride;
            MemorySegment.copy(seg, F, (off + (long) r * stride) * 4, dst, d, len);
            if (len < dstStride) Arrays.fill(dst, d + len, d + dstStride, 0f);
        }
        if (rows < rowsPad) Arrays.fill(dst, at + rows * dstStride, at + rowsPad * dstStride, 0f);
    }

    /** {@link #packRows(MemorySegment, long, int, int, int, float[], int, int, int)} from an operand, F32 or BF16. */
    private static void packRows(Mat m, long off, int stride, int rows, int len, float[] dst, int at, int dstStride,
                                 int rowsPad) {
        if (!m.bf16()) {
            packRows(m.seg(), off, stride, rows, len, dst, at, dstStride, rowsPad);
            return;
        }
        for (int r = 0; r < rows; r++) {
            int d = at + r * dstStride;
            Bf16.widen(m.seg(), off + (long) r * stride, dst, d, len);
            if (len < dstStride) Arrays.fill(dst, d + len, d + dstStride, 0f);
        }
        if (rows < rowsPad) Arrays.fill(dst, at + rows * dstStride, at + rowsPad * dstStride, 0f);
    }

    /** Packs B rows [pc, pc+kc) x cols [j0, j0+cols) into one kc x NR panel, zero-padded to NR columns. */
    static void packB(Mat b, int pc, int kc, int j0, int cols, float[] dst, int at, CpuPool pool, int w) {
        if (!b.t()) {
            if (cols == NR && !b.bf16()) packPanelRows(b.seg(), b.off() + (long) pc * b.cols() + j0, b.cols(), kc, dst, at);
            else packRows(b, b.off() + (long) pc * b.cols() + j0, b.cols(), kc, cols, dst, at, NR, kc);
            return;
        }
        // B stored (n x k): copy the panel's rows (contiguous in k), then transpose in the cache.
        float[] t = pool.floats(w, SLOT_T, NR * kc);
        packRows(b, b.off() + (long) j0 * b.cols() + pc, b.cols(), cols, kc, t, 0, kc, NR);
        transpose(t, kc, dst, at, kc);
    }

    /**
     * A full panel of a row-major B: kc rows of NR floats, by vector loads and stores (a bulk copy call per
     * 256-byte row costs several times more; it dominated products with few rows of A).
     */
    private static void packPanelRows(MemorySegment seg, long off, int stride, int kc, float[] dst, int at) {
        for (int p = 0; p < kc; p++) {
            long src = (off + (long) p * stride) * 4;
            int d = at + p * NR;
            FloatVector.fromMemorySegment(S, seg, src, NATIVE).intoArray(dst, d);
            FloatVector.fromMemorySegment(S, seg, src + 4L * VL, NATIVE).intoArray(dst, d + VL);
            FloatVector.fromMemorySegment(S, seg, src + 8L * VL, NATIVE).intoArray(dst, d + 2 * VL);
            FloatVector.fromMemorySegment(S, seg, src + 12L * VL, NATIVE).intoArray(dst, d + 3 * VL);
        }
    }

    /** dst[at + p*NR + j] = src[j*ld + p] for j < NR, p < kc. */
    static void transpose(float[] src, int ld, float[] dst, int at, int kc) {
        for (int p0 = 0; p0 < kc; p0 += 8) {
            int p1 = Math.min(kc, p0 + 8);
            for (int j = 0; j < NR; j++) {
                int s = j * ld;
                for (int p = p0; p < p1; p++) dst[at + p * NR + j] = src[s + p];
            }
        }
    }

    /**
     * Adds a (rows x cols) tile (row stride NR) into C: {@code C = alpha·t + beta·C} for the first K block
     * (beta 0 ignores C entirely, as BLAS does: it may hold garbage or NaN), {@code C += alpha·t} after.
     */
    static void store(float[] t, int rows, int cols, MemorySegment c, long at, int ldc, float alpha, float beta, boolean first) {
        for (int r = 0; r < rows; r++) {
            long base = (at + (long) r * ldc) * 4;
            // One loop per mode, each with an unmasked body and one masked tail: a vector assigned on several
            // branches, or a mask built for every vector, costs several times the arithmetic here.
            if (!first) storeAdd(t, r * NR, cols, c, base, alpha);
            else if (beta != 0) storeBlend(t, r * NR, cols, c, base, alpha, beta);
            else storeSet(t, r * NR, cols, c, base, alpha);
        }
    }

    /** {@link #store} into Cᵀ: tile element (r, j) goes to c[at + j·ldc + r]. Few rows (the swap case), scalar. */
    private static void storeTransposed(float[] t, int rows, int cols, MemorySegment c, long at, int ldc, float alpha,
                                        float beta, boolean first) {
        for (int j = 0; j < cols; j++) {
            for (int r = 0; r < rows; r++) {
                long i = at + (long) j * ldc + r;
                float x = alpha * t[r * NR + j];
                if (!first) x += c.getAtIndex(F, i);
                else if (beta != 0) x += beta * c.getAtIndex(F, i);
                c.setAtIndex(F, i, x);
            }
        }
    }

    /** c[base..] += alpha·t[o..o+cols). */
    private static void storeAdd(float[] t, int o, int cols, MemorySegment c, long base, float alpha) {
        int v = 0;
        for (; v + VL <= cols; v += VL) {
            long off = base + v * 4L;
            FloatVector.fromArray(S, t, o + v).mul(alpha).add(FloatVector.fromMemorySegment(S, c, off, NATIVE))
                    .intoMemorySegment(c, off, NATIVE);
        }
        if (v < cols) {
            VectorMask<Float> mk = S.indexInRange(v, cols);
            long off = base + v * 4L;
            FloatVector.fromArray(S, t, o + v).mul(alpha).add(FloatVector.fromMemorySegment(S, c, off, NATIVE, mk))
                    .intoMemorySegment(c, off, NATIVE, mk);
        }
    }

    /** c[base..] = alpha·t[o..o+cols) + beta·c[base..]. */
    private static void storeBlend(float[] t, int o, int cols, MemorySegment c, long base, float alpha, float beta) {
        int v = 0;
        for (; v + VL <= cols; v += VL) {
            long off = base + v * 4L;
            FloatVector.fromMemorySegment(S, c, off, NATIVE).mul(beta).add(FloatVector.fromArray(S, t, o + v).mul(alpha))
                    .intoMemorySegment(c, off, NATIVE);
        }
        if (v < cols) {
            VectorMask<Float> mk = S.indexInRange(v, cols);
            long off = base + v * 4L;
            FloatVector.fromMemorySegment(S, c, off, NATIVE, mk).mul(beta).add(FloatVector.fromArray(S, t, o + v).mul(alpha))
                    .intoMemorySegment(c, off, NATIVE, mk);
        }
    }

    /** c[base..] = alpha·t[o..o+cols); C is not read (beta 0 ignores it, as BLAS does: it may hold NaN). */
    private static void storeSet(float[] t, int o, int cols, MemorySegment c, long base, float alpha) {
        int v = 0;
        for (; v + VL <= cols; v += VL) FloatVector.fromArray(S, t, o + v).mul(alpha).intoMemorySegment(c, base + v * 4L, NATIVE);
        if (v < cols) {
            VectorMask<Float> mk = S.indexInRange(v, cols);
            FloatVector.fromArray(S, t, o + v).mul(alpha).intoMemorySegment(c, base + v * 4L, NATIVE, mk);
        }
    }

    private static void scaleC(MemorySegment c, long co, int m, int n, float beta) {
        for (long i = 0; i < (long) m * n; i++) {
            long at = (co + i) * 4;
            c.set(F, at, beta == 0 ? 0f : beta * c.get(F, at));
        }
    }
}
