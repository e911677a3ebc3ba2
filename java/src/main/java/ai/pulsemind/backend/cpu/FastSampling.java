package ai.pulsemind.backend.cpu;

import ai.pulsemind.backend.SampleRow;
import ai.pulsemind.backend.SamplingParams;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.LongVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

import java.lang.foreign.MemorySegment;
import java.util.Arrays;

/**
 * {@link RefSampling}'s algorithm for the fast CPU backend: the same steps on the same values — penalty, greedy,
 * temperature, the radix selections of top-k and top-p over the same order-preserving keys and 2⁻⁴⁰ fixed-point
 * masses, the same Philox counters — with the work a full-vocabulary row costs cut down:
 * <ul>
 *   <li>exp of the top-p masses and the two logs of the Gumbel scores run on the Vector API ({@link VecMath#exp},
 *       {@link #log} below, within 1–2 ulp) instead of one {@code Math} call per element;</li>
 *   <li>a flat row (most ids candidates: random weights, high temperature) runs the Gumbel draw over whole vectors,
 *       Philox included (one block of 4 ids per long lane); a peaked one runs Philox only for blocks of 4 ids with
 *       a candidate in them;</li>
 *   <li>the arg-max, the keys, the top-p masses and the candidate masks are vector loops, and the scalar loops
 *       (compaction, radix histograms) carry no branch on the data; the radix passes after the first visit only
 *       the ids whose top byte matched;</li>
 *   <li>scratch arrays are kept per thread, not allocated per row.</li>
 * </ul>
 * Ids therefore equal the reference's except where two candidates' Gumbel scores, or a top-p mass boundary, lie
 * within the last bits of exp/log — the same freedom the CUDA kernel has (its expf/logf), odds of about 1e-7 per
 * draw. FastSamplingTest holds it to the reference.
 */
final class FastSampling {
    private static final VectorSpecies<Float> S = MicroKernel.S;
    @SuppressWarnings("unchecked")
    private static final VectorSpecies<Integer> I = (VectorSpecies<Integer>) S.withLanes(int.class);
    private static final VectorSpecies<Long> L = VectorSpecies.of(long.class, S.vectorShape());
    private static final int VL = MicroKernel.VL, LL = L.length();
    private static final float NEG_INF = Float.NEGATIVE_INFINITY;
    private static final float TWO_POW_40 = 0x1p40f;

    /** Per-thread scratch, grown to the vocabulary. */
    private static final class Scratch {
        float[] x = new float[0], score = new float[0];
        int[] keys = new int[0], cand = new int[0], bits = new int[0];
        long[] w = new long[0];

        void ensure(int v) {
            if (x.length >= v) return;
            x = new float[v];
            score = new float[v];
            keys = new int[v];
            cand = new int[v];
            bits = new int[v + 4];
            w = new long[v];
        }
    }

    private static final ThreadLocal<Scratch> SCRATCH = ThreadLocal.withInitial(Scratch::new);

    private FastSampling() {}

    /** Row r of (B, V) logits in {@code lg}, with its previous ids (or null). */
    static int sampleRow(MemorySegment lg, int r, int v, int[] prev, SampleRow row) {
        Scratch s = SCRATCH.get();
        s.ensure(v);
        float[] x = s.x;
        MemorySegment.copy(lg, Mem.F, (long) r * v * 4, x, 0, v);
        SamplingParams p = row.params();
        if (p.repetitionPenalty() != 1f && prev != null) penalise(x, prev, p.repetitionPenalty());
        // NaN → −∞, and the arg-max (lowest index on ties; an all −∞ row gives 0)
        float best = clearNaNs(x, v);
        int greedy = best == NEG_INF ? 0 : firstIndexOf(x, v, best);
        if (p.isGreedy() || best == Float.POSITIVE_INFINITY) return greedy; // a +∞ logit: RefSampling's reason
        float t = p.temperature(), xmax = best / t;
        if (t != 1f) divide(x, v, t);
        int[] keys = s.keys;
        long floor = 0;
        boolean cut = (p.topK() > 0 && p.topK() < v) || (p.topP() < 1f && xmax != NEG_INF);
        if (cut) keys(x, keys, v);
        if (p.topK() > 0 && p.topK() < v) floor = radixSelect(keys, null, v, 0, p.topK(), s.cand);
        if (p.topP() < 1f && xmax != NEG_INF) floor = topPFloor(s, v, floor, xmax, p.topP());
        int drawn = gumbel(s, v, cut ? floor : -1, row.seed(), row.stream(), row.step());
        return drawn >= 0 ? drawn : greedy;
    }

    /** NaN → −∞ in place; returns the row's maximum (−∞ for an all −∞ row). */
    private static float clearNaNs(float[] x, int v) {
        FloatVector m = FloatVector.broadcast(S, NEG_INF);
        int i = 0;
        for (; i + VL <= v; i += VL) {
            FloatVector y = FloatVector.fromArray(S, x, i);
            y = y.blend(NEG_INF, y.test(VectorOperators.IS_NAN));
            y.intoArray(x, i);
            m = m.max(y);
        }
        float best = m.reduceLanes(VectorOperators.MAX);
        for (; i < v; i++) {
            float y = x[i];
            if (y != y) x[i] = y = NEG_INF;
            if (y > best) best = y;
        }
        return best;
    }

    /** The first index of {@code value} (present, not NaN) in x. */
    private static int firstIndexOf(float[] x, int v, float value) {
        int i = 0;
        for (; i + VL <= v; i += VL) {
            VectorMask<Float> hit = FloatVector.fromArray(S, x, i).eq(value);
            if (hit.anyTrue()) return i + hit.firstTrue();
        }
        for (; i < v; i++) if (x[i] == value) return i;
        throw new IllegalStateException("sampling: the row's maximum " + value + " is not in the row");
    }

    /**
     * {@link RefSampling#key} of every x, held in ints: {@code b ^ ((b >> 31) | 0x80000000)} is ~b for negative
     * floats and b | 0x80000000 for the others, without the branch (half the signs of a row mispredict it).
     */
    private static void keys(float[] x, int[] keys, int v) {
        int i = 0;
        for (; i + VL <= v; i += VL) {
            IntVector b = FloatVector.fromArray(S, x, i).reinterpretAsInts();
            b.lanewise(VectorOperators.XOR, b.lanewise(VectorOperators.ASHR, 31).or(0x80000000)).intoArray(keys, i);
        }
        for (; i < v; i++) {
            int b = Float.floatToRawIntBits(x[i]);
            keys[i] = b ^ ((b >> 31) | 0x80000000);
        }
    }

    /** Each distinct previous id in range once: {@code l < 0 ? l·p : l/p}. */
    private static void penalise(float[] x, int[] prev, float penalty) {
        int[] ids = prev.clone();
        Arrays.sort(ids);
        for (int k = 0; k < ids.length; k++) {
            int id = ids[k];
            if (id < 0 || id >= x.length || (k > 0 && ids[k - 1] == id)) continue;
            float l = x[id];
            if (l != l) l = Float.NEGATIVE_INFINITY;
            x[id] = l < 0f ? l * penalty : l / penalty;
        }
    }

    private static void divide(float[] x, int v, float t) {
        int i = 0;
        for (; i + VL <= v; i += VL) FloatVector.fromArray(S, x, i).div(t).intoArray(x, i);
        for (; i < v; i++) x[i] = x[i] / t;
    }

    /**
     * The reference's radix selection ({@link RefSampling#radixSelect}) over unsigned keys held in ints: the
     * largest key t among keys ≥ floor with weight with Σ weight over keys ≥ t reaching {@code need}. After the
     * top byte, only the ids that matched it are visited again. The loops carry no data-dependent branch (a row's
     * keys pass or fail at random) and count into four interleaved histograms (a flat row's top bytes fall in a few
     * buckets, and one histogram would chain every add on the one before it).
     */
    static long radixSelect(int[] keys, long[] weights, int v, long floor, long need, int[] cand) {
        int n = 0;
        for (int i = 0; i < v; i++) {
            cand[n] = i;
            long in = ~(Integer.toUnsignedLong(keys[i]) - floor) >>> 63; // 1 when keys[i] >= floor
            if (weights != null) in &= -weights[i] >>> 63;               // and its weight (never negative) is not 0
            n += (int) in;
        }
        long prefix = 0;
        long[] hist = new long[4 * 256];
        for (int shift = 24; shift >= 0; shift -= 8) {
            Arrays.fill(hist, 0);
            for (int j = 0; j < n; j++) {
                int i = cand[j];
                hist[(j & 3) << 8 | (keys[i] >>> shift) & 255] += weights == null ? 1 : weights[i];
            }
            long run = 0;
            int digit = -1;
            for (int d = 255; d >= 0; d--) {
                long h = hist[d] + hist[256 + d] + hist[512 + d] + hist[768 + d];
                if (run + h >= need) {
                    digit = d;
                    break;
                }
                run += h;
            }
            if (digit < 0) throw new IllegalStateException("radix selection: total weight " + run + " below " + need);
            prefix |= (long) digit << shift;
            need -= run;
            int m = 0;
            for (int j = 0; j < n; j++) {
                int c = cand[j];
                cand[m] = c;
                m += ((((keys[c] >>> shift) & 255) ^ digit) - 1) >>> 31; // 1 when the digit matches
            }
            n = m;
        }
        return prefix;
    }

    /** The top-p floor among keys ≥ floor: masses {@code rint(exp(x − xmax)·2^40)}, need = ⌈p·total⌉. */
    private static long topPFloor(Scratch s, int v, long floor, float xmax, float topP) {
        float[] x = s.x, e = s.score;
        int i = 0;
        for (; i + VL <= v; i += VL) VecMath.exp(FloatVector.fromArray(S, x, i).sub(xmax)).intoArray(e, i);
        for (; i < v; i++) e[i] = (float) Math.exp(x[i] - xmax);
        long total = 0;
        int k = 0;
        if (floor == 0) k = masses(e, s.w, v);
        for (int j = 0; j < k; j++) total += s.w[j];
        for (; k < v; k++) {
            long w = Integer.toUnsignedLong(s.keys[k]) >= floor ? (long) Math.rint(e[k] * TWO_POW_40) : 0;
            s.w[k] = w;
            total += w;
        }
        long need = (long) Math.ceil((double) topP * (double) total);
        need = Math.max(1, Math.min(need, total));
        return radixSelect(s.keys, s.w, v, floor, need, s.cand);
    }

    /**
     * w = rint(e·2^40) over the whole vectors of e (every key in play); returns where the scalar tail starts.
     * y = e·2^40 is exact, and for y below 2^23 (y + 2^23) − 2^23 is y rounded to the nearest integer, ties to
     * even (2^23 is even, and floats between 2^23 and 2^24 are the integers), which is Math.rint; from 2^23 on, y
     * is an integer already. Its conversion to long is then exact.
     */
    private static int masses(float[] e, long[] w, int v) {
        int i = 0;
        for (; i + VL <= v; i += VL) {
            FloatVector y = FloatVector.fromArray(S, e, i).mul(TWO_POW_40);
            FloatVector r = y.add(0x1p23f).sub(0x1p23f).blend(y, y.compare(VectorOperators.GE, 0x1p23f));
            ((LongVector) r.convertShape(VectorOperators.F2L, L, 0)).intoArray(w, i);
            ((LongVector) r.convertShape(VectorOperators.F2L, L, 1)).intoArray(w, i + LL);
        }
        return i;
    }

    /**
     * The Gumbel-max draw over candidates (keys ≥ floor, or every id when {@code floor} < 0) that are not −∞:
     * the lowest id of the largest {@code x − log(−log u)}, or −1 when there is none. Few candidates (top-k, a
     * peaked top-p) are drawn one at a time with Philox for their blocks only; many (a flat row) over the whole
     * row in vectors, Philox included.
     */
    private static int gumbel(Scratch s, int v, long floor, long seed, int stream, long step) {
        float[] x = s.x;
        int n = candidates(x, s.keys, v, floor);
        if (n == 0) return -1;
        if (n < v / 8) return gumbelFew(s, v, floor, seed, stream, step);
        float[] score = s.score;
        int[] bits = s.bits;
        int blocks = philoxRow(bits, (v + 3) >>> 2, seed, stream, step);
        int[] ctr = {0, stream, (int) step, (int) (step >>> 32)}, key = {(int) seed, (int) (seed >>> 32)}, word = new int[4];
        for (int b = blocks; b < (v + 3) >>> 2; b++) {
            ctr[0] = b;
            RefSampling.philox(ctr, key, word);
            System.arraycopy(word, 0, bits, b << 2, 4);
        }
        int i = scores(x, bits, score, v);
        for (; i < v; i++) {
            float u = (float) (bits[i] >>> 9) * 0x1p-23f + 0x1p-24f;
            score[i] = x[i] - (float) Math.log(-(float) Math.log(u));
        }
        return argmaxOfCandidates(x, s.keys, score, v, floor);
    }

    /** How many ids are candidates: x not −∞ and (floor < 0, or key ≥ floor unsigned). */
    private static int candidates(float[] x, int[] keys, int v, long floor) {
        int n = 0, i = 0;
        for (; i + VL <= v; i += VL) n += candidate(x, keys, i, floor).trueCount();
        for (; i < v; i++)
            if (x[i] != NEG_INF && (floor < 0 || Integer.toUnsignedLong(keys[i]) >= floor)) n++;
        return n;
    }

    private static VectorMask<Float> candidate(float[] x, int[] keys, int i, long floor) {
        VectorMask<Float> in = FloatVector.fromArray(S, x, i).compare(VectorOperators.NE, NEG_INF);
        if (floor < 0) return in;
        return in.and(IntVector.fromArray(I, keys, i).compare(VectorOperators.UGE, (int) floor).cast(S));
    }

    /** The lowest candidate id of the largest score (candidates' scores are never −∞ or NaN). */
    private static int argmaxOfCandidates(float[] x, int[] keys, float[] score, int v, long floor) {
        FloatVector m = FloatVector.broadcast(S, NEG_INF);
        int i = 0;
        for (; i + VL <= v; i += VL)
            m = m.max(FloatVector.fromArray(S, score, i).blend(NEG_INF, candidate(x, keys, i, floor).not()));
        float best = m.reduceLanes(VectorOperators.MAX);
        int tail = i;
        for (; i < v; i++)
            if (x[i] != NEG_INF && (floor < 0 || Integer.toUnsignedLong(keys[i]) >= floor) && score[i] > best) best = score[i];
        for (i = 0; i + VL <= v; i += VL) {
            VectorMask<Float> hit = FloatVector.fromArray(S, score, i).eq(best).and(candidate(x, keys, i, floor));
            if (hit.anyTrue()) return i + hit.firstTrue();
        }
        for (i = tail; i < v; i++)
            if (x[i] != NEG_INF && (floor < 0 || Integer.toUnsignedLong(keys[i]) >= floor) && score[i] == best) return i;
        throw new IllegalStateException("sampling: no candidate holds the best score " + best);
    }

    /** {@link #gumbel} for few candidates: gathered in order, Philox for the blocks that hold one. */
    private static int gumbelFew(Scratch s, int v, long floor, long seed, int stream, long step) {
        float[] x = s.x;
        int[] bits = s.bits, keys = s.keys, cand = s.cand, ctr = {0, stream, (int) step, (int) (step >>> 32)}, word = new int[4];
        int[] key = {(int) seed, (int) (seed >>> 32)};
        int n = 0; // candidates, ascending
        for (int i = 0; i < v; i++) {
            cand[n] = i;
            boolean in = x[i] != NEG_INF && (floor < 0 || Integer.toUnsignedLong(keys[i]) >= floor);
            n += in ? 1 : 0;
        }
        int lastBlock = -1;
        for (int j = 0; j < n; j++) {
            int b = cand[j] >>> 2;
            if (b == lastBlock) continue;
            lastBlock = b;
            ctr[0] = b;
            RefSampling.philox(ctr, key, word);
            System.arraycopy(word, 0, bits, b << 2, 4);
        }
        float bestScore = NEG_INF;
        int drawn = -1;
        for (int j = 0; j < n; j++) {
            int i = cand[j];
            float u = (float) (bits[i] >>> 9) * 0x1p-23f + 0x1p-24f;
            float sc = x[i] - (float) Math.log(-(float) Math.log(u));
            if (sc > bestScore || drawn < 0) {
                bestScore = sc;
                drawn = i;
            }
        }
        return drawn;
    }

    /**
     * {@link RefSampling#philox} for blocks 0, 1, … of one row, LL blocks at a time (one per long lane: the 32 × 32
     * → 64-bit products are exact in a long, as in the reference), words into bits[4·block + w]; returns the
     * number of blocks done (whole vectors of them), the rest are the caller's.
     */
    static int philoxRow(int[] bits, int blocks, long seed, int stream, long step) {
        LongVector lane = LongVector.zero(L).addIndex(1);
        long[] words = new long[4 * LL];
        long s1 = Integer.toUnsignedLong(stream), s2 = Integer.toUnsignedLong((int) step), s3 = step >>> 32;
        int b = 0;
        for (; b + LL <= blocks; b += LL) {
            philoxLanes(lane.add(b), s1, s2, s3, seed, words);
            for (int l = 0; l < LL; l++) {
                int at = (b + l) << 2;
                bits[at] = (int) words[l];
                bits[at + 1] = (int) words[LL + l];
                bits[at + 2] = (int) words[2 * LL + l];
                bits[at + 3] = (int) words[3 * LL + l];
            }
        }
        return b;
    }

    /** Ten Philox rounds on LL counters (c0 per lane; c1..c3 the same for all), words w·LL + lane into out. */
    private static void philoxLanes(LongVector c0, long s1, long s2, long s3, long seed, long[] out) {
        LongVector c1 = LongVector.broadcast(L, s1), c2 = LongVector.broadcast(L, s2), c3 = LongVector.broadcast(L, s3);
        long k0 = seed & 0xffffffffL, k1 = seed >>> 32;
        for (int r = 0; r < 10; r++) {
            if (r > 0) {
                k0 = (k0 + 0x9E3779B9L) & 0xffffffffL;
                k1 = (k1 + 0xBB67AE85L) & 0xffffffffL;
            }
            LongVector p0 = c0.mul(0xD2511F53L), p1 = c2.mul(0xCD9E8D57L);
            LongVector n0 = p1.lanewise(VectorOperators.LSHR, 32).lanewise(VectorOperators.XOR, c1).lanewise(VectorOperators.XOR, k0);
            LongVector n2 = p0.lanewise(VectorOperators.LSHR, 32).lanewise(VectorOperators.XOR, c3).lanewise(VectorOperators.XOR, k1);
            c0 = n0;
            c1 = p1.and(0xffffffffL);
            c2 = n2;
            c3 = p0.and(0xffffffffL);
        }
        c0.intoArray(out, 0);
        c1.intoArray(out, LL);
        c2.intoArray(out, 2 * LL);
        c3.intoArray(out, 3 * LL);
    }

    /**
     * score = x − log(−log u) over the whole vectors of the row; returns where the scalar tail starts. Two passes
     * of one log each, in methods of their own: with both logs in one method (or inside {@link #gumbel}) C2 ran
     * out of its inlining node budget and left some of their vector ops on the boxed Java fallback. u's affine map
     * is exact (a 23-bit integer times 2⁻²³ plus 2⁻²⁴), so mul-then-add is the scalar reference's value.
     */
    private static int scores(float[] x, int[] bits, float[] score, int v) {
        negLogU(bits, score, v);
        return xMinusLog(x, score, v);
    }

    /** score = −log u. */
    private static void negLogU(int[] bits, float[] score, int v) {
        for (int i = 0; i + VL <= v; i += VL) {
            FloatVector u = ((FloatVector) IntVector.fromArray(I, bits, i).lanewise(VectorOperators.LSHR, 9)
                    .convert(VectorOperators.I2F, 0)).mul(0x1p-23f).add(0x1p-24f);
            log(u).mul(-1f).intoArray(score, i);
        }
    }

    /** score = x − log(score); returns the first index past the whole vectors. */
    private static int xMinusLog(float[] x, float[] score, int v) {
        int i = 0;
        for (; i + VL <= v; i += VL) FloatVector.fromArray(S, x, i).sub(log(FloatVector.fromArray(S, score, i))).intoArray(score, i);
        return i;
    }

    private static final float SQRTHF = 0.707106781186547524f;

    /**
     * ln x for positive normal x, within 1–2 ulp (Cephes logf: x = m·2^e with m in [√½, √2), a degree-8
     * polynomial for ln(1 + (m − 1)), e·ln 2 added in two parts).
     */
    static FloatVector log(FloatVector x) {
        IntVector bits = x.reinterpretAsInts();
        IntVector e = bits.lanewise(VectorOperators.LSHR, 23).and(0xff).sub(126);
        FloatVector m = bits.and(0x807fffff).or(0x3f000000).reinterpretAsFloats(); // in [0.5, 1)
        VectorMask<Float> small = m.lt(SQRTHF);
        FloatVector ef = (FloatVector) e.convert(VectorOperators.I2F, 0);
        ef = ef.sub(FloatVector.broadcast(S, 1f).blend(0f, small.not()));
        m = m.add(m.blend(0f, small.not())).sub(1f);
        FloatVector z = m.mul(m);
        FloatVector y = m.fma(7.0376836292e-2f, -1.1514610310e-1f);
        y = y.fma(m, FloatVector.broadcast(S, 1.1676998740e-1f));
        y = y.fma(m, FloatVector.broadcast(S, -1.2420140846e-1f));
        y = y.fma(m, FloatVector.broadcast(S, 1.4249322787e-1f));
        y = y.fma(m, FloatVector.broadcast(S, -1.6668057665e-1f));
        y = y.fma(m, FloatVector.broadcast(S, 2.0000714765e-1f));
        y = y.fma(m, FloatVector.broadcast(S, -2.4999993993e-1f));
        y = y.fma(m, FloatVector.broadcast(S, 3.3333331174e-1f));
        y = y.mul(m).mul(z);
        y = ef.fma(FloatVector.broadcast(S, -2.12194440e-4f), y);
        y = z.fma(FloatVector.broadcast(S, -0.5f), y);
        FloatVector r = m.add(y);
        return ef.fma(FloatVector.broadcast(S, 0.693359375f), r);
    }
}
