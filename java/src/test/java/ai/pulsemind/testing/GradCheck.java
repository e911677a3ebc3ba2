package ai.pulsemind.testing;

import ai.pulsemind.autograd.Ops;

import ai.pulsemind.tensor.GradMode;
import ai.pulsemind.tensor.Tensor;


import java.util.function.Supplier;

import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * Finite-difference gradient checks in F32 on the reference backend (which accumulates in double).
 *
 * <p>The checked scalar is {@code L = Σ r ⊙ y} with fixed random {@code r}, evaluated in double from y's
 * values, so every element of y's gradient is exercised. Central differences with step {@code EPS}:
 * truncation error ~ EPS²·f''' ≈ 1e-5 and rounding ~ ulp(y)·√n / EPS ≈ 1e-4 for the sizes used here, so
 * {@code |analytic − numeric| ≤ ATOL + RTOL·|numeric|} with ATOL = 2e-3, RTOL = 2e-2 separates a right backward
 * from a wrong one (a wrong term is off by O(1)).
 */
public final class GradCheck {
    public static final double EPS = 5e-3, ATOL = 2e-3, RTOL = 2e-2;
    /** Elements per input checked by finite differences (all when smaller). */
    static final int MAX_ELEMENTS = 24;

    private GradCheck() {}

    /**
     * Checks d(Σ r⊙f())/d(input) for every input that requires grad.
     *
     * @param f builds the output from the inputs with {@link Ops}; called once with grad on, many times with grad off
     */
    public static void check(String name, Ops ops, Supplier<Tensor> f, Tensor... inputs) {
        for (Tensor in : inputs) {
            in.zeroGrad(); // inputs are shared between checks: start every check from no gradient
            in.requiresGrad(true);
        }
        Tensor y = f.get();
        Rand rnd = new Rand(name.hashCode());
        Tensor r = rnd.uniform(1f, y.shape().toArray());
        Tensor loss = ops.sum(ops.mul(y, r));
        ops.backward(loss);
        float[] rv = r.toFloatArray();
        for (int k = 0; k < inputs.length; k++) {
            Tensor in = inputs[k];
            assertNotNull(in.grad(), name + ": input " + k + " got no gradient");
            float[] analytic = in.grad().toFloatArray();
            int n = analytic.length;
            int stride = Math.max(1, n / MAX_ELEMENTS);
            for (int i = rnd.nextInt(stride); i < n; i += stride) {
                float orig = in.getFloat(i);
                in.setFloat(i, (float) (orig + EPS));
                double lp = eval(f, rv);
                in.setFloat(i, (float) (orig - EPS));
                double lm = eval(f, rv);
                in.setFloat(i, orig);
                double numeric = (lp - lm) / (2 * EPS);
                if (Math.abs(analytic[i] - numeric) > ATOL + RTOL * Math.abs(numeric))
                    fail(String.format("%s: d/d(input %d)[%d] analytic %.6g vs numeric %.6g", name, k, i, analytic[i], numeric));
            }
        }
    }

    private static double eval(Supplier<Tensor> f, float[] r) {
        try (var g = GradMode.disabled()) {
            Tensor y = f.get();
            float[] v = y.toFloatArray();
            double s = 0;
            for (int i = 0; i < v.length; i++) s += (double) r[i] * v[i];
            y.close();
            return s;
        }
    }
}
