package ai.pulsemind.backend;

import ai.pulsemind.backend.cpu.CpuDtypes;
import ai.pulsemind.backend.cuda.CudaDtypes;
import ai.pulsemind.tensor.DType;
import ai.pulsemind.tensor.Shape;
import ai.pulsemind.tensor.Tensor;
import org.junit.jupiter.api.Test;

import java.lang.reflect.Method;
import java.util.Arrays;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The dtype tables: complete for the op table, what each alternative means, and the messages a mismatch gets. */
class DtypeRulesTest {
    private static Tensor t(DType d) { return Tensor.hostEmpty(d, Shape.of(2)); }

    @Test
    void everyBackendOpWithTensorsHasARuleOfItsArityInEveryTable() {
        for (DtypeRules rules : new DtypeRules[] {CpuDtypes.RULES, CudaDtypes.RULES}) {
            for (Method m : Backend.class.getMethods()) {
                long tensors = Arrays.stream(m.getParameterTypes()).filter(c -> c == Tensor.class).count();
                if (tensors == 0 || m.isDefault()) continue;
                assertTrue(rules.ops().contains(m.getName()), rules + " lacks " + m.getName());
                assertTrue(rules.arity(m.getName()) >= tensors, rules + ": " + m.getName() + " lists too few tensors");
            }
        }
        // a backend's extra arguments of an SPI op come after the SPI's, and are optional
        assertTrue(CudaDtypes.RULES.accepts("adamw", DType.F32, DType.BF16, DType.F32, DType.F32, null));
        assertTrue(CudaDtypes.RULES.accepts("adamw", DType.F32, DType.F32, DType.F32, DType.F32, DType.BF16));
        for (DtypeRules rules : new DtypeRules[] {CpuDtypes.RULES, CudaDtypes.RULES}) {
            for (Method m : Backend.class.getMethods()) {
                long tensors = Arrays.stream(m.getParameterTypes()).filter(c -> c == Tensor.class).count();
                if (tensors == 0 || m.isDefault() || m.getName().equals("adamw")) continue;
                assertEquals(tensors, rules.arity(m.getName()), rules + ": " + m.getName());
            }
        }
    }

    @Test
    void computeDtypeBindsOnceAndStatisticsStayF32() {
        DtypeRules cuda = CudaDtypes.RULES;
        assertEquals(DType.BF16, cuda.check("rmsnorm", t(DType.BF16), t(DType.BF16), t(DType.BF16), t(DType.F32)));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> cuda.check("rmsnorm", t(DType.BF16), t(DType.F32), t(DType.BF16), t(DType.F32)));
        assertTrue(e.getMessage().startsWith("rmsnorm: mixed dtypes BF16 and F32"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> cuda.check("silu", t(DType.I32), t(DType.I32)));
        assertTrue(e.getMessage().startsWith("silu: the CUDA backend computes on F32 or BF16, got"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class,
                () -> cuda.check("rmsnorm", t(DType.BF16), t(DType.BF16), t(DType.BF16), t(DType.BF16)));
        assertTrue(e.getMessage().startsWith("rmsnorm: rstd must be F32 on the cuda backend"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> CpuDtypes.RULES.check("add", t(DType.BF16), t(DType.BF16), t(DType.BF16)));
        assertTrue(e.getMessage().startsWith("add: the CPU backends compute in F32 (convert first), got"), e.getMessage());
    }

    @Test
    void independentReferencedAnyAndOptionalArguments() {
        DtypeRules cuda = CudaDtypes.RULES;
        assertNull(cuda.check("axpy", t(DType.BF16), t(DType.F32)), "F binds nothing: x and y may differ");
        assertTrue(cuda.accepts("matmul", DType.BF16, DType.BF16, DType.F32));
        assertFalse(cuda.accepts("matmul", DType.F32, DType.F32, DType.BF16));
        assertFalse(CpuDtypes.RULES.accepts("matmul", DType.F32, DType.F32, DType.BF16));
        assertTrue(cuda.accepts("gatherRows", DType.I64, DType.I32, DType.I64));
        assertFalse(cuda.accepts("gatherRows", DType.F32, DType.I32, DType.BF16), "out must have the table's dtype");
        assertTrue(cuda.accepts("matmulBias", DType.BF16, DType.BF16, DType.F32, DType.F32), "bias takes c's dtype");
        assertFalse(cuda.accepts("matmulBias", DType.BF16, DType.BF16, DType.BF16, DType.F32));
        assertTrue(cuda.accepts("rmsnormBackward", DType.BF16, DType.BF16, DType.F32, DType.BF16, DType.BF16, null),
                "a frozen weight's gradient is absent");
        assertThrows(IllegalArgumentException.class, () -> cuda.check("rmsnorm", t(DType.F32), null, t(DType.F32), t(DType.F32)));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> cuda.check("attention", t(DType.F32), t(DType.F32), t(DType.F32), t(DType.F32), t(DType.F32)));
        assertTrue(e.getMessage().startsWith("attention: the CUDA attention kernels take BF16"), e.getMessage());
        assertEquals(java.util.List.of(DType.F32, DType.BF16), cuda.floating("rmsnorm"));
        assertEquals(java.util.List.of(DType.BF16), cuda.floating("attention"));
        assertEquals(java.util.List.of(DType.F32), cuda.floating("ropeTable"), "positions are ids; the tables are F32");
        assertEquals(java.util.List.of(DType.F32), CpuDtypes.RULES.floating("rmsnorm"));
    }

    @Test
    void tablesRefuseMistakesWhenBuilt() {
        DtypeRules r = DtypeRules.standard("test", Set.of(DType.F32), "F32 only");
        assertThrows(IllegalArgumentException.class, () -> r.op("add", "a:T b:T out:T"), "listed twice");
        assertThrows(IllegalArgumentException.class, () -> r.override("nosuchop", "a:T"), "nothing to override");
        assertThrows(IllegalArgumentException.class, () -> r.op("newop", "a:Q8"), "unknown dtype");
        assertThrows(IllegalArgumentException.class, () -> r.op("newop2", "a:=b"), "reference to no argument");
        assertThrows(IllegalStateException.class, () -> r.check("nosuchop", t(DType.F32)));
        assertThrows(IllegalStateException.class, () -> r.check("add", t(DType.F32)), "wrong arity is a programming error");
    }
}
