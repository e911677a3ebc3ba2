package ai.pulsemind.backend.conformance;

import ai.pulsemind.backend.AttentionSpec;
import ai.pulsemind.tensor.DType;
import ai.pulsemind.tensor.Shape;
import ai.pulsemind.tensor.Tensor;

import java.util.Arrays;
import java.util.List;
import java.util.Random;

import static ai.pulsemind.backend.conformance.Target.REF;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

/**
 * Packed attention forward and backward, and decode attention against KV caches. Segment layouts: one, several,
 * odd lengths around the 64-query tile and the 96-key block, empty segments, cross-attention with fewer queries
 * than keys, queries with no key (out 0, lse −∞) and keys with no query; causal or not; MHA, GQA and MQA; head dims
 * from 1 to 128 (the tensor-core 64, 80, 128 and the scalar rest, where the target's kernels take them); scores of
 * order ±500 (online rescaling) and all zero. The backward gets the reference forward's output, rounded as the
 * target stores it, and its lse, so it is judged on its own, and must repeat bit for bit. Decode runs ragged cache
 * lengths from 1 to Lmax over caches whose unused rows hold NaN (a read past a sequence's length shows), and
 * through a slot index: query rows reading a subset of a larger cache's slots, out of order (an engine decoding some
 * of its sequences), the slots not read all NaN.
 */
final class AttentionCases extends OpCases {
    /**
     * {Lq, Lk} per segment; {@code inputScale} widens q and k (large scores); {@code small}: runs on the CPU emulator
     * too; {@code seed}: the inputs' seed (the full variant; causal takes seed + 1, the backward + 100 and + 101), so
     * the cases the GPU has passed keep their inputs.
     */
    record Layout(String label, int d, int hq, int hkv, int[][] segs, float scaleMul, float inputScale, boolean small, long seed) {}

    private static Layout self(String label, int d, int hq, int hkv, float inputScale, long seed, int... lens) {
        int[][] segs = new int[lens.length][];
        for (int i = 0; i < lens.length; i++) segs[i] = new int[] {lens[i], lens[i]};
        return new Layout(label, d, hq, hkv, segs, 1f, inputScale, false, seed);
    }

    static final Layout[] LAYOUTS = {
            new Layout("d64_gqa2_small", 64, 2, 1, new int[][] {{1, 1}, {17, 17}, {40, 40}}, 1f, 1f, true, 101),
            new Layout("d80_small", 80, 2, 2, new int[][] {{20, 30}, {0, 0}}, 1f, 1f, true, 103),
            new Layout("d128_small", 128, 2, 2, new int[][] {{33, 33}}, 1.3f, 3f, true, 105),
            new Layout("d64_nokeys", 64, 2, 2, new int[][] {{7, 0}, {9, 9}, {0, 5}}, 1f, 1f, true, 109),
            new Layout("d16_scalar_small", 16, 4, 2, new int[][] {{5, 5}, {11, 14}, {1, 1}}, 1f, 1f, true, 108),
            new Layout("d64_mha", 64, 4, 4, new int[][] {{1, 1}, {17, 17}, {64, 64}, {100, 100}}, 1f, 1f, false, 101),
            new Layout("d80_gqa3", 80, 6, 2, new int[][] {{33, 33}, {128, 128}, {0, 0}, {5, 70}, {130, 200}}, 1f, 1f, false, 103),
            new Layout("d128_mqa", 128, 8, 1, new int[][] {{257, 257}, {3, 300}}, 1f, 1f, false, 105),
            new Layout("d128_peaky", 128, 2, 2, new int[][] {{200, 333}}, 1.3f, 3f, false, 107),  // large scores: online rescaling
            new Layout("d80_cross", 80, 4, 4, new int[][] {{70, 10}, {1, 129}}, 1f, 1f, false, 110),
            new Layout("d16_scalar", 16, 4, 2, new int[][] {{5, 5}, {31, 40}, {1, 1}}, 1f, 1f, false, 111), // the tiny models' D
            new Layout("d24_scalar", 24, 3, 1, new int[][] {{13, 13}, {0, 2}}, 1f, 1f, false, 113),
            // the CPU tiles: single and odd segments around the 64-query tile and the 96-key block
            self("d16_one", 16, 2, 2, 1f, 300, 1), self("d16_five", 16, 2, 2, 1f, 302, 5),
            self("d16_tiles", 16, 2, 2, 1f, 304, 17, 3), self("d16_edges", 16, 2, 2, 1f, 306, 63, 1, 65),
            self("d16_130", 16, 2, 2, 1f, 308, 130), self("d16_empty_mid", 16, 2, 2, 1f, 310, 4, 0, 97),
            new Layout("d16_cross", 16, 2, 2, new int[][] {{3, 7}, {1, 100}, {5, 5}}, 1f, 1f, false, 312),
            new Layout("d16_nokeys", 16, 2, 2, new int[][] {{3, 0}, {2, 4}}, 1f, 1f, false, 314),
            // GQA ratios and head dims: 1, odd, the common 64 and 128, the vision 80
            self("d1_mha", 1, 1, 1, 1f, 316, 70, 9), self("d64_gqa2", 64, 4, 2, 1f, 318, 70, 9),
            self("d80_gqa4", 80, 4, 1, 1f, 320, 70, 9), self("d17_gqa3", 17, 6, 2, 1f, 322, 70, 9),
            self("d128_mha", 128, 2, 2, 1f, 324, 70, 9),
            // the CPU backward shares key blocks out when pairs are fewer than threads
            self("d24_split", 24, 2, 1, 1f, 326, 230), self("d24_split3", 24, 3, 1, 1f, 328, 230),
            // scores of order ±500 (q and k within ±10), and all zero (uniform weights)
            self("d32_extreme", 32, 2, 1, 6f, 330, 100, 33), self("d32_extreme_mha", 32, 2, 2, 6f, 332, 100),
            self("d16_zero", 16, 2, 2, 0f, 334, 20),
    };

    @Override
    List<Case> cases() {
        return List.of(new Case("attention forward, every kernel", AttentionCases::forward),
                new Case("attentionBackward (repeatable)", AttentionCases::backward),
                new Case("attentionDecode over ragged caches", AttentionCases::decode),
                new Case("attentionDecode through cache slots", AttentionCases::decodeSlots));
    }

    /** Host inputs of a layout: q, k, v, dout (values the dtype holds, in F32 tensors) and the spec. */
    private record Inputs(Tensor q, Tensor k, Tensor v, Tensor dout, AttentionSpec spec) implements AutoCloseable {
        @Override public void close() {
            q.close();
            k.close();
            v.close();
            dout.close();
        }
    }

    private static Inputs inputs(Layout c, DType dt, boolean causal, long seed) {
        int[] lq = Arrays.stream(c.segs()).mapToInt(s -> s[0]).toArray(), lk = Arrays.stream(c.segs()).mapToInt(s -> s[1]).toArray();
        int[] cq = AttentionSpec.offsets(lq), ck = AttentionSpec.offsets(lk);
        int nq = cq[cq.length - 1], nk = ck[ck.length - 1];
        Random rnd = new Random(seed);
        float a = 1.7f * c.inputScale(), b = 1.7f;
        return new Inputs(Target.rand(rnd, dt, -a, a, nq, c.hq(), c.d()), Target.rand(rnd, dt, -a, a, nk, c.hkv(), c.d()),
                Target.rand(rnd, dt, -b, b, nk, c.hkv(), c.d()), Target.rand(rnd, dt, -b, b, nq, c.hq(), c.d()), new AttentionSpec(cq, ck, causal, (float) (c.scaleMul() / Math.sqrt(c.d()))));
    }

    /** Widened q and k (scores of order ±50 to ±500): checked under the tolerance keys for large scores. */
    private static boolean extreme(Layout c) { return c.inputScale() > 1; }

    /** Causal attention is aligned bottom-right: a segment needs at least as many keys as queries. */
    private static boolean causalFits(Layout c) {
        for (int[] s : c.segs()) if (s[0] > s[1]) return false;
        return true;
    }

    private static List<Layout> layouts(Target t) {
        return Arrays.stream(LAYOUTS).filter(c -> (c.small() || !t.small()) && t.attentionHeadDim(c.d())).toList();
    }

    private static void forward(Target t) {
        for (DType dt : t.dtypes("attention")) {
            for (Layout c : layouts(t)) {
                for (boolean causal : new boolean[] {false, true}) {
                    if (causal && !causalFits(c)) continue;
                    try (Inputs in = inputs(c, dt, causal, c.seed() + (causal ? 1 : 0))) {
                        int nq = in.q().dim(0);
                        try (Tensor rOut = hostF32(nq, c.hq(), c.d()); Tensor rLse = hostF32(c.hq(), nq);
                             Tensor q = t.up(in.q(), dt); Tensor k = t.up(in.k(), dt); Tensor v = t.up(in.v(), dt)) {
                            REF.attention(in.q(), in.k(), in.v(), in.spec(), rOut, rLse);
                            for (Target.Variant kern : t.attentionVariants(false)) {
                                kern.apply();
                                try (Tensor out = t.poisoned(dt, nq, c.hq(), c.d()); Tensor lse = t.poisoned(DType.F32, c.hq(), nq)) {
                                    t.backend().attention(q, k, v, in.spec(), out, lse);
                                    String label = c.label() + (causal ? " causal" : " full") + kern.label();
                                    t.check(extreme(c) ? "attention.extreme" : "attention", label, out, rOut);
                                    t.check("attention.lse", label, lse, rLse);
                                }
                            }
                        }
                    }
                }
            }
        }
        Target.Variant.restore(t.attentionVariants(false));
    }

    private static void backward(Target t) {
        for (DType dt : t.dtypes("attentionBackward")) {
            for (Layout c : layouts(t)) {
                for (boolean causal : new boolean[] {false, true}) {
                    if (causal && !causalFits(c)) continue;
                    try (Inputs in = inputs(c, dt, causal, c.seed() + (causal ? 101 : 100))) {
                        backward(t, dt, c, causal, in);
                    }
                }
            }
        }
        Target.Variant.restore(t.attentionVariants(true));
    }

    private static void backward(Target t, DType dt, Layout c, boolean causal, Inputs in) {
        int nq = in.q().dim(0), nk = in.k().dim(0);
        try (Tensor rOut = hostF32(nq, c.hq(), c.d()); Tensor rLse = hostF32(c.hq(), nq); Tensor rdq = hostF32(nq, c.hq(), c.d());
             Tensor rdk = hostF32(nk, c.hkv(), c.d()); Tensor rdv = hostF32(nk, c.hkv(), c.d())) {
            REF.attention(in.q(), in.k(), in.v(), in.spec(), rOut, rLse);
            roundTo(dt, rOut); // what the forward stores
            REF.attentionBackward(in.q(), in.k(), in.v(), rOut, rLse, in.dout(), in.spec(), rdq, rdk, rdv);
            try (Tensor q = t.up(in.q(), dt); Tensor k = t.up(in.k(), dt); Tensor v = t.up(in.v(), dt); Tensor out = t.up(rOut, dt);
                 Tensor lse = t.up(rLse); Tensor dout = t.up(in.dout(), dt)) {
                for (Target.Variant kern : t.attentionVariants(true)) {
                    kern.apply();
                    String label = c.label() + (causal ? " causal" : " full") + kern.label();
                    float[][] first = null;
                    for (int run = 0; run < 2; run++) {
                        try (Tensor dq = t.poisoned(dt, nq, c.hq(), c.d()); Tensor dk = t.poisoned(dt, nk, c.hkv(), c.d());
                             Tensor dv = t.poisoned(dt, nk, c.hkv(), c.d())) {
                            t.backend().attentionBackward(q, k, v, out, lse, dout, in.spec(), dq, dk, dv);
                            float[][] got = {t.down(dq), t.down(dk), t.down(dv)};
                            if (first == null) {
                                String key = extreme(c) ? "attention.gradExtreme" : "attention.grad";
                                t.check(key, label + " dq", dt, dq.shape(), got[0], rdq.toFloatArray());
                                t.check(key, label + " dk", dt, dk.shape(), got[1], rdk.toFloatArray());
                                t.check(key, label + " dv", dt, dv.shape(), got[2], rdv.toFloatArray());
                                first = got;
                            } else {
                                for (int i = 0; i < 3; i++) assertArrayEquals(first[i], got[i], t + " " + label + ": the backward repeats bit for bit");
                            }
                        }
                    }
                }
            }
        }
    }

    /** {B, Hq, Hkv, D, Lmax, small}. */
    static final int[][] DECODE = {{2, 4, 2, 64, 40, 1}, {1, 8, 1, 128, 150, 1}, {2, 4, 2, 16, 20, 1},
            {3, 4, 4, 64, 97, 0}, {2, 6, 2, 80, 300, 0}, {5, 8, 1, 128, 64, 0}, {1, 16, 1, 128, 1030, 0},
            {4, 32, 2, 128, 200, 0}, {2, 4, 2, 16, 45, 0}, {3, 4, 2, 64, 80, 0}, {3, 3, 3, 17, 80, 0}, {3, 8, 1, 8, 80, 0}};

    private static void decode(Target t) {
        Random rnd = new Random(31);
        for (DType dt : t.dtypes("attentionDecode")) {
            for (int[] s : DECODE) {
                if ((s[5] == 0 && t.small()) || !t.attentionHeadDim(s[3])) continue;
                int b = s[0], hq = s[1], hkv = s[2], d = s[3], lmax = s[4];
                int[] lengths = new int[b];
                for (int i = 0; i < b; i++) lengths[i] = i == 0 ? lmax : i == 1 ? 1 : 1 + rnd.nextInt(lmax);
                float scale = (float) (1 / Math.sqrt(d));
                try (Tensor q = Target.rand(rnd, dt, -1.7f, 1.7f, b, hq, d); Tensor k = Target.rand(rnd, dt, -1.7f, 1.7f, b, lmax, hkv, d);
                     Tensor v = Target.rand(rnd, dt, -1.7f, 1.7f, b, lmax, hkv, d); Tensor ref = hostF32(b, hq, d)) {
                    REF.attentionDecode(q, k, v, lengths, scale, ref);
                    poisonPadding(k, lengths);
                    poisonPadding(v, lengths);
                    try (Tensor gq = t.up(q, dt); Tensor gk = t.up(k, dt); Tensor gv = t.up(v, dt)) {
                        for (Target.Variant kern : t.attentionVariants(true)) {
                            kern.apply();
                            try (Tensor out = t.poisoned(dt, b, hq, d)) {
                                t.backend().attentionDecode(gq, gk, gv, lengths, scale, out);
                                t.check("attentionDecode", "B" + b + " Hq" + hq + " Hkv" + hkv + " D" + d + " L" + lmax + kern.label(),
                                        dt, Shape.of(b, hq, d), t.down(out), ref.toFloatArray());
                            }
                        }
                    }
                }
            }
        }
        Target.Variant.restore(t.attentionVariants(true));
    }

    /** {B, Hq, Hkv, D, Lmax, small} decoded through slots {@link #SLOT_ROWS} of a cache of {@link #SLOTS} slots. */
    static final int[][] DECODE_SLOTS = {{3, 4, 2, 24, 40, 1}, {3, 8, 2, 64, 24, 1}, {3, 8, 2, 64, 160, 0}, {3, 14, 2, 64, 97, 0}};
    static final int SLOTS = 5;
    static final int[] SLOT_ROWS = {4, 0, 2};

    private static void decodeSlots(Target t) {
        Random rnd = new Random(32);
        for (DType dt : t.dtypes("attentionDecode")) {
            for (int[] s : DECODE_SLOTS) {
                if ((s[5] == 0 && t.small()) || !t.attentionHeadDim(s[3])) continue;
                int b = s[0], hq = s[1], hkv = s[2], d = s[3], lmax = s[4];
                int[] lengths = {lmax, 3, lmax / 2};
                float scale = (float) (1 / Math.sqrt(d));
                try (Tensor q = Target.rand(rnd, dt, -1.7f, 1.7f, b, hq, d); Tensor k = Target.rand(rnd, dt, -1.7f, 1.7f, SLOTS, lmax, hkv, d);
                     Tensor v = Target.rand(rnd, dt, -1.7f, 1.7f, SLOTS, lmax, hkv, d); Tensor ref = hostF32(b, hq, d)) {
                    REF.attentionDecode(q, k, v, SLOT_ROWS, lengths, scale, ref);
                    sameAsCompactCache(q, k, v, lengths, scale, ref);
                    int[] perSlot = new int[SLOTS]; // 0: a slot no row reads, all NaN
                    for (int i = 0; i < b; i++) perSlot[SLOT_ROWS[i]] = lengths[i];
                    poisonPadding(k, perSlot);
                    poisonPadding(v, perSlot);
                    try (Tensor gq = t.up(q, dt); Tensor gk = t.up(k, dt); Tensor gv = t.up(v, dt)) {
                        for (Target.Variant kern : t.attentionVariants(true)) {
                            kern.apply();
                            try (Tensor out = t.poisoned(dt, b, hq, d)) {
                                t.backend().attentionDecode(gq, gk, gv, SLOT_ROWS, lengths, scale, out);
                                t.check("attentionDecode", "slots " + Arrays.toString(SLOT_ROWS) + " of " + SLOTS + " Hq" + hq + " Hkv" + hkv
                                        + " D" + d + " L" + lmax + kern.label(), dt, Shape.of(b, hq, d), t.down(out), ref.toFloatArray());
                            }
                        }
                    }
                    int[] outside = {0, SLOTS, 1};
                    assertThrows(IllegalArgumentException.class, () -> REF.attentionDecode(q, k, v, outside, lengths, scale, ref), "slot 5 of 5");
                }
            }
        }
        Target.Variant.restore(t.attentionVariants(true));
    }

    /** The reference through slots equals the reference over a cache holding just those slots, in row order: exactly. */
    private static void sameAsCompactCache(Tensor q, Tensor k, Tensor v, int[] lengths, float scale, Tensor viaSlots) {
        int b = q.dim(0);
        Shape one = Shape.of(b, k.dim(1), k.dim(2), k.dim(3));
        try (Tensor kc = Tensor.hostEmpty(k.dtype(), one); Tensor vc = Tensor.hostEmpty(v.dtype(), one);
             Tensor out = hostF32(q.dim(0), q.dim(1), q.dim(2))) {
            for (int i = 0; i < b; i++) {
                REF.copy(k.narrow(0, SLOT_ROWS[i], 1), kc.narrow(0, i, 1));
                REF.copy(v.narrow(0, SLOT_ROWS[i], 1), vc.narrow(0, i, 1));
            }
            REF.attentionDecode(q, kc, vc, lengths, scale, out);
            assertArrayEquals(out.toFloatArray(), viaSlots.toFloatArray(), "slot indirection changes no number");
        }
    }

    /** NaN in cache rows at or past each sequence's length: no backend may read them. */
    private static void poisonPadding(Tensor cache, int[] lengths) {
        int lmax = cache.dim(1), row = cache.dim(2) * cache.dim(3);
        for (int b = 0; b < lengths.length; b++)
            for (long i = (long) (b * lmax + lengths[b]) * row; i < (long) (b + 1) * lmax * row; i++) cache.setFloat(i, Float.NaN);
    }
}
