package ai.pulsemind.backend.cpu;

import java.util.Map;

/**
 * The one table of tolerances for the fast CPU backend against {@link ReferenceBackend}: an element passes when
 * {@code |fast − ref| ≤ atol + rtol·|ref|}. The reference accumulates in double; the fast kernels in f32, so
 * the bounds follow from f32 rounding (unit roundoff u = 6e-8) grown by the length of the sums involved at the
 * test sizes (≤ ~1000 terms, inputs of order 1), then checked against the errors measured on the test matrix
 * with a margin of about 10×. How each was set is said per entry.
 */
final class Tolerances {
    private Tolerances() {}

    /** atol and rtol for one op (output). */
    record Tol(double atol, double rtol) {}

    static final Map<String, Tol> TABLE = Map.ofEntries(
            // Dot products of length K ≤ 300 with inputs in [-1, 1): f32 error ~ sqrt(K)·u·Σ|a·b| ≲ 1e-5 absolute;
            // measured ≤ 3e-6. Larger K (the blocking-edge cases, K = 700) stay within the same bound.
            Map.entry("matmul", new Tol(5e-5, 1e-5)),
            // Elementwise arithmetic: one or two f32 roundings against double.
            Map.entry("elementwise", new Tol(1e-7, 2e-7)),
            // exp/sigmoid (≤ 2 ulp) composed with a few f32 operations; measured ≤ 4e-7 relative.
            Map.entry("activation", new Tol(1e-6, 2e-6)),
            // Exact GELU: erf's absolute error (≤ 4.2e-7, a documented rational approximation) times 0.5·|x|,
            // with |x| ≤ 5.7 before erf saturates: ≤ 1.2e-6 absolute.
            Map.entry("gelu", new Tol(2e-6, 2e-6)),
            // Row reductions of length C ≤ 300 in f32 (sum of squares, mean, softmax denominator), then a
            // product; measured ≤ 1e-6 relative.
            Map.entry("norm", new Tol(2e-6, 1e-5)),
            // Parameter gradients of norms sum over R ≤ 200 rows, in f32 per fixed chunk then across chunks.
            Map.entry("normParamGrad", new Tol(2e-5, 1e-5)),
            // Attention outputs and lse: scores are dot products of length D ≤ 80 (~1e-6), exp error ≤ 2 ulp,
            // then a weighted average over ≤ 200 keys; measured ≤ 1e-6.
            Map.entry("attention", new Tol(2e-5, 1e-5)),
            // Attention gradients chain three products (dP, dS, dQ/dK); measured ≤ 5e-6 at unit-scale inputs.
            Map.entry("attentionGrad", new Tol(5e-5, 1e-4)),
            // Log-probs: logits are dot products of length C ≤ 96 (~1e-6 each), lse over V ≤ 300 of them.
            Map.entry("logprob", new Tol(2e-5, 1e-5)),
            // dhidden, dweight: sums over V and N of (onehot − p)·W; measured ≤ 2e-6.
            Map.entry("logprobGrad", new Tol(3e-5, 1e-4)),
            // The same with logits of order ±100 (|h| = 30): an f32 logit carries ~|z|·√C·u ≈ 3e-5 absolute error,
            // which exp(z − lse) turns into that relative error of p, then multiplied by |h| = 30 in dW and dh;
            // measured 8e-4 on dW elements of order 0.4.
            Map.entry("logprobGradExtreme", new Tol(2e-3, 2e-3)),
            // AdamW in f32 vs double: sqrt and a division, then one update of size lr; measured ≤ 1e-7.
            Map.entry("adamw", new Tol(1e-6, 1e-6)));

    static Tol of(String op) {
        Tol t = TABLE.get(op);
        if (t == null) throw new IllegalArgumentException("no tolerance for '" + op + "' in the table");
        return t;
    }
}
