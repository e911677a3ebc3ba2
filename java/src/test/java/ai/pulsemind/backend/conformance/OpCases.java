package ai.pulsemind.backend.conformance;

import ai.pulsemind.tensor.DType;
import ai.pulsemind.tensor.Shape;
import ai.pulsemind.tensor.Tensor;

import java.util.List;
import java.util.function.Consumer;

/**
 * One op family's conformance cases, written once and run on every target ({@link Conformance}). Each case names
 * the ops it covers and runs them on a {@link Target} against the reference, over the shapes, dtypes and extremes
 * that take every path of every backend's kernels (vector tails, parallel splits, tiles, shared-memory limits).
 * A new op adds a case to its family here (and its family to {@link Conformance#FAMILIES} if it is a new one).
 */
abstract class OpCases {
    /** A named group of checks: what the test report shows. */
    record Case(String name, Consumer<Target> run) {}

    /** The family's name in reports (the class name without "Cases"). */
    String family() { return getClass().getSimpleName().replace("Cases", ""); }

    abstract List<Case> cases();

    // ------------------------------------------------------------------ helpers the families share

    static Tensor hostF32(int... dims) { return Tensor.hostZeros(DType.F32, Shape.of(dims)); }

    /** A host copy of {@code t} in F32. */
    static Tensor copy(Tensor t) {
        Tensor c = Tensor.hostEmpty(DType.F32, t.shape());
        Target.REF.convert(t, c);
        return c;
    }

    /** Rounds a host F32 tensor's values to what {@code dtype} holds, in place (an output the target stores in bf16). */
    static void roundTo(DType dtype, Tensor t) {
        for (long i = 0; i < t.numel(); i++) t.setFloat(i, Target.round(dtype, t.getFloat(i)));
    }

    static Tensor ints(int[] v, int... dims) { return Tensor.ofInts(v, dims); }
}
