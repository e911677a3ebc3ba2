package ai.pulsemind.backend.cpu;

import ai.pulsemind.backend.SampleRow;
import ai.pulsemind.backend.SamplingParams;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
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
 *   <li>Philox runs only for blocks of 4 ids with a candidate in them, and the radix passes after the first visit
 *       only the ids whose top byte matched;</li>
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
    private static final int VL = MicroKernel.VL;
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
        float best = Float.NEGATIVE_INFINITY;
        int bestIdx = -1;
        for (int i = 0; i < v; i++) {
            float y = x[i];
            if (y != y) x[i] = y = Float.NEGATIVE_INFINITY;
            if (y > best) {
                best = y;
                bestIdx = i;
            }
        }
        int greedy = bestIdx < 0 ? 0 : bestIdx;
        if (p.isGreedy()) return greedy;
        float t = p.temperature(), xmax = best / t;
        if (t != 1f) divide(x, v, t);
        int[] keys = s.keys;
        long floor = 0;
        boolean cut = (p.topK() > 0 && p.topK() < v) || (p.topP() < 1f && xmax != Float.NEGATIVE_INFINITY);
        if (cut) for (int i = 0; i < v; i++) { // RefSampling.key: an order-preserving unsigned image of the float
            int b = Float.floatToRawIntBits(x[i]);
            keys[i] = b < 0 ? ~b : b | 0x80000000;
        }
        if (p.topK() > 0 && p.topK() < v) floor = radixSelect(keys, null, v, 0, p.topK(), s.cand);
        if (p.topP() < 1f && xmax != Float.NEGATIVE_INFINITY) floor = topPFloor(s, v, floor, xmax, p.topP());
        int drawn = gumbel(s, v, cut ? floor : -1, row.seed(), row.stream(), row.step());
        return drawn >= 0 ? drawn : greedy;
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
     * top byte, only the ids that matched it are visited again.
     */
    static long radixSelect(int[] keys, long[] weights, int v, long floor, long need, int[] cand) {
        int n = 0;
        for (int i = 0; i < v; i++)
            if (Integer.toUnsignedLong(keys[i]) >= floor && (weights == null || weights[i] != 0)) cand[n++] = i;
        long prefix = 0;
        for (int shift = 24; shift >= 0; shift -= 8) {
            long[] hist = new long[256];
            for (int j = 0; j < n; j++) {
                int i = cand[j];
                hist[(keys[i] >>> shift) & 255] += weights == null ? 1 : weights[i];
            }
            long run = 0;
            int digit = -1;
            for (int d = 255; d >= 0; d--) {
                if (run + hist[d] >= need) {
                    digit = d;
                    break;
                }
                run += hist[d];
            }
            if (digit < 0) throw new IllegalStateException("radix selection: total weight " + run + " below " + need);
            prefix |= (long) digit << shift;
            need -= run;
            int m = 0;
            for (int j = 0; j < n; j++) if (((keys[cand[j]] >>> shift) & 255) == digit) cand[m++] = cand[j];
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
        for (int k = 0; k < v; k++) {
            long w = Integer.toUnsignedLong(s.keys[k]) >= floor ? (long) Math.rint(e[k] * TWO_POW_40) : 0;
            s.w[k] = w;
            total += w;
        }
        long need = (long) Math.ceil((double) topP * (double) total);
        need = Math.max(1, Math.min(need, total));
        return radixSelect(s.keys, s.w, v, floor, need, s.cand);
    }

    /**
     * The Gumbel-max draw over candidates (keys ≥ floor, or every id when {@code floor} < 0) that are not −∞:
     * the lowest id of the largest {@code x − log(−log u)}, or −1 when there is none.
     */
    private static int gumbel(Scratch s, int v, long floor, long seed, int stream, long step) {
        float[] x = s.x, score = s.score;
        int[] bits = s.bits, keys = s.keys, cand = s.cand, ctr = {0, stream, (int) step, (int) (step >>> 32)}, word = new int[4];
        int[] key = {(int) seed, (int) (seed >>> 32)};
        int n = 0; // candidates, ascending
        for (int i = 0; i < v; i++)
            if (x[i] != Float.NEGATIVE_INFINITY && (floor < 0 || Integer.toUnsignedLong(keys[i]) >= floor)) cand[n++] = i;
        if (n == 0) return -1;
        // Philox once per block of 4 ids that holds a candidate
        int lastBlock = -1;
        for (int j = 0; j < n; j++) {
            int b = cand[j] >>> 2;
            if (b == lastBlock) continue;
            lastBlock = b;
            ctr[0] = b;
            RefSampling.philox(ctr, key, word);
            System.arraycopy(word, 0, bits, b << 2, 4);
        }
        float bestScore = Float.NEGATIVE_INFINITY;
        int drawn = -1;
        if (n < v / 8) { // few candidates (top-k, a peaked top-p): one at a time
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
        int i = scores(x, bits, score, v);
        for (; i < v; i++) {
            float u = (float) (bits[i] >>> 9) * 0x1p-23f + 0x1p-24f;
            score[i] = x[i] - (float) Math.log(-(float) Math.log(u));
        }
        for (int j = 0; j < n; j++) {
            int k = cand[j];
            if (score[k] > bestScore || drawn < 0) {
                bestScore = score[k];
                drawn = k;
            }
        }
        return drawn;
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
