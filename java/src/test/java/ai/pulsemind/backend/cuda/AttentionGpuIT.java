package ai.pulsemind.backend.cuda;

import ai.pulsemind.backend.AttentionSpec;
import ai.pulsemind.tensor.DType;
import ai.pulsemind.tensor.Half;
import ai.pulsemind.tensor.Shape;
import ai.pulsemind.tensor.Tensor;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.util.Arrays;
import java.util.Random;

import static ai.pulsemind.backend.cuda.GpuParity.REF;
import static ai.pulsemind.backend.cuda.GpuParity.check;
import static ai.pulsemind.backend.cuda.GpuParity.down;
import static ai.pulsemind.backend.cuda.GpuParity.poisoned;
import static ai.pulsemind.backend.cuda.GpuParity.rand;
import static ai.pulsemind.backend.cuda.GpuParity.up;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * Flash attention forward and backward ({@code flash_attention.cu}) against the CPU reference: every kernel choice,
 * head dims 64/80/128 on the tensor-core kernels and 16/24 on the scalar one, causal and not, MHA/GQA/MQA, packed
 * segments of odd lengths, empty segments, queries without keys and keys without queries.
 *
 * <p>Both sides read the same bf16 inputs; the reference computes in double. The backward gets the reference
 * forward's output rounded to bf16 (as the forward stores it) and its lse, so it is judged on its own.
 */
@RequiresCuda
class AttentionGpuIT {
    static CudaBackend be;

    /** {Lq, Lk} per segment. */
    record Case(String label, int d, int hq, int hkv, int[][] segs, float scaleMul, float inputScale) {}

    /** On the emulated device (GpuParity.emulated): every kernel and path, at sizes the CPU emulator runs in seconds. */
    static final Case[] EMULATED = {
            new Case("d64_gqa2_small", 64, 2, 1, new int[][] {{1, 1}, {17, 17}, {40, 40}}, 1f, 1f),
            new Case("d80_small", 80, 2, 2, new int[][] {{20, 30}, {0, 0}}, 1f, 1f),
            new Case("d128_small", 128, 2, 2, new int[][] {{33, 33}}, 1.3f, 3f),
            new Case("d64_nokeys", 64, 2, 2, new int[][] {{7, 0}, {9, 9}, {0, 5}}, 1f, 1f),
            new Case("d16_scalar", 16, 4, 2, new int[][] {{5, 5}, {11, 14}, {1, 1}}, 1f, 1f),
    };

    static final Case[] CASES = {
            new Case("d64_mha", 64, 4, 4, new int[][] {{1, 1}, {17, 17}, {64, 64}, {100, 100}}, 1f, 1f),
            new Case("d80_gqa3", 80, 6, 2, new int[][] {{33, 33}, {128, 128}, {0, 0}, {5, 70}, {130, 200}}, 1f, 1f),
            new Case("d128_mqa", 128, 8, 1, new int[][] {{257, 257}, {3, 300}}, 1f, 1f),
            new Case("d128_peaky", 128, 2, 2, new int[][] {{200, 333}}, 1.3f, 3f),   // large scores: online rescaling
            new Case("d64_nokeys", 64, 2, 2, new int[][] {{7, 0}, {9, 9}, {0, 5}}, 1f, 1f),
            new Case("d80_cross", 80, 4, 4, new int[][] {{70, 10}, {1, 129}}, 1f, 1f),
            new Case("d16_scalar", 16, 4, 2, new int[][] {{5, 5}, {31, 40}, {1, 1}}, 1f, 1f), // the tiny models' D
            new Case("d24_scalar", 24, 3, 1, new int[][] {{13, 13}, {0, 2}}, 1f, 1f),
    };

    @BeforeAll static void open() { be = GpuParity.open(); }

    @AfterAll static void close() {
        be.useAttentionKernels(AttentionKernels.AUTO);
        be.close();
    }

    /** Host inputs of a case: q, k, v, dout (bf16 values in F32 tensors) and the spec. */
    record Inputs(Tensor q, Tensor k, Tensor v, Tensor dout, AttentionSpec spec) implements AutoCloseable {
        @Override public void close() {
            q.close();
            k.close();
            v.close();
            dout.close();
        }
    }

    static Inputs inputs(Case c, boolean causal, long seed) {
        int[] lq = Arrays.stream(c.segs()).mapToInt(s -> s[0]).toArray(), lk = Arrays.stream(c.segs()).mapToInt(s -> s[1]).toArray();
        int[] cq = AttentionSpec.offsets(lq), ck = AttentionSpec.offsets(lk);
        int nq = cq[cq.length - 1], nk = ck[ck.length - 1];
        Random rnd = new Random(seed);
        float a = 1.7f * c.inputScale();
        return new Inputs(rand(rnd, DType.BF16, -a, a, nq, c.hq(), c.d()), rand(rnd, DType.BF16, -a, a, nk, c.hkv(), c.d()),
                rand(rnd, DType.BF16, -1.7f, 1.7f, nk, c.hkv(), c.d()), rand(rnd, DType.BF16, -1.7f, 1.7f, nq, c.hq(), c.d()),
                new AttentionSpec(cq, ck, causal, (float) (c.scaleMul() / Math.sqrt(c.d()))));
    }

    static boolean causalFits(Case c) {
        for (int[] s : c.segs()) if (s[0] > s[1]) return false;
        return true;
    }

    static String tag(Case c, boolean causal, AttentionKernels k) { return c.label() + (causal ? "_causal" : "_full") + "_" + k; }

    @Test
    void forwardMatchesTheReferenceForEveryKernelChoice() {
        long seed = 100;
        for (Case c : GpuParity.emulated(be) ? EMULATED : CASES) {
            for (boolean causal : new boolean[] {false, true}) {
                if (causal && !causalFits(c)) continue;
                try (Inputs in = inputs(c, causal, ++seed)) {
                    int nq = in.q().dim(0);
                    try (Tensor rOut = Tensor.hostEmpty(DType.F32, in.q().shape()); Tensor rLse = Tensor.hostEmpty(DType.F32, Shape.of(c.hq(), nq));
                         Tensor q = up(be, in.q(), DType.BF16); Tensor k = up(be, in.k(), DType.BF16); Tensor v = up(be, in.v(), DType.BF16)) {
                        REF.attention(in.q(), in.k(), in.v(), in.spec(), rOut, rLse);
                        for (AttentionKernels kern : AttentionKernels.values()) {
                            be.useAttentionKernels(kern);
                            try (Tensor out = poisoned(be, DType.BF16, nq, c.hq(), c.d()); Tensor lse = poisoned(be, DType.F32, c.hq(), nq)) {
                                be.attention(q, k, v, in.spec(), out, lse);
                                String t = tag(c, causal, kern);
                                check("attention", t, DType.BF16, out.shape(), down(be, out), rOut.toFloatArray());
                                check("attention.lse", t, DType.F32, lse.shape(), down(be, lse), rLse.toFloatArray());
                            }
                        }
                    }
                }
            }
        }
    }

    @Test
    void backwardMatchesTheReferenceAndRepeatsBitForBit() {
        long seed = 200;
        for (Case c : GpuParity.emulated(be) ? EMULATED : CASES) {
            for (boolean causal : new boolean[] {false, true}) {
                if (causal && !causalFits(c)) continue;
                try (Inputs in = inputs(c, causal, ++seed)) {
                    int nq = in.q().dim(0), nk = in.k().dim(0);
                    try (Tensor rOut = Tensor.hostEmpty(DType.F32, in.q().shape()); Tensor rLse = Tensor.hostEmpty(DType.F32, Shape.of(c.hq(), nq));
                         Tensor rdq = Tensor.hostEmpty(DType.F32, in.q().shape()); Tensor rdk = Tensor.hostEmpty(DType.F32, in.k().shape());
                         Tensor rdv = Tensor.hostEmpty(DType.F32, in.v().shape())) {
                        REF.attention(in.q(), in.k(), in.v(), in.spec(), rOut, rLse);
                        roundToBf16(rOut); // what the forward stores
                        REF.attentionBackward(in.q(), in.k(), in.v(), rOut, rLse, in.dout(), in.spec(), rdq, rdk, rdv);
                        try (Tensor q = up(be, in.q(), DType.BF16); Tensor k = up(be, in.k(), DType.BF16); Tensor v = up(be, in.v(), DType.BF16);
                             Tensor out = up(be, rOut, DType.BF16); Tensor lse = be.upload(rLse); Tensor dout = up(be, in.dout(), DType.BF16)) {
                            for (AttentionKernels kern : new AttentionKernels[] {AttentionKernels.AUTO, AttentionKernels.V1}) {
                                be.useAttentionKernels(kern);
                                float[][] first = null;
                                for (int run = 0; run < 2; run++) {
                                    try (Tensor dq = poisoned(be, DType.BF16, nq, c.hq(), c.d()); Tensor dk = poisoned(be, DType.BF16, nk, c.hkv(), c.d());
                                         Tensor dv = poisoned(be, DType.BF16, nk, c.hkv(), c.d())) {
                                        be.attentionBackward(q, k, v, out, lse, dout, in.spec(), dq, dk, dv);
                                        float[][] got = {down(be, dq), down(be, dk), down(be, dv)};
                                        if (first == null) {
                                            String t = tag(c, causal, kern);
                                            check("attention.grad", t + " dq", DType.BF16, dq.shape(), got[0], rdq.toFloatArray());
                                            check("attention.grad", t + " dk", DType.BF16, dk.shape(), got[1], rdk.toFloatArray());
                                            check("attention.grad", t + " dv", DType.BF16, dv.shape(), got[2], rdv.toFloatArray());
                                            first = got;
                                        } else {
                                            for (int i = 0; i < 3; i++)
                                                assertArrayEquals(first[i], got[i], tag(c, causal, kern) + ": the backward is deterministic");
                                        }
                                    }
                                }
                            }
                        }
                    }
                }
            }
        }
    }

    private static void roundToBf16(Tensor t) {
        for (long i = 0; i < t.numel(); i++) t.setFloat(i, Half.bf16ToFloat(Half.floatToBf16(t.getFloat(i))));
    }

    @Test
    void cuSeqlensGoToTheDeviceOncePerSpec() {
        be.useAttentionKernels(AttentionKernels.AUTO);
        Case c = CASES[0];
        try (Inputs in = inputs(c, true, 7); Tensor q = up(be, in.q(), DType.BF16); Tensor k = up(be, in.k(), DType.BF16);
             Tensor v = up(be, in.v(), DType.BF16); Tensor out = be.empty(DType.BF16, in.q().shape());
             Tensor lse = be.empty(DType.F32, Shape.of(c.hq(), in.q().dim(0)))) {
            long before = be.specUploads();
            for (int layer = 0; layer < 4; layer++) be.attention(q, k, v, in.spec(), out, lse);
            AttentionSpec same = new AttentionSpec(in.spec().cuSeqlensQ(), in.spec().cuSeqlensK(), true, in.spec().scale());
            be.attention(q, k, v, same, out, lse);
            be.synchronize();
            assertEquals(before + 1, be.specUploads(), "one upload for a spec used by every layer, none for an equal spec");
        }
    }
}
