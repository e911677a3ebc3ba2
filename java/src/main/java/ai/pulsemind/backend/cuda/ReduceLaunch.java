package ai.pulsemind.backend.cuda;

import ai.pulsemind.tensor.DType;
import ai.pulsemind.tensor.Tensor;

import static ai.pulsemind.backend.cuda.LaunchContext.THREADS;
import static ai.pulsemind.backend.cuda.LaunchContext.ptr;

/**
 * The reductions of {@code reduce.cu}: the sum of a tensor and the column sums of a matrix, each in two stages
 * over a fixed number of partials, so the summation order (and the result, bit for bit) does not depend on the
 * device; and the chunk reduction the norm backwards use for their parameter gradients.
 */
final class ReduceLaunch {
    /** Fixed partial counts keep reduction orders independent of the device (bitwise repeatable results). */
    private static final int SUM_PARTIALS = 512, ROW_CHUNKS = 64;

    private final LaunchContext cx;
    private final MemoryLaunch memory;

    ReduceLaunch(LaunchContext cx, MemoryLaunch memory) {
        this.cx = cx;
        this.memory = memory;
    }

    /** x (R, C) F32 or BF16 → out (C) F32; two stages with a fixed number of row chunks (repeatable sums). */
    void sumRows(Tensor x, Tensor out) {
        DType t = cx.checks().sumRows(x, out);
        int cols = x.shape().last();
        long rows = x.shape().rows();
        if (cols == 0) return;
        if (rows == 0) {
            memory.fill(out, 0f);
            return;
        }
        int chunks = (int) Math.min(rows, ROW_CHUNKS);
        try (Tensor partials = cx.scratch((long) chunks * cols)) {
            cx.kernel("pm_sum_rows_partial_" + KernelNames.suffix(t)).ptr(ptr(x)).i64(rows).i32(cols).ptr(ptr(partials))
                    .launch2d((cols + 31) / 32, chunks, 32, 8, cx.stream());
            reduceChunks(partials, chunks, cols, out, false);
        }
    }

    /** out[c] (+)= Σ_k partials[k, c], k in order. */
    void reduceChunks(Tensor partials, int chunks, int cols, Tensor out, boolean accumulate) {
        cx.launch1d(cx.kernel("pm_reduce_chunks").ptr(ptr(partials)).i32(chunks).i32(cols).ptr(ptr(out))
                .i32(accumulate ? 1 : 0), cols);
    }

    void sum(Tensor x, Tensor out) {
        DType t = cx.checks().sum(x, out);
        long n = x.numel();
        int parts = (int) Math.max(1, Math.min(SUM_PARTIALS, (n + THREADS - 1) / THREADS));
        try (Tensor partials = cx.scratch(parts)) {
            cx.kernel("pm_sum_partial_" + KernelNames.suffix(t)).ptr(ptr(x)).i64(n).ptr(ptr(partials))
                    .launch(parts, 1, THREADS, 0, cx.stream());
            cx.kernel("pm_sum_final").ptr(ptr(partials)).i32(parts).ptr(ptr(out)).launch(1, 1, 512, 0, cx.stream());
        }
    }
}
