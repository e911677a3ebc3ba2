package ai.pulsemind.backend.cpu;

import ai.pulsemind.backend.AttentionSpec;
import ai.pulsemind.tensor.Tensor;
import ai.pulsemind.testing.Rand;
import org.junit.jupiter.api.Test;

import static ai.pulsemind.backend.cpu.BackendPair.FAST;
import static ai.pulsemind.backend.cpu.BackendPair.REF;
import static ai.pulsemind.backend.cpu.BackendPair.f32;
import static ai.pulsemind.backend.cpu.BackendPair.scaled;

/**
 * Tiled attention against the reference: segment layouts (one, several, odd lengths around the 64-query tile
 * and the 96-key block, empty, cross-attention with fewer queries than keys), causal or not, GQA ratios,
 * head dims, and large score magnitudes for the online softmax.
 */
class FastAttentionTest {
    private final Rand rnd = new Rand(21);

    /** Query and key lengths per segment. */
    private record Layout(int[] lq, int[] lk) {
        static Layout self(int... l) { return new Layout(l, l); }
    }

    private static final Layout[] LAYOUTS = {
            Layout.self(1), Layout.self(5), Layout.self(17, 3), Layout.self(63, 1, 65), Layout.self(130),
            Layout.self(4, 0, 97), new Layout(new int[] {3, 1, 5}, new int[] {7, 100, 5}),
            new Layout(new int[] {3, 2}, new int[] {0, 4}), // queries with no key at all: out 0, lse −∞
    };

    private void check(Layout lay, boolean causal, int hq, int hkv, int d, float mag, boolean backward) {
        AttentionSpec spec = new AttentionSpec(AttentionSpec.offsets(lay.lq()), AttentionSpec.offsets(lay.lk()),
                causal, (float) (1 / Math.sqrt(d)));
        int nq = spec.totalQ(), nk = spec.totalK();
        Tensor q = scaled(rnd.uniform(1, nq, hq, d), mag), k = rnd.uniform(1, nk, hkv, d), v = rnd.uniform(1, nk, hkv, d);
        Tensor of = f32(nq, hq, d), or = f32(nq, hq, d), lf = f32(hq, nq), lr = f32(hq, nq);
        String tag = String.format(" %s causal=%b Hq=%d Hkv=%d D=%d |q|<=%s", spec, causal, hq, hkv, d, mag);
        FAST.attention(q, k, v, spec, of, lf);
        REF.attention(q, k, v, spec, or, lr);
        Parity.check("attention", "attention out" + tag, of, or);
        Parity.check("attention", "attention lse" + tag, lf, lr);
        if (!backward) return;
        Tensor dout = rnd.uniform(1, nq, hq, d);
        Tensor dqf = f32(nq, hq, d), dkf = f32(nk, hkv, d), dvf = f32(nk, hkv, d);
        Tensor dqr = f32(nq, hq, d), dkr = f32(nk, hkv, d), dvr = f32(nk, hkv, d);
        FAST.attentionBackward(q, k, v, or, lr, dout, spec, dqf, dkf, dvf);
        REF.attentionBackward(q, k, v, or, lr, dout, spec, dqr, dkr, dvr);
        Parity.check("attentionGrad", "attentionBackward dq" + tag, dqf, dqr);
        Parity.check("attentionGrad", "attentionBackward dk" + tag, dkf, dkr);
        Parity.check("attentionGrad", "attentionBackward dv" + tag, dvf, dvr);
    }

    @Test
    void layoutsCausalAndNot() {
        for (Layout lay : LAYOUTS)
            for (boolean causal : new boolean[] {false, true}) {
                if (causal && !causalOk(lay)) continue;
                check(lay, causal, 2, 2, 16, 1f, true);
            }
    }

    private static boolean causalOk(Layout lay) {
        for (int s = 0; s < lay.lq().length; s++) if (lay.lq()[s] > lay.lk()[s]) return false;
        return true;
    }

    @Test
    void gqaRatiosAndHeadDims() {
        // {Hq, Hkv, D}: MHA, GQA 2 and 4, 3 heads per K/V head; D 1, odd, the common 64 and 128, the vision 80.
        int[][] cases = {{1, 1, 1}, {4, 2, 64}, {4, 1, 80}, {6, 2, 17}, {2, 2, 128}};
        for (int[] c : cases) check(Layout.self(70, 9), true, c[0], c[1], c[2], 1f, true);
    }

    @Test
    void backwardSplitsKeyBlocksWhenPairsAreFewerThanThreads() {
        // One segment, one K/V head, two threads: the key blocks are shared out and dQ partials summed in order.
        check(Layout.self(230), true, 2, 1, 24, 1f, true);
        check(Layout.self(230), false, 3, 1, 24, 1f, true);
    }

    @Test
    void largeScoresStayStable() {
        // Scores of order ±500: a naive exp overflows; the running max must keep every step finite.
        check(Layout.self(100, 33), true, 2, 1, 32, 100f, true);
        check(Layout.self(100), false, 2, 2, 32, 100f, true);
        check(Layout.self(20), true, 2, 2, 16, 0f, true); // all scores zero: uniform weights
    }

    @Test
    void decodeAgainstCaches() {
        // {Hq, Hkv, D}; three sequences of different cached lengths, one of them a single key.
        int[][] cases = {{4, 2, 64}, {3, 3, 17}, {8, 1, 8}};
        int[] lengths = {1, 17, 70};
        int lmax = 80;
        for (int[] c : cases) {
            int b = lengths.length, hq = c[0], hkv = c[1], d = c[2];
            Tensor q = rnd.uniform(1, b, hq, d), kc = rnd.uniform(1, b, lmax, hkv, d), vc = rnd.uniform(1, b, lmax, hkv, d);
            Tensor of = f32(b, hq, d), or = f32(b, hq, d);
            float scale = (float) (1 / Math.sqrt(d));
            FAST.attentionDecode(q, kc, vc, lengths, scale, of);
            REF.attentionDecode(q, kc, vc, lengths, scale, or);
            Parity.check("attention", String.format("attentionDecode Hq=%d Hkv=%d D=%d", hq, hkv, d), of, or);
        }
    }

    @Test
    void decodeReadsEachRowsCacheSlot() {
        // 3 query rows over 5 slots, out of order; the reference reads the same slots
        int slots = 5, hq = 4, hkv = 2, d = 24, lmax = 40;
        int[] rows = {3, 0, 4}, lengths = {40, 2, 17};
        Tensor q = rnd.uniform(1, 3, hq, d), kc = rnd.uniform(1, slots, lmax, hkv, d), vc = rnd.uniform(1, slots, lmax, hkv, d);
        Tensor of = f32(3, hq, d), or = f32(3, hq, d), alone = f32(1, hq, d);
        float scale = (float) (1 / Math.sqrt(d));
        FAST.attentionDecode(q, kc, vc, rows, lengths, scale, of);
        REF.attentionDecode(q, kc, vc, rows, lengths, scale, or);
        Parity.check("attention", "attentionDecode through slots", of, or);
        // row 0 (slot 3) alone, against a cache holding only that slot: the same numbers
        Tensor k3 = kc.narrow(0, 3, 1), v3 = vc.narrow(0, 3, 1);
        Tensor kOne = f32(1, lmax, hkv, d), vOne = f32(1, lmax, hkv, d);
        REF.copy(k3, kOne);
        REF.copy(v3, vOne);
        REF.attentionDecode(q.narrow(0, 0, 1).isContiguous() ? q.narrow(0, 0, 1) : q, kOne, vOne, new int[] {40}, scale, alone);
        float[] a = alone.toFloatArray(), b = or.toFloatArray();
        org.junit.jupiter.api.Assertions.assertArrayEquals(a, java.util.Arrays.copyOf(b, a.length), "slot indirection changes nothing");
        org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class,
                () -> REF.attentionDecode(q, kc, vc, new int[] {0, 5, 1}, lengths, scale, or));
    }
}
