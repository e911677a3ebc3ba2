package ai.pulsemind.backend.cpu;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;

import static ai.pulsemind.backend.cpu.MicroKernel.S;

/**
 * Vectorised f32 transcendental functions with documented accuracy, written out (rather than
 * {@code lanewise(EXP)}, which maps to a platform library) so every machine computes the same bits.
 * The tests hold them to {@link ScalarMath} in double.
 */
final class VecMath {
    private static final float LOG2E = 1.44269504088896341f;
    /** 1.5·2^23: adding it rounds a float of magnitude < 2^22 to an integer, which lands in the low mantissa bits. */
    private static final float ROUND = 12582912f;
    /** ln 2 split in two (Cody–Waite), so {@code x − n·ln2} is exact enough for |n| ≤ 128. */
    private static final float LN2_HI = 0.693359375f, LN2_LO = -2.12194440e-4f;
    /** Below this exp underflows to (sub)normals; we return 0 there, as the scale trick needs a normal 2^n. */
    private static final float EXP_LO = -86f;
    /** Above this exp(x) > 2^127 needs n = 128; we return +∞ there (exp(88) = 1.7e38 is still exact). */
    private static final float EXP_HI = 88f;
    private static final float INV_SQRT2 = 0.70710678118654752f;
    private static final float SQRT_2_OVER_PI = 0.79788456080286536f;
    private static final float INV_SQRT_2PI = 0.39894228040143268f;

    private VecMath() {}

    /**
     * e^x, relative error ≤ 1e-7 (Cephes expf: x = n·ln2 + r, |r| ≤ ln2/2, degree-6 polynomial for e^r, 2^n put
     * straight into the exponent bits). x < −86 gives 0, x > 88 gives +∞, NaN gives NaN.
     */
    static FloatVector exp(FloatVector x) {
        // NaN needs no blend (measured 15% of the cost): t is NaN, its shifted bits are 0, so y = p = NaN.
        return expNoOverflow(x).blend(Float.POSITIVE_INFINITY, x.compare(VectorOperators.GT, EXP_HI));
    }

    /**
     * {@link #exp} without its overflow blend, the same bits for x ≤ 88 or NaN: for arguments that cannot overflow
     * (softmax's x − row max ≤ 0), where the polynomial bounds the kernel and every vector op counts.
     */
    static FloatVector expNoOverflow(FloatVector x) {
        FloatVector t = x.fma(LOG2E, ROUND);                 // round(x·log2e) + ROUND, exactly
        FloatVector n = t.sub(ROUND);
        FloatVector r = n.fma(FloatVector.broadcast(S, -LN2_HI), x);
        r = n.fma(FloatVector.broadcast(S, -LN2_LO), r);
        FloatVector p = r.fma(1.9875691500e-4f, 1.3981999507e-3f);
        p = p.fma(r, FloatVector.broadcast(S, 8.3334519073e-3f));
        p = p.fma(r, FloatVector.broadcast(S, 4.1665795894e-2f));
        p = p.fma(r, FloatVector.broadcast(S, 1.6666665459e-1f));
        p = p.fma(r, FloatVector.broadcast(S, 5.0000001201e-1f));
        p = p.fma(r.mul(r), r).add(1f);
        // t's bits are ROUND's plus n; shifted left by 23, ROUND's bits leave the word and n << 23 remains.
        IntVector scale = t.reinterpretAsInts().lanewise(VectorOperators.LSHL, 23);
        FloatVector y = p.reinterpretAsInts().add(scale).reinterpretAsFloats();
        return y.blend(0f, x.lt(EXP_LO));
    }

    /** 1 / (1 + e^−x); exact limits 0 and 1 for large |x|. */
    static FloatVector sigmoid(FloatVector x) {
        return FloatVector.broadcast(S, 1f).div(exp(x.neg()).add(1f));
    }

    /**
     * σ(x) or, with {@code complement}, 1 − σ(x) = σ(−x), each to full relative precision: with a = e^−|x| ≤ 1,
     * the larger of the two is 1/(1+a) and the smaller a/(1+a), so neither is formed by a cancelling 1 − σ.
     */
    private static FloatVector sigmoidSide(FloatVector x, boolean complement) {
        FloatVector a = exp(x.abs().neg());
        FloatVector big = FloatVector.broadcast(S, 1f).div(a.add(1f)), small = a.mul(big);
        VectorMask<Float> pos = x.compare(VectorOperators.GE, 0f);
        return complement ? small.blend(big, pos.not()) : big.blend(small, pos.not());
    }

    /**
     * erf(x), absolute error ≤ 5e-7 (measured 4.2e-7 at x ≈ −3.32 against a double erf): the odd/even rational
     * approximation of degree 13/8 on [−4, 4] used by Eigen and XLA ({@code generic_fast_erf_float}); outside,
     * erf rounds to ±1 in f32.
     */
    static FloatVector erf(FloatVector x) {
        x = x.max(-4f).min(4f);
        FloatVector x2 = x.mul(x);
        FloatVector p = x2.fma(-2.72614225801306e-10f, 2.77068142495902e-08f);
        p = p.fma(x2, FloatVector.broadcast(S, -2.10102402082508e-06f));
        p = p.fma(x2, FloatVector.broadcast(S, -5.69250639462346e-05f));
        p = p.fma(x2, FloatVector.broadcast(S, -7.34990630326855e-04f));
        p = p.fma(x2, FloatVector.broadcast(S, -2.95459980854025e-03f));
        p = p.fma(x2, FloatVector.broadcast(S, -1.60960333262415e-02f));
        p = p.mul(x);
        FloatVector q = x2.fma(-1.45660718464996e-05f, -2.13374055278905e-04f);
        q = q.fma(x2, FloatVector.broadcast(S, -1.68282697438203e-03f));
        q = q.fma(x2, FloatVector.broadcast(S, -7.37332916720468e-03f));
        q = q.fma(x2, FloatVector.broadcast(S, -1.42647390514189e-02f));
        return p.div(q);
    }

    static FloatVector silu(FloatVector x) { return x.mul(sigmoid(x)); }

    /** d silu / dx = σ·(1 + x·σ(−x)). */
    static FloatVector siluGrad(FloatVector x) {
        return x.mul(sigmoidSide(x, true)).add(1f).mul(sigmoidSide(x, false));
    }

    /**
     * GELU. The tanh form uses 0.5·(1 + tanh u) = σ(2u) and 0.5·(1 − tanh² u) = 2·σ(2u)·σ(−2u), which keep full
     * relative precision where 1 + tanh u would cancel. The exact form's absolute error is 0.5·|x| times erf's
     * (≤ 1.2e-6, as erf saturates beyond |x| = 5.7).
     */
    static FloatVector gelu(FloatVector x, boolean tanhApprox) {
        if (tanhApprox) return x.mul(sigmoidSide(geluU(x).mul(2f), false));
        return erf(x.mul(INV_SQRT2)).add(1f).mul(x).mul(0.5f);
    }

    static FloatVector geluGrad(FloatVector x, boolean tanhApprox) {
        if (tanhApprox) {
            FloatVector u2 = geluU(x).mul(2f);
            FloatVector s = sigmoidSide(u2, false), sm = sigmoidSide(u2, true);
            FloatVector du = x.mul(x).fma(SQRT_2_OVER_PI * 3 * 0.044715f, SQRT_2_OVER_PI);
            return x.mul(2f).mul(s).mul(sm).fma(du, s);
        }
        FloatVector cdf = erf(x.mul(INV_SQRT2)).add(1f).mul(0.5f);
        FloatVector pdf = exp(x.mul(x).mul(-0.5f)).mul(INV_SQRT_2PI);
        return x.fma(pdf, cdf);
    }

    /** √(2/π)·(x + 0.044715·x³). */
    private static FloatVector geluU(FloatVector x) {
        return x.mul(x).fma(0.044715f, 1f).mul(x).mul(SQRT_2_OVER_PI);
    }
}
