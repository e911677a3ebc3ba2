package ai.pulsemind.backend;

import java.util.Arrays;

/**
 * The layout of a packed (variable-length) attention call, as in FlashAttention's varlen API.
 *
 * <p>Queries of all S segments are packed into one (Nq, Hq, D) tensor, keys and values into (Nk, Hkv, D);
 * segment {@code s} owns query rows {@code [cuSeqlensQ[s], cuSeqlensQ[s+1])} and key rows
 * {@code [cuSeqlensK[s], cuSeqlensK[s+1])}, and attends only inside itself. This one form covers a batch of
 * prompts of different lengths, the vision tower's windowed and full blocks (one segment per window / image),
 * and decoding against a KV cache (Lq = 1, Lk = the cache length).
 *
 * <p>Causal masking is aligned bottom-right, as in FlashAttention 2: query {@code i} of a segment with Lq queries
 * and Lk keys sees keys {@code j <= i + Lk - Lq}.
 *
 * <p>The offsets are metadata the caller already knows; they are held here on the host, and a device backend
 * uploads them once per spec.
 *
 * @param cuSeqlensQ (S+1) query row offsets, starting at 0
 * @param cuSeqlensK (S+1) key row offsets, starting at 0
 * @param causal     mask keys after the query's position
 * @param scale      the softmax scale, usually 1/sqrt(D)
 */
public record AttentionSpec(int[] cuSeqlensQ, int[] cuSeqlensK, boolean causal, float scale) {
    public AttentionSpec {
        check("cuSeqlensQ", cuSeqlensQ);
        check("cuSeqlensK", cuSeqlensK);
        if (cuSeqlensQ.length != cuSeqlensK.length)
            throw new IllegalArgumentException("attention: " + (cuSeqlensQ.length - 1) + " query segments but "
                    + (cuSeqlensK.length - 1) + " key segments");
        if (causal) {
            for (int s = 0; s + 1 < cuSeqlensQ.length; s++) {
                int lq = cuSeqlensQ[s + 1] - cuSeqlensQ[s], lk = cuSeqlensK[s + 1] - cuSeqlensK[s];
                if (lq > lk) throw new IllegalArgumentException("attention: causal segment " + s + " has " + lq
                        + " queries but only " + lk + " keys");
            }
        }
        cuSeqlensQ = cuSeqlensQ.clone();
        cuSeqlensK = cuSeqlensK.clone();
    }

    private static void check(String name, int[] cu) {
        if (cu.length < 2 || cu[0] != 0) throw new IllegalArgumentException("attention: " + name + " must start at 0 and have S+1 >= 2 entries");
        for (int i = 1; i < cu.length; i++)
            if (cu[i] < cu[i - 1]) throw new IllegalArgumentException("attention: " + name + " decreases at " + i + ": " + Arrays.toString(cu));
    }

    /** One self-attention segment per length (queries and keys are the same rows). */
    public static AttentionSpec selfAttention(int[] lengths, boolean causal, int headDim) {
        int[] cu = offsets(lengths);
        return new AttentionSpec(cu, cu, causal, (float) (1.0 / Math.sqrt(headDim)));
    }

    /** Prefix sums of segment lengths: [0, l0, l0+l1, ...]. */
    public static int[] offsets(int[] lengths) {
        int[] cu = new int[lengths.length + 1];
        for (int i = 0; i < lengths.length; i++) cu[i + 1] = cu[i] + lengths[i];
        return cu;
    }

    public int segments() { return cuSeqlensQ.length - 1; }

    public int totalQ() { return cuSeqlensQ[cuSeqlensQ.length - 1]; }

    public int totalK() { return cuSeqlensK[cuSeqlensK.length - 1]; }

    public int maxSeqlenQ() { return maxDiff(cuSeqlensQ); }

    public int maxSeqlenK() { return maxDiff(cuSeqlensK); }

    private static int maxDiff(int[] cu) {
        int m = 0;
        for (int i = 1; i < cu.length; i++) m = Math.max(m, cu[i] - cu[i - 1]);
        return m;
    }

    @Override public boolean equals(Object o) {
        return o instanceof AttentionSpec a && Arrays.equals(a.cuSeqlensQ, cuSeqlensQ) && Arrays.equals(a.cuSeqlensK, cuSeqlensK)
                && a.causal == causal && a.scale == scale;
    }

    @Override public int hashCode() { return Arrays.hashCode(cuSeqlensQ) * 31 + Arrays.hashCode(cuSeqlensK); }

    @Override public String toString() {
        return "AttentionSpec[S=" + segments() + ", Nq=" + totalQ() + ", Nk=" + totalK() + (causal ? ", causal" : "") + "]";
    }
}
