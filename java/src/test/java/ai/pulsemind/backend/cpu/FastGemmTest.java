package ai.pulsemind.backend.cpu;

import ai.pulsemind.testing.Rand;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;

/**
 * The GEMM's Vector API micro-kernel against its scalar twin, bit for bit (the GEMM itself is held to the reference
 * by the conformance suite, {@code MatmulCases}).
 */
class FastGemmTest {
    private final Rand rnd = new Rand(11);

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
