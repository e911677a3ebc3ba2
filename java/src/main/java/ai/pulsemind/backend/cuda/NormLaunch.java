package ai.pulsemind.backend.cuda;

import ai.pulsemind.tensor.DType;
import ai.pulsemind.tensor.Tensor;

import static ai.pulsemind.backend.cuda.LaunchContext.aligned;
import static ai.pulsemind.backend.cuda.LaunchContext.pack;
import static ai.pulsemind.backend.cuda.LaunchContext.ptr;
import static ai.pulsemind.backend.cuda.LaunchContext.rowBlock;

/**
 * RMSNorm, LayerNorm and softmax of {@code norm.cu}, forward and backward: one block per row, 16-byte packs when
 * the width and the addresses allow. The backwards write per-chunk partials of the parameter gradients (a fixed
 * number of row chunks, accumulated in shared memory) and reduce them in chunk order, so dw and db repeat bit for
 * bit.
 */
final class NormLaunch {
    private static final int NORM_CHUNKS = 256;

    private final LaunchContext cx;
    private final ReduceLaunch reduce;

    NormLaunch(LaunchContext cx, ReduceLaunch reduce) {
        this.cx = cx;
        this.reduce = reduce;
    }

    /** 1 when the row width is a whole number of packs and every tensor is 16-byte aligned. */
    private static int vec(Tensor x, Tensor... others) {
        return x.shape().last() % pack(x.dtype()) == 0 && aligned(x) && aligned(others) ? 1 : 0;
    }

    private static int block(Tensor x, int vec) { return rowBlock(x.shape().last(), vec == 1 ? pack(x.dtype()) : 1); }

    void rmsnorm(Tensor x, Tensor w, float eps, Tensor out, Tensor rstd) {
        DType t = cx.checks().rmsnorm(x, w, out, rstd);
        int cols = x.shape().last(), vec = vec(x, w, out);
        long rows = x.shape().rows();
        if (rows == 0 || cols == 0) return;
        cx.kernel("pm_rmsnorm_" + KernelNames.suffix(t)).ptr(ptr(x)).ptr(ptr(w)).f32(eps).ptr(ptr(out)).ptr(ptr(rstd))
                .i32(cols).i32(vec).launch(rows, 1, block(x, vec), 0, cx.stream());
    }

    void rmsnormBackward(Tensor x, Tensor w, Tensor rstd, Tensor dout, Tensor dx, Tensor dw) {
        DType t = cx.checks().rmsnormBackward(x, w, rstd, dout, dx, dw);
        int cols = x.shape().last(), vec = vec(x, w, dout, dx);
        long rows = x.shape().rows();
        if (rows == 0 || cols == 0) return;
        int chunks = (int) Math.min(rows, NORM_CHUNKS), smem = cx.sharedFor("rmsnormBackward", cols, 1);
        try (Tensor partials = cx.scratch((long) chunks * cols)) {
            cx.kernel("pm_rmsnorm_bwd_" + KernelNames.suffix(t)).ptr(ptr(x)).ptr(ptr(w)).ptr(ptr(rstd)).ptr(ptr(dout))
                    .ptr(ptr(dx)).ptr(ptr(partials)).i64(rows).i32(cols).i32(vec)
                    .launch(chunks, 1, block(x, vec), smem, cx.stream());
            if (dw != null) reduce.reduceChunks(partials, chunks, cols, dw, true);
        }
    }

    void layernorm(Tensor x, Tensor w, Tensor b, float eps, Tensor out, Tensor mean, Tensor rstd) {
        DType t = cx.checks().layernorm(x, w, b, out, mean, rstd);
        int cols = x.shape().last(), vec = vec(x, w, b, out);
        long rows = x.shape().rows();
        if (rows == 0 || cols == 0) return;
        cx.kernel("pm_layernorm_" + KernelNames.suffix(t)).ptr(ptr(x)).ptr(ptr(w)).ptr(ptr(b)).f32(eps).ptr(ptr(out))
                .ptr(ptr(mean)).ptr(ptr(rstd)).i32(cols).i32(vec).launch(rows, 1, block(x, vec), 0, cx.stream());
    }

    void layernormBackward(Tensor x, Tensor w, Tensor mean, Tensor rstd, Tensor dout, Tensor dx, Tensor dw, Tensor db) {
        DType t = cx.checks().layernormBackward(x, w, mean, rstd, dout, dx, dw, db);
        int cols = x.shape().last(), vec = vec(x, w, dout, dx);
        long rows = x.shape().rows();
        if (rows == 0 || cols == 0) return;
        int chunks = (int) Math.min(rows, NORM_CHUNKS), smem = cx.sharedFor("layernormBackward", cols, 2);
        try (Tensor pw = cx.scratch((long) chunks * cols); Tensor pb = cx.scratch((long) chunks * cols)) {
            cx.kernel("pm_layernorm_bwd_" + KernelNames.suffix(t)).ptr(ptr(x)).ptr(ptr(w)).ptr(ptr(mean)).ptr(ptr(rstd))
                    .ptr(ptr(dout)).ptr(ptr(dx)).ptr(ptr(pw)).ptr(ptr(pb)).i64(rows).i32(cols).i32(vec)
                    .launch(chunks, 1, block(x, vec), smem, cx.stream());
            if (dw != null) reduce.reduceChunks(pw, chunks, cols, dw, true);
            if (db != null) reduce.reduceChunks(pb, chunks, cols, db, true);
        }
    }

    void softmax(Tensor x, Tensor out) {
        DType t = cx.checks().unary("softmax", x, out);
        int cols = x.shape().last(), vec = vec(x, out);
        long rows = x.shape().rows();
        if (rows == 0 || cols == 0) return;
        cx.kernel("pm_softmax_" + KernelNames.suffix(t)).ptr(ptr(x)).ptr(ptr(out)).i32(cols).i32(vec)
                .launch(rows, 1, block(x, vec), 0, cx.stream());
    }

    void softmaxBackward(Tensor y, Tensor dy, Tensor dx) {
        DType t = cx.checks().unaryBackward("softmaxBackward", y, dy, dx);
        int cols = y.shape().last(), vec = vec(y, dy, dx);
        long rows = y.shape().rows();
        if (rows == 0 || cols == 0) return;
        cx.kernel("pm_softmax_bwd_" + KernelNames.suffix(t)).ptr(ptr(y)).ptr(ptr(dy)).ptr(ptr(dx)).i32(cols).i32(vec)
                .launch(rows, 1, block(y, vec), 0, cx.stream());
    }
}
