package ai.pulsemind.backend.cuda;

import ai.pulsemind.tensor.DType;
import ai.pulsemind.tensor.Shape;
import ai.pulsemind.tensor.Tensor;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.util.Random;

import static ai.pulsemind.backend.cuda.GpuParity.REF;
import static ai.pulsemind.backend.cuda.GpuParity.check;
import static ai.pulsemind.backend.cuda.GpuParity.down;
import static ai.pulsemind.backend.cuda.GpuParity.poisoned;
import static ai.pulsemind.backend.cuda.GpuParity.rand;
import static ai.pulsemind.backend.cuda.GpuParity.up;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Decode attention ({@code decode_attention.cu}) against the CPU reference: split-K with its combine (several
 * splits per sequence and one), GQA groups of 1, 3, 8 and 16 query heads (two blocks per K/V head), head dims
 * 64/80/128 and the scalar kernel's 16, ragged cache lengths from 1 to Lmax over a padded cache whose unused rows
 * hold NaN (a read past a sequence's length would show).
 */
@RequiresCuda
class DecodeGpuIT {
    static CudaBackend be;

    @BeforeAll static void open() { be = GpuParity.open(); }

    @AfterAll static void close() {
        be.useAttentionKernels(AttentionKernels.AUTO);
        be.close();
    }

    /** {B, Hq, Hkv, D, Lmax}. */
    static final int[][] SHAPES = {{3, 4, 4, 64, 97}, {2, 6, 2, 80, 300}, {5, 8, 1, 128, 64}, {1, 16, 1, 128, 1030},
            {4, 32, 2, 128, 200}, {2, 4, 2, 16, 45}};

    /** The emulated device's subset: split into 3 and 1, GQA, the scalar head dim. */
    static final int[][] EMULATED = {{2, 4, 2, 64, 40}, {1, 8, 1, 128, 150}, {2, 4, 2, 16, 20}};

    @Test
    void splitAndScalarKernelsMatchTheReferenceOverRaggedCaches() {
        Random rnd = new Random(31);
        for (int[] s : GpuParity.emulated(be) ? EMULATED : SHAPES) {
            int b = s[0], hq = s[1], hkv = s[2], d = s[3], lmax = s[4];
            int[] lengths = new int[b];
            for (int i = 0; i < b; i++) lengths[i] = i == 0 ? lmax : i == 1 ? 1 : 1 + rnd.nextInt(lmax);
            try (Tensor q = rand(rnd, DType.BF16, -1.7f, 1.7f, b, hq, d); Tensor k = rand(rnd, DType.BF16, -1.7f, 1.7f, b, lmax, hkv, d);
                 Tensor v = rand(rnd, DType.BF16, -1.7f, 1.7f, b, lmax, hkv, d); Tensor ref = Tensor.hostEmpty(DType.F32, Shape.of(b, hq, d))) {
                REF.attentionDecode(q, k, v, lengths, (float) (1 / Math.sqrt(d)), ref);
                poisonPadding(k, lengths);
                poisonPadding(v, lengths);
                try (Tensor gq = up(be, q, DType.BF16); Tensor gk = up(be, k, DType.BF16); Tensor gv = up(be, v, DType.BF16)) {
                    for (AttentionKernels kern : new AttentionKernels[] {AttentionKernels.AUTO, AttentionKernels.V1}) {
                        be.useAttentionKernels(kern);
                        try (Tensor out = poisoned(be, DType.BF16, b, hq, d)) {
                            be.attentionDecode(gq, gk, gv, lengths, (float) (1 / Math.sqrt(d)), out);
                            check("attentionDecode", "B" + b + " Hq" + hq + " Hkv" + hkv + " D" + d + " L" + lmax + " " + kern,
                                    DType.BF16, out.shape(), down(be, out), ref.toFloatArray());
                        }
                    }
                }
            }
        }
    }

    /**
     * Query rows reading a subset of the cache's slots, out of order (an engine decoding some of its sequences):
     * the slots not read hold NaN, so reading the wrong slot shows.
     */
    @Test
    void queryRowsReadTheirOwnCacheSlots() {
        Random rnd = new Random(32);
        int slots = 5, b = 3, hq = 8, hkv = 2, d = 64, lmax = GpuParity.emulated(be) ? 24 : 160;
        int[] rows = {4, 0, 2}, lengths = {lmax, 3, lmax / 2};
        try (Tensor q = rand(rnd, DType.BF16, -1.7f, 1.7f, b, hq, d); Tensor k = rand(rnd, DType.BF16, -1.7f, 1.7f, slots, lmax, hkv, d);
             Tensor v = rand(rnd, DType.BF16, -1.7f, 1.7f, slots, lmax, hkv, d); Tensor ref = Tensor.hostEmpty(DType.F32, Shape.of(b, hq, d))) {
            REF.attentionDecode(q, k, v, rows, lengths, (float) (1 / Math.sqrt(d)), ref);
            int row = lmax * hkv * d;
            for (int s : new int[] {1, 3}) for (long i = (long) s * row; i < (long) (s + 1) * row; i++) {
                k.setFloat(i, Float.NaN);
                v.setFloat(i, Float.NaN);
            }
            try (Tensor gq = up(be, q, DType.BF16); Tensor gk = up(be, k, DType.BF16); Tensor gv = up(be, v, DType.BF16)) {
                for (AttentionKernels kern : new AttentionKernels[] {AttentionKernels.AUTO, AttentionKernels.V1}) {
                    be.useAttentionKernels(kern);
                    try (Tensor out = poisoned(be, DType.BF16, b, hq, d)) {
                        be.attentionDecode(gq, gk, gv, rows, lengths, (float) (1 / Math.sqrt(d)), out);
                        check("attentionDecode", "slots " + java.util.Arrays.toString(rows) + " of " + slots + " " + kern,
                                DType.BF16, out.shape(), down(be, out), ref.toFloatArray());
                    }
                }
            }
        }
    }

    /** NaN in cache rows at or past each sequence's length: the kernels must not read them. */
    private static void poisonPadding(Tensor cache, int[] lengths) {
        int lmax = cache.dim(1), row = cache.dim(2) * cache.dim(3);
        for (int b = 0; b < lengths.length; b++)
            for (long i = (long) (b * lmax + lengths[b]) * row; i < (long) (b + 1) * lmax * row; i++) cache.setFloat(i, Float.NaN);
    }

    @Test
    void thePlanSplitsLongCachesAndCoversEveryKey() {
        int sms = be.multiprocessors();
        int[] p = AttentionLaunch.decodePlan(1, 16, 2, 4096, sms);
        assertTrue(p[0] > 1 && (long) p[0] * p[1] >= 4096, "B=1 over 4096 keys splits: " + p[0] + " x " + p[1]);
        int[] one = AttentionLaunch.decodePlan(64, 32, 8, 100, sms);
        assertTrue(one[0] >= 1 && (long) one[0] * one[1] >= 100, one[0] + " x " + one[1]);
    }
}
