package ai.pulsemind.backend.cuda;

import ai.pulsemind.tensor.DType;

import java.util.ArrayList;
import java.util.List;

/**
 * Kernel naming shared with {@code cuda-kernels/}: dtype suffixes, the device error codes of {@code common.cuh},
 * and the full list of kernels the backend may launch (a test checks each against the build's kernel index, so
 * a renamed or missing kernel fails at build time, not on a GPU).
 */
final class KernelNames {
    private KernelNames() {}

    // PM_ERR_* in common.cuh
    static final int ERR_GATHER_INDEX = 1;
    static final int ERR_SCATTER_INDEX = 3;

    static String suffix(DType t) {
        return switch (t) {
            case F32 -> "f32";
            case BF16 -> "bf16";
            case F16 -> "f16";
            case I32 -> "i32";
            case I64 -> "i64";
        };
    }

    /** Every kernel name CudaBackend can ask for. */
    static List<String> all() {
        List<String> k = new ArrayList<>();
        String[] fl = {"f32", "bf16"};
        for (String t : fl) {
            for (String op : new String[] {"add", "mul", "scale", "silu", "silu_bwd", "gelu", "gelu_bwd", "swiglu",
                    "swiglu_bwd", "rmsnorm", "rmsnorm_bwd", "layernorm", "layernorm_bwd", "softmax", "softmax_bwd", "rope",
                    "sum_partial", "sum_rows_partial", "scatter_add_rows", "adamw"})
                k.add("pm_" + op + "_" + t);
            for (String y : fl) k.add("pm_axpy_" + t + "_" + y);
        }
        for (DType s : DType.values())
            for (DType d : DType.values())
                if (s != d) k.add("pm_convert_" + suffix(s) + "_" + suffix(d));
        for (int b : new int[] {1, 2, 4, 8}) k.add("pm_strided_copy_b" + b);
        k.addAll(List.of("pm_fill_b64", "pm_sum_final", "pm_reduce_chunks", "pm_rope_table", "pm_gather_rows",
                "pm_patches_b2", "pm_patches_b4"));
        // part 2: attention (AttentionLaunch), log-prob (LogprobLaunch), sampling and argmax
        k.addAll(List.of("pm_attn_fwd_v1_bf16", "pm_attn_bwd_prep_bf16", "pm_attn_bwd_dq_v1_bf16", "pm_attn_bwd_dkdv_v1_bf16",
                "pm_decode_attn_v1_bf16", "pm_decode_attn_combine_bf16", "pm_logprob_chunk_fwd_f32",
                "pm_logprob_finalize_f32", "pm_logprob_chunk_bwd_f32", "pm_sample_f32"));
        for (int d : new int[] {64, 80, 128}) {
            for (String v : new String[] {"pm_attn_fwd_v2_d", "pm_attn_fwd_v3_d", "pm_attn_bwd_dq_v2_d", "pm_attn_bwd_dkdv_v2_d",
                    "pm_decode_attn_split_d"})
                k.add(v + d + "_bf16");
        }
        return k;
    }
}
