package ai.pulsemind.backend.cpu;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorShuffle;

import static ai.pulsemind.backend.cpu.MicroKernel.S;
import static ai.pulsemind.backend.cpu.MicroKernel.VL;

/**
 * The sum of a vector's lanes in one fixed order: a butterfly (lane i plus lane i^step, step = VL/2 … 1).
 * {@code reduceLanes(ADD)} may add in one order when the JIT intrinsifies it and in another in the interpreter or
 * C1, so the same kernel gave last-ulp different results before and after warm-up; lane-wise adds are exact IEEE
 * operations in every mode, so this sum is the same bit for bit in all of them.
 */
final class LaneSum {
    private LaneSum() {}

    private static final VectorShuffle<Float>[] XOR = butterflies();

    @SuppressWarnings("unchecked")
    private static VectorShuffle<Float>[] butterflies() {
        int levels = Integer.numberOfTrailingZeros(VL);
        VectorShuffle<Float>[] s = new VectorShuffle[levels];
        for (int l = 0; l < levels; l++) {
            int step = VL >> (l + 1);
            s[l] = VectorShuffle.fromOp(S, i -> i ^ step);
        }
        return s;
    }

    /** Σ lanes of {@code v}, the same bits whether or not the JIT has compiled the caller. */
    static float of(FloatVector v) {
        for (VectorShuffle<Float> sh : XOR) v = v.add(v.rearrange(sh));
        return v.lane(0);
    }
}
