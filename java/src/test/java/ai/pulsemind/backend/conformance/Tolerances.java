package ai.pulsemind.backend.conformance;

import ai.pulsemind.tensor.DType;

import java.util.Map;

/**
 * The tolerance tables of the conformance suite, one per kind of backend held to the CPU reference: an element
 * passes when {@code |x − ref| ≤ atol + rtol·|ref|}. Checks are keyed by op (and output, {@code "rmsnormBackward.dw"});
 * a key a table lacks falls back to the key before its last dot, then to the table's default.
 */
public final class Tolerances {
    private Tolerances() {}

    /**
     * {@code rmsScaled}: atol is a multiple of the reference's root mean square (gradients, whose scale is set by
     * the data, not by one element).
     */
    public record Tol(double atol, double rtol, boolean rmsScaled) {
        Tol(double atol, double rtol) { this(atol, rtol, false); }

        boolean ok(double got, double ref) { return Math.abs(got - ref) <= atol + rtol * Math.abs(ref); }

        /** This tolerance with atol resolved against a reference's root mean square. */
        Tol resolved(double rms) { return rmsScaled ? new Tol(atol * rms, rtol) : this; }
    }

    static final Tol EXACT = new Tol(0, 0);

    private static Tol lookup(Map<String, Tol> table, String key, Tol fallback) {
        for (String k = key; ; k = k.substring(0, k.lastIndexOf('.'))) {
            Tol t = table.get(k);
            if (t != null) return t;
            if (k.indexOf('.') < 0) return fallback;
        }
    }

    // ------------------------------------------------------------------ the fast CPU backend

    /*
     * The fast CPU backend against the reference. The reference accumulates in double, the fast kernels in f32, so
     * each bound starts from f32 rounding (u = 6e-8) grown by the length of the sums at the case sizes (inputs of
     * order 1), and was then checked against the cases: "used" is the largest |fast − ref| / (atol + rtol·|ref|)
     * seen over all the cases of that entry (ConformanceTest prints them with the case; measured on an AMD EPYC
     * with AVX2, two threads; the kernels are deterministic for a vector width and thread count, so it is
     * reproducible there). An op the table does not list runs the reference's own kernel on the fast backend: exact.
     */

    // f32 dot products of length K ≤ 1024 of inputs in [-1, 1): error ~ √K·u·|partial sums| ≲ 3e-5. Used 0.45
    // (257x129x1024).
    private static final Tol MATMUL = new Tol(5e-5, 1e-5);
    // add, mul, scale, axpy, rope: the reference's own f32 operations in the same order; one rounding of slack.
    // Used 0 (bit-identical).
    private static final Tol ELEMENTWISE = new Tol(1e-7, 2e-7);
    // SiLU, SwiGLU, tanh-GELU and their gradients: exp (≤ 1.5e-7 relative) in a few f32 operations, at |x| up to
    // 100. Used 0.11.
    private static final Tol ACTIVATION = new Tol(1e-6, 2e-6);
    // Exact GELU: erf's absolute error (≤ 4.2e-7, a documented rational approximation) times 0.5·|x|, |x| ≤ 5.7
    // before erf saturates: ≤ 1.2e-6 absolute. Used 0.53.
    private static final Tol GELU = new Tol(2e-6, 2e-6);
    // Row reductions of length C ≤ 12000 in f32 (sum of squares, mean, softmax sum), then a product; inputs up to 1e4
    // (softmax) and 1e3 (RMSNorm), LayerNorm rows offset by 20. Used 0.21 (LayerNorm 2x12000).
    private static final Tol NORM = new Tol(2e-6, 1e-5);
    // dw, db: sums over R ≤ 300 rows in f32, per fixed row block, then across blocks. Used 0.24.
    private static final Tol NORM_PARAM_GRAD = new Tol(2e-5, 1e-5);
    // Attention out, lse and decode: score dot products of length D ≤ 128, exp, online rescaling, a weighted mean
    // over ≤ 333 keys. Used under 0.08.
    private static final Tol ATTENTION = new Tol(2e-5, 1e-5);
    // The same with widened q and k (scores of order ±50 to ±500): an f32 score carries up to 500·2^-24 ≈ 3e-5
    // absolute error, which exp turns into that relative error of its weight, so outputs of values within ±1.7 move
    // by up to 5e-5.
    private static final Tol ATTENTION_EXTREME = new Tol(6e-5, 1e-5); // used 0.32
    // dq, dk, dv chain three products (dP, dS, then dQ/dK/dV sums over the keys or queries). Used under 0.08.
    private static final Tol ATTENTION_GRAD = new Tol(5e-5, 1e-4);
    // The large-score cases: the weights' 3e-5 relative error times |q|, |k| up to 10 in dQ and dK, gradients up to ~30. Used 0.15.
    private static final Tol ATTENTION_GRAD_EXTREME = new Tol(5e-4, 1e-4);
    // logp and lse: logits are dot products of length C ≤ 128 (|h| ≤ 30 gives logits near ±100), then a
    // log-sum-exp over V ≤ 5000. Used 0.20.
    private static final Tol LOGPROB = new Tol(2e-5, 2e-6);
    // dhidden, dweight at inputs of order 1: sums over V ≤ 5000 and N ≤ 385 of (onehot − p)·W/T with T ≥ 0.7.
    // Used 0.50 (N 257, V 1000, T 0.7: dweight).
    private static final Tol LOGPROB_GRAD = new Tol(2e-5, 2e-5);
    // The same with logits of order ±100 (|h| = 30): an f32 logit carries ~|z|·√C·u ≈ 3e-5 absolute error, which
    // exp(z − lse) turns into that relative error of p, multiplied by |h| = 30 in dW and dh. Used 0.75 (dweight).
    private static final Tol LOGPROB_GRAD_EXTREME = new Tol(2e-4, 5e-4);
    // AdamW in f32 against double: a square root, a division and one update of size lr. Used 0.11.
    private static final Tol ADAMW = new Tol(1e-7, 1e-6);

    private static final Map<String, Tol> CPU = Map.ofEntries(
            Map.entry("matmul", MATMUL),
            Map.entry("add", ELEMENTWISE), Map.entry("mul", ELEMENTWISE), Map.entry("scale", ELEMENTWISE),
            Map.entry("axpy", ELEMENTWISE), Map.entry("rope", ELEMENTWISE), Map.entry("ropeBackward", ELEMENTWISE),
            Map.entry("silu", ACTIVATION), Map.entry("siluBackward", ACTIVATION), Map.entry("swiglu", ACTIVATION),
            Map.entry("swigluBackward", ACTIVATION), Map.entry("gelu.tanh", ACTIVATION), Map.entry("geluBackward.tanh", ACTIVATION),
            Map.entry("gelu", GELU), Map.entry("geluBackward", GELU),
            Map.entry("rmsnorm", NORM), Map.entry("rmsnormBackward", NORM), Map.entry("layernorm", NORM),
            Map.entry("layernormBackward", NORM), Map.entry("softmax", NORM), Map.entry("softmaxBackward", NORM),
            Map.entry("rmsnormBackward.dw", NORM_PARAM_GRAD), Map.entry("layernormBackward.dw", NORM_PARAM_GRAD),
            Map.entry("layernormBackward.db", NORM_PARAM_GRAD),
            Map.entry("attention", ATTENTION), Map.entry("attentionDecode", ATTENTION), Map.entry("attention.grad", ATTENTION_GRAD),
            Map.entry("attention.extreme", ATTENTION_EXTREME), Map.entry("attention.gradExtreme", ATTENTION_GRAD_EXTREME),
            Map.entry("logprob", LOGPROB), Map.entry("logprob.grad", LOGPROB_GRAD), Map.entry("logprob.gradExtreme", LOGPROB_GRAD_EXTREME),
            Map.entry("adamw", ADAMW));

    /** The fast CPU backend (F32 only). */
    public static Tol cpu(String key) { return lookup(CPU, key, EXACT); }

    // ------------------------------------------------------------------ the CUDA backend

    /*
     * CUDA against the reference. BF16 runs feed both sides the same bf16-rounded inputs, so the gap is the bf16
     * rounding of the output (half an ulp: 2^-9 ≈ 0.002 relative) plus float-vs-double accumulation; 1e-2 covers one
     * or two ulps with margin. Backward ops that combine several rounded terms (norm and softmax backward, where the
     * rounding of the forward's saved inputs enters twice) get 2e-2. F32 runs differ from the double-accumulating
     * reference by float rounding: 1e-5 for one-pass ops, more where long sums enter (matmul over K ≤ 1024, sums,
     * column sums, gradient reductions over rows: error grows like √n·2^-24·|terms|).
     */

    private static final Tol CUDA_F32 = new Tol(1e-5, 1e-5);
    private static final Tol CUDA_BF16 = new Tol(1e-2, 1e-2);

    private static final Map<String, Tol> CUDA_F32_OPS = Map.ofEntries(
            Map.entry("matmul", new Tol(1e-4, 1e-4)),
            Map.entry("sum", new Tol(1e-3, 1e-5)),
            Map.entry("sumRows", new Tol(1e-4, 1e-5)),
            Map.entry("rmsnormBackward.dw", new Tol(1e-4, 1e-4)),
            Map.entry("layernormBackward.dw", new Tol(1e-4, 1e-4)),
            Map.entry("layernormBackward.db", new Tol(1e-4, 1e-4)),
            Map.entry("rmsnormBackward.dx", new Tol(1e-5, 1e-4)),
            Map.entry("layernormBackward.dx", new Tol(1e-5, 1e-4)),
            Map.entry("softmaxBackward", new Tol(1e-6, 1e-4)),
            // attention statistics: f32 from exact bf16 products, f32 sums, the SFU's exp2 (tools/gpu-dev harness.TOL)
            Map.entry("attention.lse", new Tol(2e-4, 1e-5)),
            // fused log-prob: f32 chunk logits from bf16 operands (exact products, f32 sums over C) against double
            Map.entry("logprob", new Tol(2e-3, 1e-4)),
            // dhidden accumulated in f32 over chunks of bf16-rounded dZ; dZ's target term g(1 − p)/T dominates, and its
            // rounding lands on outputs that are small after cancellation: so atol is relative to the gradient's rms
            Map.entry("logprob.grad", new Tol(3e-2, 1e-2, true)),
            Map.entry("logprob.gradExtreme", new Tol(3e-2, 1e-2, true)),
            Map.entry("scatterAddRows", EXACT),       // same additions in the same order: bit for bit
            Map.entry("gatherRows", EXACT),
            Map.entry("patches", EXACT),
            Map.entry("convert", EXACT),
            Map.entry("copy", EXACT),
            Map.entry("fill", EXACT));

    private static final Map<String, Tol> CUDA_BF16_OPS = Map.ofEntries(
            Map.entry("sum", new Tol(1e-3, 1e-4)),                // f32 output over the same bf16 inputs
            Map.entry("sumRows", new Tol(1e-4, 1e-4)),
            Map.entry("rmsnormBackward.dw", new Tol(2e-3, 1e-3)), // f32 accumulators over bf16 inputs
            Map.entry("layernormBackward.dw", new Tol(2e-3, 1e-3)),
            Map.entry("layernormBackward.db", new Tol(2e-3, 1e-3)),
            Map.entry("rmsnormBackward.dx", new Tol(2e-2, 2e-2)),
            Map.entry("layernormBackward.dx", new Tol(2e-2, 2e-2)),
            Map.entry("softmaxBackward", new Tol(2e-3, 2e-2)),
            Map.entry("matmul", new Tol(2e-2, 1e-2)),
            Map.entry("matmul.f32out", new Tol(1e-3, 1e-4)),     // bf16 products are exact in f32; only the sum order differs
            // flash attention: bf16 output (2^-9 relative) of an f32 average; P rounded to bf16 for P·V in v2/v3
            Map.entry("attention", new Tol(1e-2, 1e-2)),
            Map.entry("attentionDecode", new Tol(1e-2, 1e-2)),
            // bf16 gradients of sums of bf16-rounded P and dS over up to thousands of rows (scale set by the data)
            Map.entry("attention.grad", new Tol(2e-2, 2e-2, true)),
            Map.entry("attention.gradExtreme", new Tol(2e-2, 2e-2, true)),
            Map.entry("logprob.grad", new Tol(3e-2, 1e-2, true)),
            Map.entry("logprob.gradExtreme", new Tol(3e-2, 1e-2, true)),
            Map.entry("scatterAddRows", EXACT),
            Map.entry("gatherRows", EXACT),
            Map.entry("patches", EXACT),
            Map.entry("convert", EXACT),
            Map.entry("copy", EXACT),
            Map.entry("fill", EXACT));

    /** The CUDA backend, and its CPU twin, in the output's dtype (integers are exact). */
    public static Tol cuda(String key, DType dtype) {
        return switch (dtype) {
            case BF16 -> lookup(CUDA_BF16_OPS, key, CUDA_BF16);
            case F32 -> lookup(CUDA_F32_OPS, key, CUDA_F32);
            default -> EXACT;
        };
    }
}
