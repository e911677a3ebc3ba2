package ai.pulsemind.backend.cpu;

import ai.pulsemind.tensor.DType;
import ai.pulsemind.tensor.Shape;
import ai.pulsemind.tensor.Tensor;
import ai.pulsemind.testing.Rand;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;

/** The blocked GEMM against the reference triple loop: all transposes, odd sizes, blocking edges, batches. */
class FastGemmTest {
    private static final CpuBackend FAST = new CpuBackend(2);
    private static final ReferenceBackend REF = new ReferenceBackend();
    private final Rand rnd = new Rand(11);

    @AfterAll
    static void close() { FAST.close(); }

    /** One product on both backends; C starts as random values so beta is exercised. */
    private void check(int batch, int ba, int bb, int m, int n, int k, boolean ta, boolean tb, float alpha, float beta) {
        Tensor a = ta ? rnd.uniform(1, dims(ba, k, m)) : rnd.uniform(1, dims(ba, m, k));
        Tensor b = tb ? rnd.uniform(1, dims(bb, n, k)) : rnd.uniform(1, dims(bb, k, n));
        Tensor c0 = rnd.uniform(1, dims(batch, m, n));
        Tensor cf = copy(c0), cr = copy(c0);
        FAST.matmul(a, ta, b, tb, cf, alpha, beta);
        REF.matmul(a, ta, b, tb, cr, alpha, beta);
        Parity.check("matmul", String.format("matmul B=%d(%d,%d) %dx%dx%d ta=%b tb=%b alpha=%s beta=%s",
                batch, ba, bb, m, n, k, ta, tb, alpha, beta), cf, cr);
    }

    private static int[] dims(int batch, int r, int c) { return batch == 0 ? new int[] {r, c} : new int[] {batch, r, c}; }

    private static Tensor copy(Tensor t) {
        Tensor c = Tensor.hostEmpty(DType.F32, t.shape());
        REF.copy(t, c);
        return c;
    }

    @Test
    void oddSizesAllTransposes() {
        int[] sizes = {1, 3, 17, 63, 65};
        for (boolean ta : new boolean[] {false, true})
            for (boolean tb : new boolean[] {false, true})
                for (int m : sizes) for (int n : sizes) for (int k : new int[] {1, 17, 65})
                    check(0, 0, 0, m, n, k, ta, tb, 1f, 0f);
    }

    @Test
    void fewRowsTakeTheDirectPaths() {
        // m ≤ 8: B read in place (both layouts of B, transposed A, alpha and beta); m < n with Bᵀ: the swap to Cᵀ.
        check(0, 0, 0, 1, 300, 70, false, true, 1f, 0f);
        check(0, 0, 0, 5, 300, 70, false, true, 0.5f, 1f); // four rows of A at a time, then a single row
        check(0, 0, 0, 3, 300, 70, true, false, 0.5f, 1f);
        check(0, 0, 0, 8, 257, 33, false, false, -1f, 0.25f);
        check(3, 3, 1, 2, 65, 17, false, true, 1f, 0f);
        check(0, 0, 0, 9, 300, 70, true, true, 2f, 0.5f);
        check(0, 0, 0, 40, 200, 530, false, true, 1f, 1f); // two K blocks into Cᵀ
    }

    @Test
    void alphaBetaAndZeroK() {
        check(0, 0, 0, 13, 70, 9, false, true, 0.5f, 1f);
        check(0, 0, 0, 13, 70, 9, true, false, -2f, 0.25f);
        check(0, 0, 0, 5, 7, 0, false, false, 1f, 0.5f);
    }

    @Test
    void blockingEdges() {
        // Around MC (144), KC (512), several NR panels, and a K split into two KC blocks with a ragged tail.
        check(0, 0, 0, 145, 129, 257, false, false, 1f, 0f);
        check(0, 0, 0, 289, 200, 300, true, true, 1f, 1f);
        check(0, 0, 0, 150, 64 * 5 + 3, 515, false, true, 1f, 0f);
    }

    @Test
    void batchesAndBroadcast() {
        check(4, 4, 4, 17, 33, 9, false, false, 1f, 0f);
        check(3, 1, 3, 17, 33, 9, true, false, 1f, 0f);
        check(3, 3, 1, 17, 33, 9, false, true, 1f, 0.5f);
        check(2, 2, 2, 150, 130, 70, true, true, 1f, 0f); // large enough to run each product in parallel
    }

    @Test
    void betaZeroIgnoresNaN() {
        Tensor a = rnd.uniform(1, 20, 30), b = rnd.uniform(1, 30, 70), c = Tensor.hostEmpty(DType.F32, Shape.of(20, 70));
        FAST.fill(c, Float.NaN);
        FAST.matmul(a, false, b, false, c, 1f, 0f);
        for (float v : c.toFloatArray()) if (!Float.isFinite(v)) throw new AssertionError("beta = 0 read the NaN in C");
    }

    @Test
    void microKernelMatchesScalarTwinBitForBit() {
        int kc = 37, ars = 41, aps = 1;
        float[] a = new float[MicroKernel.MR * ars + kc], b = new float[kc * MicroKernel.NR];
        for (int i = 0; i < a.length; i++) a[i] = (float) rnd.nextDouble() - 0.5f;
        for (int i = 0; i < b.length; i++) b[i] = (float) rnd.nextDouble() - 0.5f;
        float[] c1 = new float[MicroKernel.MR * 70], c2 = new float[c1.length];
        for (int i = 0; i < c1.length; i++) c1[i] = c2[i] = (float) rnd.nextDouble();
        MicroKernel.tile(kc, a, 0, ars, aps, b, 0, MicroKernel.NR, c1, 2, 70, true);
        MicroKernel.tileScalar(kc, a, 0, ars, aps, b, 0, MicroKernel.NR, c2, 2, 70, true);
        assertArrayEquals(c2, c1);
    }
}
