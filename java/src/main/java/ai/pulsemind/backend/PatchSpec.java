package ai.pulsemind.backend;

/**
 * Qwen2-VL's patch layout: frames are grouped {@code temporalPatch} at a time, cut into {@code patch}×{@code patch}
 * squares, and ordered so that each {@code merge}×{@code merge} block of neighbouring patches is contiguous (the
 * patch merger later concatenates them). Flattening one patch gives (C, tp, p, p), so the vision patch-embed
 * Conv3d becomes a GEMM against its weight viewed as (C_out, C*tp*p*p).
 */
public record PatchSpec(int temporalPatch, int patch, int merge) {
    public PatchSpec {
        if (temporalPatch < 1 || patch < 1 || merge < 1)
            throw new IllegalArgumentException("patch sizes must be >= 1: " + temporalPatch + ", " + patch + ", " + merge);
    }

    public int patchDim(int channels) { return channels * temporalPatch * patch * patch; }
}
