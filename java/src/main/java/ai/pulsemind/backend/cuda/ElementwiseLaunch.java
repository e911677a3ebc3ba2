package ai.pulsemind.backend.cuda;

import ai.pulsemind.tensor.DType;
import ai.pulsemind.tensor.Tensor;

import static ai.pulsemind.backend.cuda.LaunchContext.pack;
import static ai.pulsemind.backend.cuda.LaunchContext.ptr;

/**
 * The pack-wise kernels of {@code elementwise.cu} and {@code activations.cu}: broadcast add and mul, scale, axpy
 * (mixed dtypes), SiLU, GELU, SwiGLU and their backwards. Each thread takes 16-byte packs in a grid-stride loop
 * and falls back to single elements on a misaligned view or a ragged tail.
 */
final class ElementwiseLaunch {
    private final LaunchContext cx;

    ElementwiseLaunch(LaunchContext cx) { this.cx = cx; }

    /** add, mul: b broadcasts over a's rows (its shape a suffix of a's). */
    void binary(String op, Tensor a, Tensor b, Tensor out) {
        DType t = cx.checks().binary(op, a, b, out);
        long n = a.numel();
        if (n == 0) return;
        cx.launch1d(cx.kernel("pm_" + op + "_" + KernelNames.suffix(t)).ptr(ptr(a)).ptr(ptr(b)).ptr(ptr(out)).i64(n)
                .i64(b.numel()), n / pack(t) + 1);
    }

    void scale(Tensor x, float s, Tensor out) {
        DType t = cx.checks().unary("scale", x, out);
        long n = x.numel();
        if (n > 0) cx.launch1d(cx.kernel("pm_scale_" + KernelNames.suffix(t)).ptr(ptr(x)).f32(s).ptr(ptr(out)).i64(n), n / pack(t) + 1);
    }

    /** {@code y += alpha * x}; x and y may differ in dtype (F32 or BF16 each), e.g. a bf16 gradient into f32. */
    void axpy(float alpha, Tensor x, Tensor y) {
        cx.checks().axpy(x, y);
        long n = x.numel();
        if (n > 0) cx.launch1d(cx.kernel("pm_axpy_" + KernelNames.suffix(x.dtype()) + "_" + KernelNames.suffix(y.dtype()))
                .f32(alpha).ptr(ptr(x)).ptr(ptr(y)).i64(n), n / 4 + 1);
    }

    void silu(Tensor x, Tensor out) {
        DType t = cx.checks().unary("silu", x, out);
        run(x.numel(), t, cx.kernel("pm_silu_" + KernelNames.suffix(t)).ptr(ptr(x)).ptr(ptr(out)).i64(x.numel()));
    }

    void siluBackward(Tensor x, Tensor dout, Tensor dx) {
        DType t = cx.checks().unaryBackward("siluBackward", x, dout, dx);
        run(x.numel(), t, cx.kernel("pm_silu_bwd_" + KernelNames.suffix(t)).ptr(ptr(x)).ptr(ptr(dout)).ptr(ptr(dx)).i64(x.numel()));
    }

    void gelu(Tensor x, boolean tanhApprox, Tensor out) {
        DType t = cx.checks().unary("gelu", x, out);
        run(x.numel(), t, cx.kernel("pm_gelu_" + KernelNames.suffix(t)).ptr(ptr(x)).ptr(ptr(out)).i64(x.numel())
                .i32(tanhApprox ? 1 : 0));
    }

    void geluBackward(Tensor x, boolean tanhApprox, Tensor dout, Tensor dx) {
        DType t = cx.checks().unaryBackward("geluBackward", x, dout, dx);
        run(x.numel(), t, cx.kernel("pm_gelu_bwd_" + KernelNames.suffix(t)).ptr(ptr(x)).ptr(ptr(dout)).ptr(ptr(dx))
                .i64(x.numel()).i32(tanhApprox ? 1 : 0));
    }

    void swiglu(Tensor gate, Tensor up, Tensor out) {
        DType t = cx.checks().swiglu(gate, up, out);
        run(gate.numel(), t, cx.kernel("pm_swiglu_" + KernelNames.suffix(t)).ptr(ptr(gate)).ptr(ptr(up)).ptr(ptr(out))
                .i64(gate.numel()));
    }

    void swigluBackward(Tensor gate, Tensor up, Tensor dout, Tensor dgate, Tensor dup) {
        DType t = cx.checks().swigluBackward(gate, up, dout, dgate, dup);
        run(gate.numel(), t, cx.kernel("pm_swiglu_bwd_" + KernelNames.suffix(t)).ptr(ptr(gate)).ptr(ptr(up)).ptr(ptr(dout))
                .ptr(ptr(dgate)).ptr(ptr(dup)).i64(gate.numel()));
    }

    /** Launches a prepared pack-wise kernel over n elements of dtype t. */
    private void run(long n, DType t, KernelCall c) {
        if (n > 0) cx.launch1d(c, n / pack(t) + 1);
    }
}
