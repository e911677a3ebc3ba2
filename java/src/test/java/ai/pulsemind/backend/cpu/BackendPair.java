package ai.pulsemind.backend.cpu;

import ai.pulsemind.tensor.DType;
import ai.pulsemind.tensor.Shape;
import ai.pulsemind.tensor.Tensor;

/** The fast backend under test and the reference it is held to, shared by the fast-kernel tests. */
final class BackendPair {
    /** Two threads: every parallel path runs with real concurrency, also on a one-core CI machine. */
    static final CpuBackend FAST = new CpuBackend(2);
    static final ReferenceBackend REF = new ReferenceBackend();

    static {
        warmUp();
    }

    private BackendPair() {}

    /**
     * Gets the micro-kernel and exp compiled before the tests start. Interpreted, every Vector API operation
     * allocates, and the small test shapes would spend seconds there; a few thousand tiny calls (~0.2 s) make the
     * JIT compile them. Only speed changes: the compiled code computes the same values (no timing is asserted).
     */
    private static void warmUp() {
        float[] a = new float[MicroKernel.MR * 2], b = new float[2 * MicroKernel.NR], c = new float[MicroKernel.MR * MicroKernel.NR];
        for (int i = 0; i < 12_000; i++) {
            MicroKernel.tile(2, a, 0, 2, 1, b, 0, MicroKernel.NR, c, 0, MicroKernel.NR, (i & 1) == 0);
            VecMath.exp(jdk.incubator.vector.FloatVector.fromArray(MicroKernel.S, b, 0)).intoArray(c, 0);
        }
    }

    static Tensor f32(int... dims) { return Tensor.hostZeros(DType.F32, Shape.of(dims)); }

    static Tensor copy(Tensor t) {
        Tensor c = Tensor.hostEmpty(t.dtype(), t.shape());
        REF.copy(t, c);
        return c;
    }

    /** A tensor of the given values, scaled: extreme-value cases reuse random draws at large magnitudes. */
    static Tensor scaled(Tensor t, float s) {
        Tensor c = copy(t);
        REF.scale(t, s, c);
        return c;
    }
}
