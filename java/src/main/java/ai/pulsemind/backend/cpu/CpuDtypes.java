package ai.pulsemind.backend.cpu;

import ai.pulsemind.backend.DtypeRules;
import ai.pulsemind.tensor.DType;

import java.util.Set;

/**
 * The CPU backends' dtype rules ({@link ReferenceBackend} and {@link CpuBackend} alike): the standard rules with
 * T = F32, since the CPU computes in F32, except that matmul also takes BF16 operands (weights kept as stored),
 * read as their exact F32 values. A CPU kernel that takes another dtype overrides its op's entry here; see
 * {@link DtypeRules}.
 */
public final class CpuDtypes {
    private CpuDtypes() {}

    public static final DtypeRules RULES = DtypeRules.standard("cpu", Set.of(DType.F32),
            "the CPU backends compute in F32 (convert first)")
            .override("matmul", "a:F32|BF16 b:F32|BF16 c:F32",
                    "BF16 operands (weights kept as stored) are read as their exact F32 values; C is F32");
}
