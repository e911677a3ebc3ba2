package ai.pulsemind.backend.cuda;

import ai.pulsemind.backend.PatchSpec;
import ai.pulsemind.tensor.DType;
import ai.pulsemind.tensor.Tensor;

import static ai.pulsemind.backend.cuda.LaunchContext.THREADS;
import static ai.pulsemind.backend.cuda.LaunchContext.aligned;
import static ai.pulsemind.backend.cuda.LaunchContext.ptr;

/**
 * Row moves: the embedding gather and its scatter-add backward ({@code gather.cu}; ids out of range are recorded
 * in the device error word and raised at the next synchronisation), and the vision patch permutation
 * ({@code patches.cu}), which only moves bytes and so takes any 2- or 4-byte dtype.
 */
final class RowsLaunch {
    private final LaunchContext cx;

    RowsLaunch(LaunchContext cx) { this.cx = cx; }

    void gatherRows(Tensor table, Tensor idx, Tensor out) {
        cx.checks().gatherRows(table, idx, out);
        long rowBytes = (long) table.dim(1) * table.dtype().byteSize(), n = idx.dim(0);
        if (n == 0 || rowBytes == 0) return;
        int vec = rowBytes % 16 == 0 && aligned(table, out) ? 1 : 0;
        cx.launch1d(cx.kernel("pm_gather_rows").ptr(ptr(table)).ptr(ptr(idx)).ptr(ptr(out)).i64(n).i64(rowBytes)
                .i32(table.dim(0)).i32(vec).ptr(cx.errorWord()), n * (vec == 1 ? rowBytes / 16 : rowBytes));
    }

    /** src (N, C) F32 or BF16 into dst (V, C) F32, rows added in n order (the reference's order, bit for bit). */
    void scatterAddRows(Tensor src, Tensor idx, Tensor dst) {
        DType t = cx.checks().scatterAddRows(src, idx, dst);
        int cols = dst.dim(1);
        if (idx.dim(0) == 0 || cols == 0) return;
        cx.kernel("pm_scatter_add_rows_" + KernelNames.suffix(t)).ptr(ptr(src)).ptr(ptr(idx)).ptr(ptr(dst)).i64(idx.dim(0))
                .i32(cols).i32(dst.dim(0)).ptr(cx.errorWord()).launch((cols + THREADS - 1) / THREADS, 1, THREADS, 0, cx.stream());
    }

    /** extractPatches (fold 0) and foldPatches (fold 1), one kernel either way. */
    void patches(String op, Tensor frames, PatchSpec sp, Tensor patches, int fold) {
        int[] fs = cx.checks().patches(op, frames, sp, patches);
        if (patches.numel() == 0) return;
        cx.launch1d(cx.kernel("pm_patches_b" + frames.dtype().byteSize()).ptr(ptr(frames)).ptr(ptr(patches)).i32(fs[0])
                .i32(fs[1]).i32(fs[2]).i32(fs[3]).i32(sp.temporalPatch()).i32(sp.patch()).i32(sp.merge()).i32(fold),
                patches.numel());
    }
}
