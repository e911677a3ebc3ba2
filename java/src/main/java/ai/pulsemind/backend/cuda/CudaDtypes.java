package ai.pulsemind.backend.cuda;

import ai.pulsemind.backend.DtypeRules;
import ai.pulsemind.tensor.DType;

import java.util.Set;

/**
 * The CUDA backend's dtype rules (bf16 activations, f32 accumulation and statistics, f32 master
 * weights): the standard rules with T = F32 or BF16, and what the kernels take beyond or instead of them: GEMMs
 * with an F32 output from bf16 operands, the attention and log-prob kernels in bf16 only, patches in any 2- or
 * 4-byte dtype, AdamW's optional bf16 copy of the updated weight. {@link CudaBackend}'s launchers check against
 * this table, and so does the backend's CPU twin in the tests; see {@link DtypeRules}.
 */
public final class CudaDtypes {
    private CudaDtypes() {}

    private static final String ATTENTION = "the CUDA attention kernels take BF16 tensors (convert first; the model keeps"
            + " activations in the backend's compute dtype)";
    private static final String LOGPROB = "the CUDA log-prob takes BF16 hidden and weight (its GEMMs are bf16 with f32"
            + " accumulation)";

    public static final DtypeRules RULES = DtypeRules.standard("cuda", Set.of(DType.F32, DType.BF16),
                    "the CUDA backend computes on F32 or BF16")
            .override("matmul", "a:T b:T c:T|F32")
            .override("attention", "q:BF16! k:BF16! v:BF16! out:BF16! lse:F32", ATTENTION)
            .override("attentionBackward", "q:BF16! k:BF16! v:BF16! out:BF16! lse:F32 dout:BF16! dq:BF16! dk:BF16! dv:BF16!",
                    ATTENTION)
            .override("attentionDecode", "q:BF16! kCache:BF16! vCache:BF16! out:BF16!", ATTENTION)
            .override("logprob", "hidden:BF16! weight:BF16! targets:I32 logp:F32 lse:F32", LOGPROB)
            .override("logprobBackward", "hidden:BF16! weight:BF16! targets:I32 lse:F32 dlogp:F32 dhidden:F dweight:F?", LOGPROB)
            .override("extractPatches", "frames:F32|BF16|F16|I32 patches:=frames")
            .override("foldPatches", "patches:F32|BF16|F16|I32 frames:=patches")
            .override("adamw", "param:F32 grad:F m:F32 v:F32 paramBf16:BF16?")
            .op("matmulBias", "a:T b:T bias:=c c:T|F32");
}
