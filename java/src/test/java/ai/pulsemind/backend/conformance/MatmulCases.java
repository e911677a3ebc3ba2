package ai.pulsemind.backend.conformance;

import ai.pulsemind.tensor.DType;
import ai.pulsemind.tensor.Shape;
import ai.pulsemind.tensor.Tensor;

import java.util.List;
import java.util.Random;

import static ai.pulsemind.backend.conformance.Target.REF;

/**
 * Batched GEMM: every transpose over odd sizes, the few-row direct paths and the blocking edges of the CPU GEMM
 * (MC 144, KC 512, NR panels), tall and deep products, batches with broadcast (a shared weight, a shared a), alpha
 * and beta, an empty inner dimension, and beta 0 ignoring NaN in c; each in every dtype pair the target takes (bf16
 * operands with an f32 output on CUDA).
 */
final class MatmulCases extends OpCases {
    @Override
    List<Case> cases() {
        return List.of(new Case("matmul odd sizes and every transpose", MatmulCases::oddSizes),
                new Case("matmul direct paths, blocking edges, large", MatmulCases::edges),
                new Case("matmul batches with broadcast, alpha and beta", MatmulCases::batches),
                new Case("matmul empty inner dimension and beta 0 over NaN", MatmulCases::degenerate));
    }

    /** a as stored: (Ba, M, K) or (Ba, K, M) when transposed; Ba = 0 means rank 2. */
    private static int[] dims(int batch, int rows, int cols, boolean t) {
        int r = t ? cols : rows, c = t ? rows : cols;
        return batch == 0 ? new int[] {r, c} : new int[] {batch, r, c};
    }

    /** The (operand, output) dtype pairs the target takes: T → T, and bf16 → f32 where accepted. */
    private static List<DType[]> pairs(Target t) {
        List<DType[]> out = new java.util.ArrayList<>();
        for (DType ab : t.dtypes("matmul"))
            for (DType cd : new DType[] {ab, DType.F32})
                if (t.accepts("matmul", ab, ab, cd) && out.stream().noneMatch(p -> p[0] == ab && p[1] == cd)) out.add(new DType[] {ab, cd});
        return out;
    }

    /** One product on the target and the reference; c starts random so beta is exercised. */
    private static void gemm(Target t, Random rnd, DType ab, DType cd, int ba, int bb, int m, int n, int k, boolean ta,
                             boolean tb, float alpha, float beta) {
        int batch = Math.max(1, Math.max(ba, bb));
        try (Tensor a = Target.rand(rnd, ab, -1, 1, dims(ba, m, k, ta)); Tensor b = Target.rand(rnd, ab, -1, 1, dims(bb, k, n, tb));
             Tensor c0 = Target.rand(rnd, cd, -1, 1, batch, m, n); Tensor ga = t.up(a, ab); Tensor gb = t.up(b, ab);
             Tensor gc = t.up(c0, cd)) {
            t.backend().matmul(ga, ta, gb, tb, gc, alpha, beta);
            REF.matmul(a, ta, b, tb, c0, alpha, beta);
            String key = ab == DType.BF16 && cd == DType.F32 ? "matmul.f32out" : "matmul";
            String label = String.format("B=%d(%d,%d) %dx%dx%d ta=%b tb=%b alpha=%s beta=%s %s->%s", batch, ba, bb, m, n, k,
                    ta, tb, alpha, beta, ab, cd);
            t.check(key, label, ab, Shape.of(batch, m, n), t.down(gc), c0.toFloatArray());
        }
    }

    private static void oddSizes(Target t) {
        Random rnd = new Random(31);
        int[] sizes = t.small() ? new int[] {1, 17, 65} : new int[] {1, 3, 17, 63, 65};
        for (DType[] p : pairs(t))
            for (int tr = 0; tr < 4; tr++)
                for (int m : sizes) for (int n : sizes) for (int k : new int[] {1, 17, 65})
                    gemm(t, rnd, p[0], p[1], 0, 0, m, n, k, (tr & 1) != 0, (tr & 2) != 0, 1f, 0f);
    }

    private static void edges(Target t) {
        Random rnd = new Random(32);
        for (DType[] p : pairs(t)) {
            DType ab = p[0], cd = p[1];
            // m ≤ 48: b read in place; m < n with bᵀ: the swap to cᵀ
            gemm(t, rnd, ab, cd, 0, 0, 1, 300, 70, false, true, 1f, 0f);
            gemm(t, rnd, ab, cd, 0, 0, 16, 203, 96, false, true, 0.5f, 1f); // 4 x 4 blocks, 3 b rows left, 16 | k
            gemm(t, rnd, ab, cd, 0, 0, 46, 130, 64, false, true, 1f, 0f);   // last a block of 2 rows
            gemm(t, rnd, ab, cd, 0, 0, 49, 130, 64, false, true, 1f, 0f);   // one row past the direct path
            gemm(t, rnd, ab, cd, 0, 0, 5, 300, 70, false, true, 0.5f, 1f); // four rows of a at a time, then one
            gemm(t, rnd, ab, cd, 0, 0, 3, 300, 70, true, false, 0.5f, 1f);
            gemm(t, rnd, ab, cd, 0, 0, 8, 257, 33, false, false, -1f, 0.25f);
            gemm(t, rnd, ab, cd, 0, 0, 9, 300, 70, true, true, 2f, 0.5f);
            gemm(t, rnd, ab, cd, 0, 0, 40, 200, 530, false, true, 1f, 1f); // two K blocks into cᵀ
            gemm(t, rnd, ab, cd, 0, 0, 3, 1000, 7, false, false, 1f, 0f);
            gemm(t, rnd, ab, cd, 0, 0, 128, 256, 64, false, true, 1f, 0f);
            if (t.small()) continue;
            // around MC (144), KC (512), several NR panels, K split into two KC blocks with a ragged tail
            gemm(t, rnd, ab, cd, 0, 0, 145, 129, 257, false, false, 1f, 0f);
            gemm(t, rnd, ab, cd, 0, 0, 289, 200, 300, true, true, 1f, 1f);
            gemm(t, rnd, ab, cd, 0, 0, 150, 64 * 5 + 3, 515, false, true, 1f, 0f);
            for (int tr = 0; tr < 4; tr++) gemm(t, rnd, ab, cd, 0, 0, 257, 129, 1024, (tr & 1) != 0, (tr & 2) != 0, 1f, 0f);
        }
    }

    private static void batches(Target t) {
        Random rnd = new Random(33);
        for (DType ab : t.dtypes("matmul")) {
            gemm(t, rnd, ab, ab, 4, 4, 17, 33, 9, false, false, 1f, 0f);
            gemm(t, rnd, ab, ab, 4, 4, 33, 17, 65, false, false, 1f, 0f);
            gemm(t, rnd, ab, ab, 4, 0, 33, 17, 65, false, true, 1f, 0f);   // shared weight: one tall GEMM
            gemm(t, rnd, ab, ab, 3, 0, 17, 33, 9, false, true, 1f, 0.5f);
            gemm(t, rnd, ab, ab, 0, 5, 9, 31, 12, false, false, 1f, 0f);   // shared a: batch stride 0
            gemm(t, rnd, ab, ab, 0, 3, 17, 33, 9, true, false, 1f, 0f);
            gemm(t, rnd, ab, ab, 3, 3, 16, 16, 16, true, true, 0.5f, -2f); // c accumulates: beta ≠ 0
            gemm(t, rnd, ab, ab, 4, 0, 8, 8, 8, true, false, 1f, 1f);      // transposed a with shared b: strided batch
            if (!t.small()) gemm(t, rnd, ab, ab, 2, 2, 150, 130, 70, true, true, 1f, 0f); // each product in parallel
        }
    }

    private static void degenerate(Target t) {
        Random rnd = new Random(34);
        for (DType ab : t.dtypes("matmul")) gemm(t, rnd, ab, ab, 0, 0, 5, 7, 0, false, false, 1f, 0.5f); // K = 0: c = beta·c
        try (Tensor a = t.backend().empty(DType.F32, Shape.of(4, 0)); Tensor b = t.backend().empty(DType.F32, Shape.of(0, 3));
             Tensor c = t.up(Tensor.of(new float[] {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12}, 4, 3))) {
            t.backend().matmul(a, false, b, false, c, 1f, 2f);
            t.check("matmul", "K = 0 scales c", DType.F32, c.shape(), t.down(c), new float[] {2, 4, 6, 8, 10, 12, 14, 16, 18, 20, 22, 24});
        }
        try (Tensor a = Target.rand(rnd, DType.F32, -1, 1, 20, 30); Tensor b = Target.rand(rnd, DType.F32, -1, 1, 30, 70);
             Tensor ga = t.up(a); Tensor gb = t.up(b); Tensor c = t.poisoned(DType.F32, 20, 70); Tensor ref = hostF32(20, 70)) {
            t.backend().matmul(ga, false, gb, false, c, 1f, 0f); // beta = 0 must not read the NaN in c
            REF.matmul(a, false, b, false, ref, 1f, 0f);
            t.check("matmul", "beta 0 over NaN", c, ref);
        }
    }
}
