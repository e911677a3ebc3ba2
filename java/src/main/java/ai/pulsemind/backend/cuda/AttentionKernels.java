package ai.pulsemind.backend.cuda;

/**
 * Which kernels of {@code flash_attention.cu} and {@code decode_attention.cu} the CUDA backend launches
 * ({@link CudaBackend#useAttentionKernels}). Every variant computes the same op; they differ in speed and in
 * how much can go wrong, so the plain one stays selectable to tell a kernel bug from a model bug.
 */
public enum AttentionKernels {
    /**
     * The fastest validated choice per head dim (tools/gpu-dev/README.md): forward v3 (8 warps, 128 queries per
     * block) at D = 128 and v2 (4 warps) at D = 64 and 80; backward v2; split-K decode. Other head dims (any
     * multiple of 8 up to 128) and 16-byte-misaligned views take v1.
     */
    AUTO,
    /** Scalar f32 kernels, one warp per query or key; decode one warp per (sequence, head). For diagnosis. */
    V1,
    /** Tensor-core forward with 4 warps per block (64 queries), tensor-core backward, split-K decode. */
    V2,
    /** Tensor-core forward with 8 warps per block (128 queries), otherwise as {@link #V2}. */
    V3
}
