package ai.pulsemind.backend.cpu;

import ai.pulsemind.tensor.DType;
import ai.pulsemind.tensor.Shape;
import ai.pulsemind.tensor.Tensor;
import org.junit.jupiter.api.Test;

import java.util.Arrays;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * The direct few-row product x·Wᵀ is batch invariant: a row of x gives the same bits alone (one decoding
 * sequence) as inside a batch of up to {@link FastGemv#MAX_ROWS} rows (a batched decode step), whichever of the
 * block kernels (4 rows of x by 4 rows of W, 4 by 1, 1 by 4, 1 by 1) computes it, for F32 and BF16 weights.
 */
class FastGemvTest {
    private final Random rnd = new Random(5);

    private Tensor rand(DType dt, int rows, int cols) {
        Tensor t = Tensor.hostEmpty(dt, Shape.of(rows, cols));
        for (long i = 0; i < (long) rows * cols; i++) t.setFloat(i, (float) (rnd.nextDouble() * 2 - 1));
        return t;
    }

    @Test
    void eachRowOfABatchedProductHasTheBitsOfTheOneRowProduct() {
        try (CpuBackend be = new CpuBackend(2)) {
            for (DType wt : new DType[] {DType.F32, DType.BF16})
                for (int k : new int[] {64, 896, 50})          // 16 | k: the 4 x 4 blocks; else 4 x 1 with a masked tail
                    for (int m : new int[] {4, 9, 16, 33, FastGemv.MAX_ROWS}) {
                        int n = 67;                              // 16 blocks of 4 rows of W, then 3 one at a time
                        Tensor x = rand(DType.F32, m, k), w = rand(wt, n, k), c = Tensor.hostEmpty(DType.F32, Shape.of(m, n));
                        be.matmul(x, false, w, true, c, 1f, 0f);
                        float[] all = c.toFloatArray();
                        for (int i = 0; i < m; i++) {
                            Tensor xi = Tensor.hostEmpty(DType.F32, Shape.of(1, k)), ci = Tensor.hostEmpty(DType.F32, Shape.of(1, n));
                            for (int p = 0; p < k; p++) xi.setFloat(p, x.getFloat((long) i * k + p));
                            be.matmul(xi, false, w, true, ci, 1f, 0f);
                            assertArrayEquals(ci.toFloatArray(), Arrays.copyOfRange(all, i * n, (i + 1) * n),
                                    wt + " k " + k + " m " + m + " row " + i);
                        }
                    }
        }
    }

    /**
     * The direct path against the reference backend where its block shapes apply (16 | k, up to MAX_ROWS rows),
     * over widths that leave each thread's piece a remainder past its four strided runs, with alpha and beta.
     */
    @Test
    void blockedProductsMatchTheReference() {
        ReferenceBackend ref = new ReferenceBackend();
        try (CpuBackend be = new CpuBackend(2)) {
            for (DType wt : new DType[] {DType.F32, DType.BF16})
                for (int k : new int[] {64, 896})
                    for (int m : new int[] {1, 4, 7, 16, FastGemv.MAX_ROWS})
                        for (int n : new int[] {5, 67, 301, 1000}) {
                            Tensor x = rand(DType.F32, m, k), w = rand(wt, n, k), c0 = rand(DType.F32, m, n);
                            Tensor got = Tensor.hostEmpty(DType.F32, Shape.of(m, n)), want = Tensor.hostEmpty(DType.F32, Shape.of(m, n));
                            ref.copy(c0, got);
                            ref.copy(c0, want);
                            be.matmul(x, false, w, true, got, 0.5f, 0.25f);
                            ref.matmul(x, false, w, true, want, 0.5f, 0.25f);
                            float[] g = got.toFloatArray(), e = want.toFloatArray();
                            for (int i = 0; i < g.length; i++)
                                assertEquals(e[i], g[i], 1e-4 * (1 + Math.abs(e[i])), wt + " m " + m + " n " + n + " k " + k + " at " + i);
                        }
        }
    }

    @Test
    void theSixteenLaneSumsOfOneMergeTreeAreTheButterflySums() {
        float[] acc = new float[16 * MicroKernel.VL], sums = new float[16];
        for (int i = 0; i < acc.length; i++) acc[i] = (float) (rnd.nextGaussian() * Math.pow(10, rnd.nextInt(9) - 4));
        float[] kept = acc.clone();
        LaneSum.of16(acc, sums); // overwrites acc
        for (int j = 0; j < 16; j++)
            assertEquals(Float.floatToIntBits(LaneSum.of(jdk.incubator.vector.FloatVector.fromArray(MicroKernel.S, kept, j * MicroKernel.VL))),
                    Float.floatToIntBits(sums[j]), "vector " + j);
    }
}
