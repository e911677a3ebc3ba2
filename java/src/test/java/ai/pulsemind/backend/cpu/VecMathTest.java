package ai.pulsemind.backend.cpu;

import jdk.incubator.vector.FloatVector;
import org.junit.jupiter.api.Test;

import java.util.function.DoubleUnaryOperator;
import java.util.function.UnaryOperator;

import static ai.pulsemind.backend.cpu.MicroKernel.S;
import static ai.pulsemind.backend.cpu.MicroKernel.VL;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The vector exp and erf against double precision over their whole range, and their special values. */
class VecMathTest {
    /** Max error of f over a dense grid of [lo, hi], relative (rel) or absolute. */
    private static double maxError(UnaryOperator<FloatVector> f, DoubleUnaryOperator ref, double lo, double hi, boolean rel) {
        int n = 40_000; // a step of ~0.004 over the range
        float[] x = new float[n + VL], y = new float[n + VL];
        for (int i = 0; i < n; i++) x[i] = (float) (lo + (hi - lo) * i / (n - 1));
        for (int i = 0; i < n; i += VL) f.apply(FloatVector.fromArray(S, x, i)).intoArray(y, i);
        double worst = 0;
        for (int i = 0; i < n; i++) {
            double r = ref.applyAsDouble(x[i]), e = Math.abs(y[i] - r);
            worst = Math.max(worst, rel ? e / Math.abs(r) : e);
        }
        return worst;
    }

    private static float[] apply(UnaryOperator<FloatVector> f, float... xs) {
        float[] in = new float[VL], out = new float[VL];
        System.arraycopy(xs, 0, in, 0, xs.length);
        f.apply(FloatVector.fromArray(S, in, 0)).intoArray(out, 0);
        return out;
    }

    @Test
    void expIsWithinTwoUlpsOverItsRange() {
        double err = maxError(VecMath::exp, Math::exp, -86, 88, true);
        assertTrue(err <= 1.5e-7, "exp max relative error " + err);
    }

    @Test
    void expSpecialValues() {
        float[] y = apply(VecMath::exp, Float.NEGATIVE_INFINITY, -200f, 0f, 200f, Float.POSITIVE_INFINITY, Float.NaN);
        assertEquals(0f, y[0]);
        assertEquals(0f, y[1]);
        assertEquals(1f, y[2]);
        assertEquals(Float.POSITIVE_INFINITY, y[3]);
        assertEquals(Float.POSITIVE_INFINITY, y[4]);
        assertTrue(Float.isNaN(y[5]), "exp(NaN) = " + y[5]);
    }

    @Test
    void erfIsWithinItsDocumentedBound() {
        double err = maxError(VecMath::erf, ScalarMath::erf, -7, 7, false);
        assertTrue(err <= 5e-7, "erf max absolute error " + err);
        float[] y = apply(VecMath::erf, Float.NEGATIVE_INFINITY, 0f, Float.POSITIVE_INFINITY);
        assertEquals(-1f, y[0]);
        assertEquals(0f, y[1]);
        assertEquals(1f, y[2]);
    }
}
