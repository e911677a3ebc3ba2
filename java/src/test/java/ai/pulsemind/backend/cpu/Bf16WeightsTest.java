package ai.pulsemind.backend.cpu;

import ai.pulsemind.tensor.DType;
import ai.pulsemind.tensor.Shape;
import ai.pulsemind.tensor.Tensor;
import ai.pulsemind.testing.Rand;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

/**
 * A BF16 matmul operand (a weight kept as stored) gives exactly what its widened F32 copy gives: the direct
 * decoding path (few rows of A, B read as BF16 lane by lane), the widen-first path (more rows, batched, BF16 A),
 * on the fast and the reference backends, both layouts of B, ragged K and N (masked tails).
 */
class Bf16WeightsTest {
    private final Rand rnd = new Rand(5);

    private static Tensor bf16(Tensor f32) {
        Tensor t = Tensor.hostEmpty(DType.BF16, f32.shape());
        RefMemory.convert(f32, t);
        return t;
    }

    private static Tensor widened(Tensor bf16) {
        Tensor t = Tensor.hostEmpty(DType.F32, bf16.shape());
        RefMemory.convert(bf16, t);
        return t;
    }

    private void same(ReferenceBackend be, int batch, int m, int n, int k, boolean ta, boolean tb, boolean aBf16) {
        Tensor a0 = batch == 1 ? rnd.uniform(1, ta ? k : m, ta ? m : k) : rnd.uniform(1, batch, ta ? k : m, ta ? m : k);
        Tensor a = aBf16 ? bf16(a0) : a0, aWide = aBf16 ? widened(a) : a0;
        Tensor b = bf16(rnd.uniform(1, tb ? n : k, tb ? k : n)), bWide = widened(b);
        Shape cs = batch == 1 ? Shape.of(m, n) : Shape.of(batch, m, n);
        Tensor c = rnd.uniform(1, cs.toArray()), cWide = Tensor.hostEmpty(DType.F32, cs);
        be.copy(c, cWide);
        be.matmul(a, ta, b, tb, c, 0.5f, 0.25f);
        be.matmul(aWide, ta, bWide, tb, cWide, 0.5f, 0.25f);
        assertArrayEquals(cWide.toFloatArray(), c.toFloatArray(),
                be.name() + " batch " + batch + " " + m + "x" + n + "x" + k + " ta " + ta + " tb " + tb + " bf16 A " + aBf16);
    }

    private void everyPath(ReferenceBackend be) {
        for (int m : new int[] {1, 3, 8, 9, 16, 40, 48, 49})
            for (boolean tb : new boolean[] {true, false}) {
                same(be, 1, m, 37, 50, false, tb, false);    // ragged: masked tails in K and N
                same(be, 1, m, 300, 896, false, tb, false);  // several column pieces, full vectors
                same(be, 1, m, 33, 20, true, tb, false);     // A read transposed
            }
        same(be, 3, 2, 40, 24, false, true, false);          // batched products widen first
        same(be, 1, 4, 40, 24, false, false, true);          // a BF16 A operand too
    }

    @Test
    void fastBackendGivesTheWidenedResultBitForBit() {
        try (CpuBackend be = new CpuBackend(2)) {
            everyPath(be);
            same(be, 1, 2, 3000, 4864, false, true, false);  // decoding-sized: the direct path across the pool
        }
    }

    @Test
    void referenceBackendGivesTheWidenedResultBitForBit() {
        try (ReferenceBackend be = new ReferenceBackend()) { everyPath(be); }
    }

    @Test
    void theOutputMustBeF32() {
        try (CpuBackend be = new CpuBackend(1)) {
            Tensor a = rnd.uniform(1, 2, 8), b = bf16(rnd.uniform(1, 4, 8)), c = Tensor.hostEmpty(DType.BF16, Shape.of(2, 4));
            assertThrows(IllegalArgumentException.class, () -> be.matmul(a, false, b, true, c, 1f, 0f));
        }
    }
}
