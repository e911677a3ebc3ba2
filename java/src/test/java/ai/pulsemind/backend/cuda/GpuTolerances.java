package ai.pulsemind.backend.cuda;

import ai.pulsemind.tensor.DType;

import java.util.Map;

/**
 * The one tolerance table for CUDA-vs-reference parity: {@code |gpu − ref| ≤ atol + rtol·|ref|} per op and dtype.
 *
 * <p>How it was set: BF16 runs feed both sides the same bf16-rounded inputs, so the gap is the bf16 rounding of
 * the output (half an ulp: 2^-9 ≈ 0.002 relative) plus float-vs-double accumulation; 1e-2 covers one or two ulps
 * with margin. Backward ops that combine several rounded terms (norm and softmax backward, where the rounding of
 * the forward's saved inputs enters twice) get 2e-2. F32 runs differ from the double-accumulating reference by
 * float rounding: 1e-5 for one-pass ops, more where long sums enter (matmul over K ≤ 1024, sums, column sums,
 * gradient reductions over rows: error grows like √n·2^-24·|terms|).
 */
final class GpuTolerances {
    /**
     * {@code rmsScaled}: atol is a multiple of the reference's root mean square (gradients, whose scale is set by
     * the data, not by one element).
     */
    record Tol(double atol, double rtol, boolean rmsScaled) {
        Tol(double atol, double rtol) { this(atol, rtol, false); }

        boolean ok(double got, double ref) { return Math.abs(got - ref) <= atol + rtol * Math.abs(ref); }

        /** This tolerance with atol resolved against a reference's root mean square. */
        Tol resolved(double rms) { return rmsScaled ? new Tol(atol * rms, rtol) : this; }
    }

    private static final Tol F32 = new Tol(1e-5, 1e-5);
    private static final Tol BF16 = new Tol(1e-2, 1e-2);

    private static final Map<String, Tol> F32_OPS = Map.ofEntries(
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
            // advantages divide reward differences by (std + eps): a reward's float rounding (~6e-8) can be amplified
            // by up to 1/eps = 1e4 in a group whose rewards are nearly equal
            Map.entry("crpoAdvantage.group", new Tol(1e-3, 1e-4)),
            Map.entry("crpoAdvantage.batch", new Tol(1e-3, 1e-4)),
            Map.entry("scatterAddRows", new Tol(0, 0)),       // same additions in the same order: bit for bit
            Map.entry("gatherRows", new Tol(0, 0)),
            Map.entry("patches", new Tol(0, 0)),
            Map.entry("convert", new Tol(0, 0)),
            Map.entry("copy", new Tol(0, 0)),
            Map.entry("fill", new Tol(0, 0)));

    private static final Map<String, Tol> BF16_OPS = Map.ofEntries(
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
            Map.entry("logprob.grad", new Tol(3e-2, 1e-2, true)),
            Map.entry("scatterAddRows", new Tol(0, 0)),
            Map.entry("gatherRows", new Tol(0, 0)),
            Map.entry("patches", new Tol(0, 0)),
            Map.entry("convert", new Tol(0, 0)),
            Map.entry("copy", new Tol(0, 0)),
            Map.entry("fill", new Tol(0, 0)));

    private GpuTolerances() {}

    static Tol of(String op, DType dtype) {
        return switch (dtype) {
            case BF16 -> BF16_OPS.getOrDefault(op, BF16);
            case F32 -> F32_OPS.getOrDefault(op, F32);
            default -> new Tol(0, 0); // integers: exact
        };
    }
}
