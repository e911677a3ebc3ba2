package ai.pulsemind.backend.cpu;

import java.util.Map;

/**
 * The one table of tolerances for the fast CPU backend against {@link ReferenceBackend}: an element passes when
 * {@code |fast − ref| ≤ atol + rtol·|ref|}. The reference accumulates in double, the fast kernels in f32, so each
 * bound starts from f32 rounding (u = 6e-8) grown by the length of the sums at the test sizes (inputs of order 1),
 * and was then checked against the test matrix: "used" is the largest |fast − ref| / (atol + rtol·|ref|) seen
 * over all the tests of that entry (measured on Zen 5; the kernels are deterministic, so it is reproducible).
 */
final class Tolerances {
    private Tolerances() {}

    /** atol and rtol for one op (output). */
    record Tol(double atol, double rtol) {}

    static final Map<String, Tol> TABLE = Map.ofEntries(
            // f32 dot products of length K ≤ 600 of inputs in [-1, 1): error ~ √K·u·|partial sums| ≲ 3e-5.
            // Used 0.22 (max |diff| 2.5e-5 at K = 515).
            Map.entry("matmul", new Tol(5e-5, 1e-5)),
            // add, mul, scale, axpy, rope: the reference's own f32 operations in the same order; one rounding of
            // slack. Used 0 (bit-identical).
            Map.entry("elementwise", new Tol(1e-7, 2e-7)),
            // SiLU, SwiGLU, tanh-GELU and their gradients: exp (≤ 1.5e-7 relative) in a few f32 operations, at |x|
            // up to 100. Used 0.10.
            Map.entry("activation", new Tol(1e-6, 2e-6)),
            // Exact GELU: erf's absolute error (≤ 4.2e-7, a documented rational approximation) times 0.5·|x|,
            // |x| ≤ 5.7 before erf saturates: ≤ 1.2e-6 absolute. Used 0.46.
            Map.entry("gelu", new Tol(2e-6, 2e-6)),
            // Row reductions of length C ≤ 129 in f32 (sum of squares, mean, softmax sum), then a product; inputs
            // up to 1e4 (softmax) and 1e3 (RMSNorm), LayerNorm rows offset by 20. Used 0.16.
            Map.entry("norm", new Tol(2e-6, 1e-5)),
            // dw, db: sums over R ≤ 260 rows in f32, per fixed row block, then across blocks. Used 0.15.
            Map.entry("normParamGrad", new Tol(2e-5, 1e-5)),
            // Attention out, lse and decode: score dot products of length D ≤ 128, exp, online rescaling, a weighted
            // mean over ≤ 230 keys; scores up to ±500 in the stability test. Used 0.34.
            Map.entry("attention", new Tol(2e-5, 1e-5)),
            // dq, dk, dv chain three products (dP, dS, then dQ/dK/dV sums over ≤ 230 keys or queries); the worst
            // case is the ±500-score test, whose gradients reach ~10. Used 0.72.
            Map.entry("attentionGrad", new Tol(5e-5, 1e-4)),
            // logp and lse: logits are dot products of length C ≤ 65 (|h| ≤ 30 gives logits near ±100), then a
            // log-sum-exp over V ≤ 193. Used 0.18.
            Map.entry("logprob", new Tol(2e-5, 2e-6)),
            // dhidden, dweight at unit-scale inputs: sums over V and N of (onehot − p)·W/T. Used 0.09.
            Map.entry("logprobGrad", new Tol(1e-5, 2e-5)),
            // The same with logits of order ±100 (|h| = 30): an f32 logit carries ~|z|·√C·u ≈ 3e-5 absolute error,
            // which exp(z − lse) turns into that relative error of p, multiplied by |h| = 30 in dW and dh.
            // Used 0.33 (max |diff| 7.9e-4 on elements of order 10).
            Map.entry("logprobGradExtreme", new Tol(2e-4, 5e-4)),
            // AdamW in f32 against double: a square root, a division and one update of size lr. Used 0.10.
            Map.entry("adamw", new Tol(1e-7, 1e-6)));

    static Tol of(String op) {
        Tol t = TABLE.get(op);
        if (t == null) throw new IllegalArgumentException("no tolerance for '" + op + "' in the table");
        return t;
    }
}
