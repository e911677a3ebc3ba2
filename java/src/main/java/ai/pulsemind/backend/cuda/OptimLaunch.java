package ai.pulsemind.backend.cuda;

import ai.pulsemind.backend.AdamWParams;
import ai.pulsemind.tensor.Tensor;

import java.lang.foreign.MemorySegment;

import static ai.pulsemind.backend.cuda.LaunchContext.ptr;
import static java.lang.foreign.ValueLayout.JAVA_FLOAT;

/**
 * The training-step kernels: fused AdamW on f32 master weights and moments ({@code adamw.cu}), optionally writing
 * the bf16 copy the forward reads in the same pass.
 */
final class OptimLaunch {
    private final LaunchContext cx;
    private final MemorySegment adamwArgs; // struct AdamW in adamw.cu: 8 floats

    OptimLaunch(LaunchContext cx) {
        this.cx = cx;
        this.adamwArgs = cx.arena().allocate(8 * 4, 4);
    }

    /** grad F32 or BF16; {@code paramBf16}, when given, receives the updated parameter rounded to bf16. */
    void adamw(Tensor param, Tensor grad, Tensor m, Tensor v, AdamWParams hp, Tensor paramBf16) {
        cx.checks().adamw(param, grad, m, v, paramBf16);
        long n = param.numel();
        if (n == 0) return;
        MemorySegment h = adamwArgs;
        h.setAtIndex(JAVA_FLOAT, 0, hp.lr());
        h.setAtIndex(JAVA_FLOAT, 1, hp.beta1());
        h.setAtIndex(JAVA_FLOAT, 2, hp.beta2());
        h.setAtIndex(JAVA_FLOAT, 3, hp.eps());
        h.setAtIndex(JAVA_FLOAT, 4, hp.weightDecay());
        h.setAtIndex(JAVA_FLOAT, 5, (float) hp.biasCorrection1());
        h.setAtIndex(JAVA_FLOAT, 6, (float) Math.sqrt(hp.biasCorrection2()));
        h.setAtIndex(JAVA_FLOAT, 7, hp.gradScale());
        cx.launch1d(cx.kernel("pm_adamw_" + KernelNames.suffix(grad.dtype())).ptr(ptr(param)).ptr(ptr(grad)).ptr(ptr(m))
                .ptr(ptr(v)).ptr(ptr(paramBf16)).i64(n).struct(h), n / 4 + 1);
    }
}
