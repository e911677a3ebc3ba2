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

/** GEMM through our cuBLASLt binding: dtypes, transposes, batches with broadcast, alpha/beta, bias epilogue. */
@RequiresCuda
class MatmulGpuIT {
    static CudaBackend be;

    @BeforeAll static void open() { be = GpuParity.open(); }

    @AfterAll static void close() { be.close(); }

    /** a as stored: (Ba, M, K) or (Ba, K, M) when transposed. */
    private static int[] dims(int batch, int rows, int cols, boolean t) {
        return batch == 0 ? (t ? new int[] {cols, rows} : new int[] {rows, cols}) : (t ? new int[] {batch, cols, rows} : new int[] {batch, rows, cols});
    }

    private void gemm(Random rnd, DType ab, DType cd, int ba, int bb, int m, int n, int k, boolean ta, boolean tb,
                      float alpha, float beta) {
        int batch = Math.max(1, Math.max(ba, bb));
        try (Tensor a = rand(rnd, ab, -1, 1, dims(ba, m, k, ta)); Tensor b = rand(rnd, ab, -1, 1, dims(bb, k, n, tb));
             Tensor c0 = rand(rnd, cd, -1, 1, batch, m, n); Tensor ga = up(be, a, ab); Tensor gb = up(be, b, ab); Tensor gc = up(be, c0, cd)) {
            be.matmul(ga, ta, gb, tb, gc, alpha, beta);
            Tensor ra = ba == 0 ? a.reshape(1, a.dim(0), a.dim(1)) : a, rb = bb == 0 ? b.reshape(1, b.dim(0), b.dim(1)) : b;
            REF.matmul(ra, ta, rb, tb, c0, alpha, beta);
            String op = ab == DType.BF16 && cd == DType.F32 ? "matmul.f32out" : "matmul";
            check(op, ab, Shape.of(batch, m, n, k), down(be, gc), c0.toFloatArray());
        }
    }

    @Test
    void shapesTransposesAndDtypes() {
        Random rnd = new Random(31);
        int[][] mnk = {{1, 1, 1}, {17, 33, 65}, {128, 256, 64}, {3, 1000, 7}, {257, 129, 1024}};
        for (DType ab : new DType[] {DType.F32, DType.BF16}) {
            for (DType cd : ab == DType.BF16 ? new DType[] {DType.BF16, DType.F32} : new DType[] {DType.F32}) {
                for (int[] s : mnk) {
                    for (int t = 0; t < 4; t++) gemm(rnd, ab, cd, 0, 0, s[0], s[1], s[2], (t & 1) != 0, (t & 2) != 0, 1f, 0f);
                }
            }
        }
    }

    @Test
    void batchesWithBroadcastAlphaAndBeta() {
        Random rnd = new Random(32);
        for (DType ab : new DType[] {DType.F32, DType.BF16}) {
            gemm(rnd, ab, ab, 4, 4, 33, 17, 65, false, false, 1f, 0f);
            gemm(rnd, ab, ab, 4, 0, 33, 17, 65, false, true, 1f, 0f);   // shared weight: one tall GEMM
            gemm(rnd, ab, ab, 0, 5, 9, 31, 12, false, false, 1f, 0f);   // shared a: batch stride 0
            gemm(rnd, ab, ab, 3, 3, 16, 16, 16, true, true, 0.5f, -2f); // C accumulates: beta ≠ 0
            gemm(rnd, ab, ab, 4, 0, 8, 8, 8, true, false, 1f, 1f);      // transposed a with shared b: strided batch
        }
    }

    @Test
    void biasEpilogue() {
        Random rnd = new Random(33);
        for (DType dt : new DType[] {DType.F32, DType.BF16}) {
            int m = 37, n = 96, k = 80;
            try (Tensor x = rand(rnd, dt, -1, 1, m, k); Tensor w = rand(rnd, dt, -1, 1, n, k); Tensor bias = rand(rnd, dt, -1, 1, n);
                 Tensor gx = up(be, x, dt); Tensor gw = up(be, w, dt); Tensor gbias = up(be, bias, dt); Tensor out = poisoned(be, dt, m, n);
                 Tensor ref = Tensor.hostEmpty(DType.F32, Shape.of(m, n))) {
                be.matmulBias(gx, false, gw, true, gbias, out);
                REF.matmul(x, false, w, true, ref, 1f, 0f);
                REF.add(ref, bias, ref);
                check("matmul", be, out, ref);
            }
        }
    }

    @Test
    void emptyInnerDimensionScalesC() {
        try (Tensor a = be.empty(DType.F32, Shape.of(4, 0)); Tensor b = be.empty(DType.F32, Shape.of(0, 3));
             Tensor c = be.upload(Tensor.of(new float[] {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12}, 4, 3))) {
            be.matmul(a, false, b, false, c, 1f, 2f);
            check("matmul", DType.F32, c.shape(), down(be, c), new float[] {2, 4, 6, 8, 10, 12, 14, 16, 18, 20, 22, 24});
        }
    }
}
