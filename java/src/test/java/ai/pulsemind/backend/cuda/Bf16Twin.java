package ai.pulsemind.backend.cuda;

import ai.pulsemind.backend.Backend;
import ai.pulsemind.backend.cpu.ReferenceBackend;
import ai.pulsemind.tensor.DType;
import ai.pulsemind.tensor.Tensor;

import java.lang.reflect.InvocationHandler;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Proxy;
import java.util.IdentityHashMap;
import java.util.Map;
import java.util.Set;

/**
 * The CUDA backend's dtype behaviour on the CPU, for tests without a GPU: {@link Backend#computeDtype()} is BF16
 * like {@link CudaBackend}'s, every op first checks the CUDA backend's own dtype table ({@link CudaDtypes}, the
 * one its launchers check against), then computes with the {@link ReferenceBackend} on F32 copies
 * of the BF16 operands and rounds what it wrote back into BF16 storage (round to nearest even, as the kernels'
 * {@code __float2bfloat16_rn}).
 *
 * <p>So the model's dtype plumbing (what Ops, Qwen25VL, KvCache and Generator allocate where) is exercised on
 * every CI run, and the bf16 rounding of weights and stored activations — the dominant difference between the GPU
 * and the F32 CPU path — is predicted here: the kernels accumulate in f32 where the reference uses double, about
 * 1e-7 relative against bf16's 4e-3.
 */
final class Bf16Twin implements InvocationHandler {
    /** Ops the reference runs as they are: memory ops, and those whose checks every backend shares (sample). */
    private static final Set<String> DIRECT = Set.of("name", "device", "empty", "fill", "copy", "convert", "synchronize",
            "memoryStats", "close", "toString", "hashCode", "equals");
    private final ReferenceBackend ref = new ReferenceBackend();

    private Bf16Twin() {}

    static Backend create() {
        return (Backend) Proxy.newProxyInstance(Bf16Twin.class.getClassLoader(), new Class<?>[] {Backend.class}, new Bf16Twin());
    }

    @Override
    public Object invoke(Object proxy, Method m, Object[] args) throws Throwable {
        String op = m.getName();
        if (op.equals("computeDtype")) return DType.BF16;
        if (op.equals("name")) return "bf16-twin";
        if (m.isDefault() && !DIRECT.contains(op)) return InvocationHandler.invokeDefault(proxy, m, args);
        if (op.equals("toString")) return "Bf16Twin";
        if (op.equals("hashCode")) return System.identityHashCode(proxy);
        if (op.equals("equals")) return proxy == args[0];
        if (!DIRECT.contains(op)) CudaDtypes.RULES.check(op, tensorArgs(m, args));
        Map<Tensor, Tensor> wide = new IdentityHashMap<>();
        Object[] a = args == null ? null : args.clone();
        if (a != null && !DIRECT.contains(op)) {
            for (int i = 0; i < a.length; i++) {
                if (a[i] instanceof Tensor t && t.dtype() == DType.BF16) {
                    a[i] = wide.computeIfAbsent(t, x -> {
                        Tensor w = Tensor.hostEmpty(DType.F32, x.shape());
                        ref.convert(x, w);
                        return w;
                    });
                }
            }
        }
        Object result;
        try {
            result = m.invoke(ref, a);
        } catch (InvocationTargetException e) {
            throw e.getCause();
        }
        for (Map.Entry<Tensor, Tensor> e : wide.entrySet()) { // inputs round-trip exactly; outputs are rounded
            if (!e.getKey().segment().isReadOnly()) ref.convert(e.getValue(), e.getKey()); // mapped weights are inputs
            e.getValue().close();
        }
        return result;
    }

    /**
     * The tensor arguments of {@code m} in order, padded with nulls to the rule's arity (CUDA's own optional
     * arguments, e.g. AdamW's bf16 copy, that the SPI method lacks).
     */
    private static Tensor[] tensorArgs(Method m, Object[] args) {
        java.util.List<Tensor> ts = new java.util.ArrayList<>();
        Class<?>[] types = m.getParameterTypes();
        for (int i = 0; i < types.length; i++) if (types[i] == Tensor.class) ts.add((Tensor) args[i]);
        while (ts.size() < CudaDtypes.RULES.arity(m.getName())) ts.add(null);
        return ts.toArray(Tensor[]::new);
    }
}
