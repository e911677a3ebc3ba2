package ai.pulsemind.backend.cpu;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;

import java.lang.foreign.MemorySegment;

import static ai.pulsemind.backend.cpu.FastElementwise.NATIVE;
import static ai.pulsemind.backend.cpu.FastElementwise.load;
import static ai.pulsemind.backend.cpu.FastElementwise.store;
import static ai.pulsemind.backend.cpu.MicroKernel.S;
import static ai.pulsemind.backend.cpu.MicroKernel.VL;

/**
 * RMSNorm, LayerNorm and softmax over the last dim of (R, C) rows, vectorised along C and parallel over fixed
 * row blocks. Row statistics are f32 vector sums reduced across lanes in a fixed order. Parameter gradients
 * (dw, db) are summed per row block into a partial, then the partials are added in block order; the blocks
 * depend only on R, so results do not depend on the thread count.
 */
final class FastNorm {
    private FastNorm() {}

    /** Row ranges: about {@link FastElementwise#CHUNK} elements each, at most 256 (bounds the dw partials). */
    private record Blocks(long rows, long per, int count) {
        static Blocks of(long rows, int c) {
            long per = Math.max(1, Math.max(FastElementwise.CHUNK / Math.max(1, c), (rows + 255) / 256));
            return new Blocks(rows, per, (int) ((rows + per - 1) / per));
        }

        long from(int b) { return b * per; }

        long to(int b) { return Math.min(rows, (b + 1) * per); }
    }

    private static void run(CpuPool pool, Blocks bl, CpuPool.Body body) {
        if (bl.count() <= 1) body.run(0, -1);
        else pool.run(bl.count(), body);
    }

    /** Σ x[o..o+c) · y[o..o+c) in f32 lanes, then across lanes. */
    private static float dot(MemorySegment x, long xo, MemorySegment y, long yo, int c) {
        FloatVector acc = FloatVector.zero(S);
        int i = 0;
        for (; i + VL <= c; i += VL) acc = load(x, xo + i).fma(load(y, yo + i), acc);
        if (i < c) {
            VectorMask<Float> m = S.indexInRange(i, c);
            acc = load(x, xo + i, m).fma(load(y, yo + i, m), acc);
        }
        return LaneSum.of(acc);
    }


    // ------------------------------------------------------------------ RMSNorm

    /**
     * One pass over memory: while row r is scaled (from L1), the sum of squares of row r+1 is accumulated, so the
     * DRAM read of the next row overlaps the write of this one (two separate passes measured 10% slower).
     */
    static void rmsnorm(CpuPool pool, MemorySegment x, MemorySegment w, float eps, MemorySegment out, MemorySegment rstd,
                        long rows, int c) {
        Blocks bl = Blocks.of(rows, c);
        long rb = 4L * c;
        MemorySegment wr = w.asSlice(0, rb);
        run(pool, bl, (b, wk) -> {
            long r0 = bl.from(b), r1 = bl.to(b);
            float ss = sumSquares(x.asSlice(r0 * rb, rb), c);
            for (long r = r0; r < r1; r++) {
                float rs = (float) (1.0 / Math.sqrt(ss / c + eps));
                MemorySegment xr = x.asSlice(r * rb, rb), or = out.asSlice(r * rb, rb);
                if (r + 1 < r1) ss = scaleByWeightAndSquare(xr, rs, wr, or, x.asSlice((r + 1) * rb, rb), c);
                else scaleByWeight(xr, rs, wr, or, c);
                rstd.setAtIndex(Mem.F, r, rs);
            }
        });
    }

    /** Bytes of a row's whole vectors: the main loops' bound. */
    private static long wholeBytes(int c) { return (long) (c - c % VL) * 4; }

    /**
     * out[i] = x[i]·s·w[i] over one row; returns Σ next[i]². Every argument is a slice of exactly one row, indexed
     * from 0: C2 then proves each access in bounds once and unrolls the loop; indexing the whole tensor at
     * row offset + i kept four range checks per vector and no unrolling (0–30% slower at (4096, 4096) on an AVX-512
     * host, no difference outside the noise on an AVX2 one: bench/results/rowops-2026-12-06b.md).
     * Row helpers are separate small methods: one method holding every loop grows past the JIT's inlining budget,
     * and a vector helper it then fails to inline is boxed. The hot loops call the Vector API directly (not
     * through FastElementwise.load): once the shared helper is compiled on its own, C2 may refuse to inline it
     * here ("callee uses too much stack"), and every vector of the row is then boxed. The sum of squares is
     * acc + v·v, not v.fma(v, acc): C2 left that fma on the Vector API's Java fallback in these loops (JFR:
     * float[] allocated in FloatVector.lanewiseTemplate under fma), 108 MB allocated per (4096, 4096) call on one
     * thread; with add and mul the same call allocates nothing per vector.
     */
    private static float scaleByWeightAndSquare(MemorySegment x, float s, MemorySegment w, MemorySegment out,
                                                MemorySegment next, int c) {
        FloatVector acc = FloatVector.zero(S);
        long n = wholeBytes(c);
        for (long b = 0; b < n; b += 4L * VL) {
            FloatVector v = FloatVector.fromMemorySegment(S, next, b, NATIVE);
            acc = acc.add(v.mul(v));
            FloatVector.fromMemorySegment(S, x, b, NATIVE).mul(s).mul(FloatVector.fromMemorySegment(S, w, b, NATIVE))
                    .intoMemorySegment(out, b, NATIVE);
        }
        int i = c - c % VL;
        if (i < c) {
            VectorMask<Float> m = S.indexInRange(i, c);
            FloatVector v = load(next, i, m);
            acc = acc.add(v.mul(v));
            store(load(x, i, m).mul(s).mul(load(w, i, m)), out, i, m);
        }
        float[] lanes = new float[VL];
        acc.intoArray(lanes, 0);
        return butterfly(lanes);
    }

    /** out[i] = x[i]·s·w[i] over one row (slices, as in {@link #scaleByWeightAndSquare}). */
    private static void scaleByWeight(MemorySegment x, float s, MemorySegment w, MemorySegment out, int c) {
        long n = wholeBytes(c);
        for (long b = 0; b < n; b += 4L * VL)
            FloatVector.fromMemorySegment(S, x, b, NATIVE).mul(s).mul(FloatVector.fromMemorySegment(S, w, b, NATIVE))
                    .intoMemorySegment(out, b, NATIVE);
        int i = c - c % VL;
        if (i < c) {
            VectorMask<Float> m = S.indexInRange(i, c);
            store(load(x, i, m).mul(s).mul(load(w, i, m)), out, i, m);
        }
    }

    /** Σ x² over one row (a slice), the first row of a block (the others are summed while the row before is scaled). */
    private static float sumSquares(MemorySegment x, int c) {
        FloatVector acc = FloatVector.zero(S);
        long n = wholeBytes(c);
        for (long b = 0; b < n; b += 4L * VL) {
            FloatVector v = FloatVector.fromMemorySegment(S, x, b, NATIVE);
            acc = acc.add(v.mul(v));
        }
        int i = c - c % VL;
        if (i < c) {
            VectorMask<Float> m = S.indexInRange(i, c);
            FloatVector v = load(x, i, m);
            acc = acc.add(v.mul(v));
        }
        float[] lanes = new float[VL];
        acc.intoArray(lanes, 0);
        return butterfly(lanes);
    }

    /**
     * {@link LaneSum#of} of lanes the calling loop has stored in t, the same bits: LaneSum's butterfly order (lane i
     * plus lane i + step, step = VL/2 … 1) in scalar code, and IEEE adds in the same order give the same sum. The
     * row loops store their accumulator here rather than pass it to LaneSum.of: a vector passed to a method C2
     * does not inline is boxed, and LaneSum.of compiled on its own runs its shuffles through the Vector API's Java
     * fallback, once per row.
     */
    private static float butterfly(float[] t) {
        for (int step = t.length >> 1; step >= 1; step >>= 1)
            for (int i = 0; i < step; i++) t[i] += t[i + step];
        return t[0];
    }

    /** dx = rs·(w·dout − x·rs²·(Σ w·dout·x)/C); dw += Σ_r dout·x·rs. */
    static void rmsnormBackward(CpuPool pool, MemorySegment x, MemorySegment w, MemorySegment rstd, MemorySegment dout,
                                MemorySegment dx, MemorySegment dw, long rows, int c) {
        Blocks bl = Blocks.of(rows, c);
        float[] part = dw == null ? null : new float[bl.count() * c];
        run(pool, bl, (b, wk) -> {
            for (long r = bl.from(b); r < bl.to(b); r++) {
                long o = r * c;
                float rs = rstd.getAtIndex(Mem.F, r);
                float k = rs * rs * weightedDot(w, dout, x, o, c) / c;
                rmsnormRowBackward(x, w, dout, dx, o, c, rs, k, part, b * c);
            }
        });
        if (dw != null) addPartials(part, bl.count(), c, dw);
    }

    /** Σ w·dout·x over one row. */
    private static float weightedDot(MemorySegment w, MemorySegment dout, MemorySegment x, long o, int c) {
        FloatVector acc = FloatVector.zero(S);
        int i = 0;
        for (; i + VL <= c; i += VL) acc = load(w, i).mul(load(dout, o + i)).fma(load(x, o + i), acc);
        if (i < c) {
            VectorMask<Float> m = S.indexInRange(i, c);
            acc = load(w, i, m).mul(load(dout, o + i, m)).fma(load(x, o + i, m), acc);
        }
        return LaneSum.of(acc);
    }

    private static void rmsnormRowBackward(MemorySegment x, MemorySegment w, MemorySegment dout, MemorySegment dx,
                                           long o, int c, float rs, float k, float[] part, int po) {
        int i = 0;
        for (; i + VL <= c; i += VL) {
            FloatVector xi = load(x, o + i), di = load(dout, o + i);
            store(load(w, i).mul(di).sub(xi.mul(k)).mul(rs), dx, o + i);
            if (part != null) di.mul(xi).mul(rs).add(FloatVector.fromArray(S, part, po + i)).intoArray(part, po + i);
        }
        if (i < c) { // the same on the last, partial vector
            VectorMask<Float> m = S.indexInRange(i, c);
            FloatVector xi = load(x, o + i, m), di = load(dout, o + i, m);
            store(load(w, i, m).mul(di).sub(xi.mul(k)).mul(rs), dx, o + i, m);
            if (part != null) di.mul(xi).mul(rs).add(FloatVector.fromArray(S, part, po + i, m)).intoArray(part, po + i, m);
        }
    }

    private static void softmaxRowBackward(MemorySegment y, MemorySegment dy, MemorySegment dx, long o, int c, float d) {
        int i = 0;
        for (; i + VL <= c; i += VL) store(load(dy, o + i).sub(d).mul(load(y, o + i)), dx, o + i);
        if (i < c) {
            VectorMask<Float> m = S.indexInRange(i, c);
            store(load(dy, o + i, m).sub(d).mul(load(y, o + i, m)), dx, o + i, m);
        }
    }

    /** dst[i] += Σ_b part[b·c + i], the blocks in order. */
    private static void addPartials(float[] part, int blocks, int c, MemorySegment dst) {
        for (int i = 0; i < c; i += VL) {
            VectorMask<Float> m = S.indexInRange(i, c);
            FloatVector acc = FloatVector.fromArray(S, part, i, m);
            for (int b = 1; b < blocks; b++) acc = acc.add(FloatVector.fromArray(S, part, b * c + i, m));
            store(acc.add(load(dst, i, m)), dst, i, m);
        }
    }

    // ------------------------------------------------------------------ LayerNorm

    static void layernorm(CpuPool pool, MemorySegment x, MemorySegment w, MemorySegment bias, float eps, MemorySegment out,
                          MemorySegment mean, MemorySegment rstd, long rows, int c) {
        Blocks bl = Blocks.of(rows, c);
        run(pool, bl, (b, wk) -> {
            for (long r = bl.from(b); r < bl.to(b); r++) {
                long o = r * c;
                // The mean as a float pair hi + lo, summed around the row's first value: a row far from 0 would
                // otherwise lose ~1 ulp of its mean, which (x − mean)·rstd magnifies.
                float x0 = x.getAtIndex(Mem.F, o);
                double mu = x0 + (double) sumShifted(x, o, c, x0) / c;
                float hi = (float) mu, lo = (float) (mu - hi);
                float rs = (float) (1.0 / Math.sqrt(sumSquaredDeviation(x, o, c, hi, lo) / c + eps));
                normalizeRow(x, o, c, hi, lo, rs, w, bias, out);
                mean.setAtIndex(Mem.F, r, hi);
                rstd.setAtIndex(Mem.F, r, rs);
            }
        });
    }

    /** Σ (x − shift) over a row, in f32 lanes. */
    private static float sumShifted(MemorySegment x, long o, int c, float shift) {
        FloatVector acc = FloatVector.zero(S);
        int i = 0;
        for (; i + VL <= c; i += VL) acc = acc.add(load(x, o + i).sub(shift));
        if (i < c) {
            VectorMask<Float> m = S.indexInRange(i, c);
            acc = acc.add(load(x, o + i, m).sub(shift).blend(0f, m.not()));
        }
        return LaneSum.of(acc);
    }

    private static float sumSquaredDeviation(MemorySegment x, long o, int c, float hi, float lo) {
        FloatVector acc = FloatVector.zero(S);
        int i = 0;
        for (; i + VL <= c; i += VL) {
            FloatVector d = load(x, o + i).sub(hi).sub(lo);
            acc = d.fma(d, acc);
        }
        if (i < c) {
            VectorMask<Float> m = S.indexInRange(i, c);
            FloatVector d = load(x, o + i, m).sub(hi).sub(lo).blend(0f, m.not());
            acc = d.fma(d, acc);
        }
        return LaneSum.of(acc);
    }

    private static void normalizeRow(MemorySegment x, long o, int c, float hi, float lo, float rs, MemorySegment w,
                                     MemorySegment bias, MemorySegment out) {
        int i = 0;
        for (; i + VL <= c; i += VL) store(load(x, o + i).sub(hi).sub(lo).mul(rs).fma(load(w, i), load(bias, i)), out, o + i);
        if (i < c) {
            VectorMask<Float> m = S.indexInRange(i, c);
            store(load(x, o + i, m).sub(hi).sub(lo).mul(rs).fma(load(w, i, m), load(bias, i, m)), out, o + i, m);
        }
    }

    /** dx = rs·(dout·w − Σ(dout·w)/C − xhat·Σ(dout·w·xhat)/C); dw += Σ_r dout·xhat; db += Σ_r dout. */
    static void layernormBackward(CpuPool pool, MemorySegment x, MemorySegment w, MemorySegment mean, MemorySegment rstd,
                                  MemorySegment dout, MemorySegment dx, MemorySegment dw, MemorySegment db,
                                  long rows, int c) {
        Blocks bl = Blocks.of(rows, c);
        float[] pw = dw == null ? null : new float[bl.count() * c], pb = db == null ? null : new float[bl.count() * c];
        run(pool, bl, (b, wk) -> {
            float[] sums = new float[2];
            for (long r = bl.from(b); r < bl.to(b); r++) {
                long o = r * c;
                float mu = mean.getAtIndex(Mem.F, r), rs = rstd.getAtIndex(Mem.F, r);
                layernormSums(x, w, dout, o, c, mu, rs, sums);
                layernormRowBackward(x, w, dout, dx, o, c, mu, rs, sums[0] / c, sums[1] / c, pw, pb, b * c);
            }
        });
        if (dw != null) addPartials(pw, bl.count(), c, dw);
        if (db != null) addPartials(pb, bl.count(), c, db);
    }

    /** sums = {Σ dout·w, Σ dout·w·xhat} over one row. */
    private static void layernormSums(MemorySegment x, MemorySegment w, MemorySegment dout, long o, int c, float mu,
                                      float rs, float[] sums) {
        FloatVector sd = FloatVector.zero(S), sdx = FloatVector.zero(S);
        int i = 0;
        for (; i + VL <= c; i += VL) {
            FloatVector xhat = load(x, o + i).sub(mu).mul(rs), g = load(dout, o + i).mul(load(w, i));
            sd = sd.add(g);
            sdx = g.fma(xhat, sdx);
        }
        if (i < c) { // masked lanes load 0: g = 0 adds nothing
            VectorMask<Float> m = S.indexInRange(i, c);
            FloatVector xhat = load(x, o + i, m).sub(mu).mul(rs), g = load(dout, o + i, m).mul(load(w, i, m));
            sd = sd.add(g);
            sdx = g.fma(xhat, sdx);
        }
        sums[0] = LaneSum.of(sd);
        sums[1] = LaneSum.of(sdx);
    }

    private static void layernormRowBackward(MemorySegment x, MemorySegment w, MemorySegment dout, MemorySegment dx,
                                             long o, int c, float mu, float rs, float meanD, float meanDX,
                                             float[] pw, float[] pb, int po) {
        int i = 0;
        for (; i + VL <= c; i += VL) {
            FloatVector xhat = load(x, o + i).sub(mu).mul(rs), di = load(dout, o + i);
            store(di.mul(load(w, i)).sub(meanD).sub(xhat.mul(meanDX)).mul(rs), dx, o + i);
            if (pw != null) di.fma(xhat, FloatVector.fromArray(S, pw, po + i)).intoArray(pw, po + i);
            if (pb != null) di.add(FloatVector.fromArray(S, pb, po + i)).intoArray(pb, po + i);
        }
        if (i < c) { // the same on the last, partial vector
            VectorMask<Float> m = S.indexInRange(i, c);
            FloatVector xhat = load(x, o + i, m).sub(mu).mul(rs), di = load(dout, o + i, m);
            store(di.mul(load(w, i, m)).sub(meanD).sub(xhat.mul(meanDX)).mul(rs), dx, o + i, m);
            if (pw != null) di.fma(xhat, FloatVector.fromArray(S, pw, po + i, m)).intoArray(pw, po + i, m);
            if (pb != null) di.add(FloatVector.fromArray(S, pb, po + i, m)).intoArray(pb, po + i, m);
        }
    }

    // ------------------------------------------------------------------ softmax

    /**
     * Three passes over a row that stays in L1/L2: max, exp(x − max) written to out with its sum, scale by
     * 1/sum. A row of −∞ gives NaN, as the reference does. The row helpers take one-row slices, indexed from 0,
     * for the reason given at {@link #scaleByWeightAndSquare}.
     */
    static void softmax(CpuPool pool, MemorySegment x, MemorySegment out, long rows, int c) {
        Blocks bl = Blocks.of(rows, c);
        long rb = 4L * c;
        run(pool, bl, (b, wk) -> {
            long r0 = bl.from(b), r1 = bl.to(b);
            float[] nextMax = {rowMax(x.asSlice(r0 * rb, rb), c)};
            for (long r = r0; r < r1; r++) {
                MemorySegment xr = x.asSlice(r * rb, rb), or = out.asSlice(r * rb, rb);
                float sum = r + 1 < r1 ? expSumAndMax(xr, or, c, nextMax[0], x.asSlice((r + 1) * rb, rb), nextMax)
                                       : expSum(xr, or, c, nextMax[0]);
                scale(or, c, 1f / sum);
            }
        });
    }

    private static float rowMax(MemorySegment x, int c) {
        FloatVector mx = FloatVector.broadcast(S, Float.NEGATIVE_INFINITY);
        long n = wholeBytes(c);
        for (long b = 0; b < n; b += 4L * VL) mx = mx.max(FloatVector.fromMemorySegment(S, x, b, NATIVE));
        float max = mx.reduceLanes(VectorOperators.MAX);
        for (int i = c - c % VL; i < c; i++) max = Math.max(max, x.getAtIndex(Mem.F, i));
        return max;
    }

    /**
     * out = exp(x − max) over one row, returning its sum; meanwhile the max of the next row goes to nextMax[0],
     * so the DRAM read of the next row overlaps this row's exp and write. The loads and stores call the Vector
     * API directly (see {@link #scaleByWeightAndSquare} for why).
     */
    private static float expSumAndMax(MemorySegment x, MemorySegment out, int c, float max, MemorySegment next,
                                      float[] nextMax) {
        FloatVector acc = FloatVector.zero(S), mx = FloatVector.broadcast(S, Float.NEGATIVE_INFINITY);
        long n = wholeBytes(c);
        for (long b = 0; b < n; b += 4L * VL) {
            mx = mx.max(FloatVector.fromMemorySegment(S, next, b, NATIVE));
            FloatVector e = VecMath.expNoOverflow(FloatVector.fromMemorySegment(S, x, b, NATIVE).sub(max));
            acc = acc.add(e);
            e.intoMemorySegment(out, b, NATIVE);
        }
        int i = c - c % VL;
        float m = mx.reduceLanes(VectorOperators.MAX);
        for (int j = i; j < c; j++) m = Math.max(m, next.getAtIndex(Mem.F, j));
        nextMax[0] = m;
        float[] lanes = new float[VL];
        acc.intoArray(lanes, 0);
        float sum = butterfly(lanes);
        return i < c ? sum + expTail(x, out, i, c, max) : sum;
    }

    /** out = exp(x − max) over one row; returns its sum. */
    private static float expSum(MemorySegment x, MemorySegment out, int c, float max) {
        FloatVector acc = FloatVector.zero(S);
        long n = wholeBytes(c);
        for (long b = 0; b < n; b += 4L * VL) {
            FloatVector e = VecMath.expNoOverflow(FloatVector.fromMemorySegment(S, x, b, NATIVE).sub(max));
            acc = acc.add(e);
            e.intoMemorySegment(out, b, NATIVE);
        }
        int i = c - c % VL;
        float[] lanes = new float[VL];
        acc.intoArray(lanes, 0);
        float sum = butterfly(lanes);
        return i < c ? sum + expTail(x, out, i, c, max) : sum;
    }

    /** The partial last vector of a row: out = exp(x − max) for [i, c); returns its sum. */
    private static float expTail(MemorySegment x, MemorySegment out, int i, int c, float max) {
        VectorMask<Float> m = S.indexInRange(i, c);
        FloatVector e = VecMath.expNoOverflow(load(x, i, m).sub(max)).blend(0f, m.not());
        store(e, out, i, m);
        return LaneSum.of(e);
    }

    private static void scale(MemorySegment y, int c, float s) {
        long n = wholeBytes(c);
        for (long b = 0; b < n; b += 4L * VL)
            FloatVector.fromMemorySegment(S, y, b, NATIVE).mul(s).intoMemorySegment(y, b, NATIVE);
        int i = c - c % VL;
        if (i < c) {
            VectorMask<Float> m = S.indexInRange(i, c);
            store(load(y, i, m).mul(s), y, i, m);
        }
    }

    /** dx = y·(dy − Σ y·dy). */
    static void softmaxBackward(CpuPool pool, MemorySegment y, MemorySegment dy, MemorySegment dx, long rows, int c) {
        Blocks bl = Blocks.of(rows, c);
        run(pool, bl, (b, wk) -> {
            int blk = b;
            for (long r = bl.from(blk); r < bl.to(blk); r++) {
                long o = r * c;
                softmaxRowBackward(y, dy, dx, o, c, dot(y, o, dy, o, c));
            }
        });
    }
}
