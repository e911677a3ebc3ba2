package ai.pulsemind.backend.cpu;

import ai.pulsemind.backend.SampleRow;
import ai.pulsemind.backend.SamplingParams;

/**
 * The device sampler of {@code cuda-kernels/sampling.cu}, step for step in plain Java, so that a CPU backend picks
 * the ids the GPU picks for the same (logits, params, seed, stream, step): the same float operations in the same
 * order, the same radix selections over the same order-preserving integer keys, the same 2⁻⁴⁰ fixed-point masses,
 * the same Philox4x32-10 counters. The one place the two can part is the last bit of {@code logf}/{@code expf} (CUDA's
 * are within 1–2 ulp, Java's are correctly rounded here), which changes an id only when two Gumbel scores or a
 * top-p mass boundary fall within that bit of each other.
 */
public final class RefSampling {
    private static final float TWO_POW_40 = 0x1p40f;

    private RefSampling() {}

    /** One row with its {@link SampleRow}. */
    public static int sampleRow(float[] logits, int[] prev, SampleRow row) {
        return sampleRow(logits, prev, row.params(), row.seed(), row.step(), row.stream());
    }

    /**
     * One row.
     *
     * @param logits (V) the row's logits
     * @param prev   the row's previous ids (any order, repeats and out-of-range ids allowed), or null
     * @param stream the second word of the Philox counter (see {@link SampleRow#stream})
     */
    public static int sampleRow(float[] logits, int[] prev, SamplingParams p, long seed, long step, int stream) {
        int v = logits.length;
        float[] y = penalised(logits, prev, p.repetitionPenalty());
        float best = Float.NEGATIVE_INFINITY;
        int bestIdx = Integer.MAX_VALUE;
        for (int i = 0; i < v; i++) { // larger wins, lowest index on ties (the first all −∞ row element is index 0)
            if (y[i] > best || (y[i] == best && i < bestIdx)) {
                best = y[i];
                bestIdx = i;
            }
        }
        int greedy = bestIdx < v ? bestIdx : 0;
        // A +∞ logit holds all of the row's mass (its Gumbel scores are +∞, the lowest such id wins the tie), and
        // its top-p masses exp(x − xmax) would be NaN: the row is greedy.
        if (p.isGreedy() || best == Float.POSITIVE_INFINITY) return greedy;
        float t = p.temperature(), xmax = best / t;
        float[] x = new float[v];
        long[] keys = new long[v];
        for (int i = 0; i < v; i++) {
            x[i] = y[i] / t;
            keys[i] = key(x[i]);
        }
        long floor = 0; // every key is >= 0: nothing cut
        if (p.topK() > 0 && p.topK() < v) floor = radixSelect(keys, null, 0, p.topK());
        if (p.topP() < 1f && xmax != Float.NEGATIVE_INFINITY) floor = topPFloor(x, keys, floor, xmax, p.topP());
        float bestScore = Float.NEGATIVE_INFINITY;
        int drawn = Integer.MAX_VALUE;
        int[] ctr = new int[4], k = {(int) seed, (int) (seed >>> 32)}, bits = new int[4];
        for (int i = 0; i < v; i++) {
            if ((i & 3) == 0) {
                ctr[0] = i >>> 2;
                ctr[1] = stream;
                ctr[2] = (int) step;
                ctr[3] = (int) (step >>> 32);
                philox(ctr, k, bits);
            }
            if (keys[i] < floor || x[i] == Float.NEGATIVE_INFINITY) continue;
            float u = (float) (bits[i & 3] >>> 9) * 0x1p-23f + 0x1p-24f; // (k + ½) / 2^23, exact
            float inner = (float) Math.log(u);
            float score = x[i] - (float) Math.log(-inner);
            if (score > bestScore || (score == bestScore && i < drawn)) {
                bestScore = score;
                drawn = i;
            }
        }
        return drawn < v ? drawn : greedy;
    }

    /** y: NaN → −∞, then each distinct previous id in [0, V) once: {@code l < 0 ? l·p : l/p} in float. */
    static float[] penalised(float[] logits, int[] prev, float penalty) {
        int v = logits.length;
        boolean[] seen = null;
        if (penalty != 1f && prev != null) {
            seen = new boolean[v];
            for (int id : prev) if (id >= 0 && id < v) seen[id] = true;
        }
        float[] y = new float[v];
        for (int i = 0; i < v; i++) {
            float l = logits[i];
            if (l != l) l = Float.NEGATIVE_INFINITY;
            if (seen != null && seen[i]) l = l < 0f ? l * penalty : l / penalty;
            y[i] = l;
        }
        return y;
    }

    /** An order-preserving unsigned image of a float, in [0, 2^32): larger floats get larger keys. */
    static long key(float x) {
        int b = Float.floatToRawIntBits(x);
        return Integer.toUnsignedLong(b < 0 ? ~b : b | 0x80000000);
    }

    /** The float whose {@link #key} is {@code u}. */
    static float value(long u) {
        int b = (int) u;
        return Float.intBitsToFloat(b < 0 ? b & 0x7fffffff : ~b);
    }

    /**
     * The kernel's 4 × 8-bit radix selection: the largest key t (among keys ≥ floor with non-zero weight) with
     * Σ weight over keys ≥ t at least {@code need}; all weights 1 when {@code weights} is null, which gives the
     * need-th largest key. Requires the total weight to reach need.
     */
    static long radixSelect(long[] keys, long[] weights, long floor, long need) {
        long prefix = 0, mask = 0;
        for (int shift = 24; shift >= 0; shift -= 8) {
            long[] hist = new long[256];
            for (int i = 0; i < keys.length; i++) {
                long k = keys[i], w = weights == null ? 1 : weights[i];
                if (k >= floor && (k & mask) == prefix && w != 0) hist[(int) (k >>> shift) & 255] += w;
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
            mask |= 255L << shift;
            need -= run;
        }
        return prefix;
    }

    /** The top-p floor among keys ≥ floor: masses {@code rint(expf(x − xmax)·2^40)}, need = ⌈p·total⌉ in [1, total]. */
    private static long topPFloor(float[] x, long[] keys, long floor, float xmax, float topP) {
        long[] w = new long[x.length];
        long total = 0;
        for (int i = 0; i < x.length; i++) {
            if (keys[i] < floor) continue;
            float e = (float) Math.exp(x[i] - xmax);
            w[i] = (long) Math.rint(e * TWO_POW_40);
            total += w[i];
        }
        long need = (long) Math.ceil((double) topP * (double) total);
        need = Math.max(1, Math.min(need, total));
        return radixSelect(keys, w, floor, need);
    }

    /**
     * Philox4x32-10 (Salmon et al., SC'11; Random123's philox4x32): {@code out} = the 4 words for counter
     * {@code ctr} (4 words) under key {@code key} (2 words), all unsigned 32-bit.
     */
    public static void philox(int[] ctr, int[] key, int[] out) {
        long c0 = Integer.toUnsignedLong(ctr[0]), c1 = Integer.toUnsignedLong(ctr[1]);
        long c2 = Integer.toUnsignedLong(ctr[2]), c3 = Integer.toUnsignedLong(ctr[3]);
        long k0 = Integer.toUnsignedLong(key[0]), k1 = Integer.toUnsignedLong(key[1]);
        for (int r = 0; r < 10; r++) {
            if (r > 0) {
                k0 = (k0 + 0x9E3779B9L) & 0xffffffffL;
                k1 = (k1 + 0xBB67AE85L) & 0xffffffffL;
            }
            long p0 = 0xD2511F53L * c0, p1 = 0xCD9E8D57L * c2; // 32 x 32 -> 64 bits, exact in a long
            long n0 = ((p1 >>> 32) ^ c1 ^ k0) & 0xffffffffL, n1 = p1 & 0xffffffffL;
            long n2 = ((p0 >>> 32) ^ c3 ^ k1) & 0xffffffffL, n3 = p0 & 0xffffffffL;
            c0 = n0;
            c1 = n1;
            c2 = n2;
            c3 = n3;
        }
        out[0] = (int) c0;
        out[1] = (int) c1;
        out[2] = (int) c2;
        out[3] = (int) c3;
    }
}
