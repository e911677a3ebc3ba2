package ai.pulsemind.backend.cpu;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorMask;
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

    /**
     * For {@link #of16} with 16 lanes, per level (step 8, 4, 2, 1): the lanes whose step bit is set, the others, and
     * the butterfly shuffle. Separate static finals, not arrays: C2 treats them as constants, which the vector
     * intrinsics need (an array element is loaded at run time, and the blends then run unintrinsified).
     */
    private static final VectorMask<Float> HI8 = stepBits(8, true), LO8 = stepBits(8, false), HI4 = stepBits(4, true),
            LO4 = stepBits(4, false), HI2 = stepBits(2, true), LO2 = stepBits(2, false), HI1 = stepBits(1, true),
            LO1 = stepBits(1, false);
    private static final VectorShuffle<Float> X8 = xor(8), X4 = xor(4), X2 = xor(2), X1 = xor(1);

    private static VectorMask<Float> stepBits(int step, boolean set) {
        boolean[] bits = new boolean[VL];
        for (int i = 0; i < VL; i++) bits[i] = ((i & step) != 0) == set;
        return VectorMask.fromArray(S, bits, 0);
    }

    private static VectorShuffle<Float> xor(int step) { return VectorShuffle.fromOp(S, i -> (i ^ step) % VL); }

    /**
     * One butterfly level of two vectors at once, for reducing 16 vectors to one (lane i: the sum of vector i).
     * The lanes of the result whose step bit ({@code hi}) is clear hold {@code a}'s level values, the others
     * {@code b}'s: {@code r[i] = x[i] + x[i ^ step]} with x = a or b. Feeding one level's results in pairs to the
     * next, 16 vectors become one whose lane i is vector i's {@link #of} sum, the same bits (every lane of a full
     * butterfly holds the same sum: each add has the same two operands, possibly swapped). Four ops per pair
     * instead of two per vector per level.
     */
    private static FloatVector merge(FloatVector a, FloatVector b, VectorMask<Float> hi, VectorMask<Float> lo,
                                     VectorShuffle<Float> x) {
        return a.blend(b, hi).add(a.blend(b, lo).rearrange(x));
    }

    /**
     * sums[j] = {@link #of}(vector j of {@code acc}) for j &lt; 16, the 16 vectors stored one after another (acc is
     * overwritten); with 16 lanes by {@link #merge} (15 merges instead of 16 full butterflies), else one by one.
     * One small loop per level: a method with more than about a dozen merges passes the node count up to which C2
     * inlines, and the merges left out run unintrinsified, allocating every vector.
     */
    static void of16(float[] acc, float[] sums) {
        if (VL != 16) {
            for (int j = 0; j < 16; j++) sums[j] = of(FloatVector.fromArray(S, acc, j * VL));
            return;
        }
        level8(acc);
        level4(acc);
        level2(acc);
        merge(FloatVector.fromArray(S, acc, 0), FloatVector.fromArray(S, acc, VL), HI1, LO1, X1).intoArray(sums, 0);
    }

    /** Vector j of acc (j &lt; 8) = merge(vector j, vector j + 8) at step 8; so on for 4 and 2 below. */
    private static void level8(float[] acc) {
        for (int j = 0; j < 8; j++)
            merge(FloatVector.fromArray(S, acc, j * VL), FloatVector.fromArray(S, acc, (j + 8) * VL), HI8, LO8, X8).intoArray(acc, j * VL);
    }

    private static void level4(float[] acc) {
        for (int j = 0; j < 4; j++)
            merge(FloatVector.fromArray(S, acc, j * VL), FloatVector.fromArray(S, acc, (j + 4) * VL), HI4, LO4, X4).intoArray(acc, j * VL);
    }

    private static void level2(float[] acc) {
        for (int j = 0; j < 2; j++)
            merge(FloatVector.fromArray(S, acc, j * VL), FloatVector.fromArray(S, acc, (j + 2) * VL), HI2, LO2, X2).intoArray(acc, j * VL);
    }

    /** Σ lanes of {@code v}, the same bits whether or not the JIT has compiled the caller. */
    static float of(FloatVector v) {
        for (VectorShuffle<Float> sh : XOR) v = v.add(v.rearrange(sh));
        return v.lane(0);
    }
}
