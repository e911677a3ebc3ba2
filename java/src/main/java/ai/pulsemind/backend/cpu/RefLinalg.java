package ai.pulsemind.backend.cpu;

import java.lang.foreign.MemorySegment;

import static ai.pulsemind.backend.cpu.Mem.f;

/** Reference GEMM: a triple loop with a double accumulator. Slow and obviously right. */
final class RefLinalg {
    private RefLinalg() {}

    /** dims = {B, M, N, K, Ba, Bb} as returned by OpChecks.matmul. */
    static void matmul(MemorySegment a, boolean ta, MemorySegment b, boolean tb, MemorySegment c,
                       float alpha, float beta, int[] dims) {
        int batch = dims[0], m = dims[1], n = dims[2], k = dims[3], ba = dims[4], bb = dims[5];
        long sa = (long) m * k, sb = (long) k * n, sc = (long) m * n;
        for (int p = 0; p < batch; p++) {
            long oa = (ba == 1 ? 0 : p) * sa, ob = (bb == 1 ? 0 : p) * sb, oc = p * sc;
            for (int i = 0; i < m; i++) {
                for (int j = 0; j < n; j++) {
                    double acc = 0;
                    for (int q = 0; q < k; q++) {
                        float x = f(a, oa + (ta ? (long) q * m + i : (long) i * k + q));
                        float y = f(b, ob + (tb ? (long) j * k + q : (long) q * n + j));
                        acc += (double) x * y;
                    }
                    long at = oc + (long) i * n + j;
                    // beta == 0 must ignore c entirely (it may hold garbage or NaN), as BLAS does
                    double prev = beta == 0 ? 0 : beta * (double) f(c, at);
                    f(c, at, (float) (alpha * acc + prev));
                }
            }
        }
    }
}
