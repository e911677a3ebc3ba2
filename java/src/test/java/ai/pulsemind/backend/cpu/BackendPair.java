package ai.pulsemind.backend.cpu;

import ai.pulsemind.tensor.DType;
import ai.pulsemind.tensor.Shape;
import ai.pulsemind.tensor.Tensor;

/** The fast backend under test and the reference it is held to, shared by the fast-kernel tests. */
final class BackendPair {
    /** Two threads: every parallel path runs with real concurrency, also on a one-core CI machine. */
    static final CpuBackend FAST = new CpuBackend(2);
    static final ReferenceBackend REF = new ReferenceBackend();

    private BackendPair() {}

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
