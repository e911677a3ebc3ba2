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
 * like {@link CudaBackend}'s, every op first checks CUDA's per-op dtype rules (the checks in CudaBackend,
 * AttentionLaunch and LogprobLaunch, restated here), then computes with the {@link ReferenceBackend} on F32 copies
 * of the BF16 operands and rounds what it wrote back into BF16 storage (round to nearest even, as the kernels'
 * {@code __float2bfloat16_rn}).
 *
 * <p>So the model's dtype plumbing (what Ops, Qwen25VL, KvCache and Generator allocate where) is exercised on
 * every CI run, and the bf16 rounding of weights and stored activations — the dominant difference between the GPU
 * and the F32 CPU path — is predicted here: the kernels accumulate in f32 where the reference uses double, about
 * 1e-7 relative against bf16's 4e-3.
 */
final class Bf16Twin implements InvocationHandler {
    private static final Set<String> DIRECT = Set.of("name", "device", "empty", "fill", "copy", "convert", "synchronize",
            "memoryStats", "close", "sample", "toString", "hashCode", "equals");
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
        if (!DIRECT.contains(op)) Rules.check(op, args);
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

    /** CUDA's dtype rules per op (what CudaBackend and its launchers accept). */
    static final class Rules {
        private Rules() {}

        static void check(String op, Object[] a) {
            switch (op) {
                case "matmul" -> {
                    Tensor x = t(a, 0), y = t(a, 2), c = t(a, 4);
                    same(op, x, y);
                    floating(op, x);
                    if (c.dtype() != x.dtype() && c.dtype() != DType.F32) fail(op, "c must be " + x.dtype() + " or F32: " + c);
                }
                case "add", "mul", "swiglu", "siluBackward", "softmaxBackward" -> same(op, t(a, 0), t(a, 1), t(a, 2));
                case "scale" -> same(op, t(a, 0), t(a, 2));
                case "silu", "softmax" -> same(op, t(a, 0), t(a, 1));
                case "gelu" -> same(op, t(a, 0), t(a, 2));
                case "geluBackward" -> same(op, t(a, 0), t(a, 2), t(a, 3));
                case "swigluBackward" -> same(op, t(a, 0), t(a, 1), t(a, 2), t(a, 3), t(a, 4));
                case "axpy" -> { floating(op, t(a, 1)); floating(op, t(a, 2)); }
                case "sum", "sumRows" -> { floating(op, t(a, 0)); f32(op, t(a, 1)); }
                case "argmax" -> { f32(op, t(a, 0)); dtype(op, t(a, 1), DType.I32); }
                case "rmsnorm" -> { same(op, t(a, 0), t(a, 1), t(a, 3)); f32(op, t(a, 4)); }
                case "rmsnormBackward" -> { same(op, t(a, 0), t(a, 1), t(a, 3), t(a, 4)); f32(op, t(a, 2), t(a, 5)); }
                case "layernorm" -> { same(op, t(a, 0), t(a, 1), t(a, 2), t(a, 4)); f32(op, t(a, 5), t(a, 6)); }
                case "layernormBackward" -> { same(op, t(a, 0), t(a, 1), t(a, 4), t(a, 5)); f32(op, t(a, 2), t(a, 3), t(a, 6), t(a, 7)); }
                case "ropeTable" -> { dtype(op, t(a, 1), DType.I32); f32(op, t(a, 2), t(a, 3)); }
                case "rope", "ropeBackward" -> { same(op, t(a, 0), t(a, 3)); f32(op, t(a, 1), t(a, 2)); }
                case "attention" -> { bf16(op, t(a, 0), t(a, 1), t(a, 2), t(a, 4)); f32(op, t(a, 5)); }
                case "attentionBackward" -> {
                    bf16(op, t(a, 0), t(a, 1), t(a, 2), t(a, 3), t(a, 5), t(a, 7), t(a, 8), t(a, 9));
                    f32(op, t(a, 4));
                }
                case "attentionDecode" -> bf16(op, t(a, 0), t(a, 1), t(a, 2), t(a, a.length - 1)); // out last, with or without slots
                case "gatherRows" -> {
                    dtype(op, t(a, 1), DType.I32);
                    if (t(a, 0).dtype() != t(a, 2).dtype()) fail(op, "out dtype differs from the table's");
                }
                case "scatterAddRows" -> { floating(op, t(a, 0)); dtype(op, t(a, 1), DType.I32); f32(op, t(a, 2)); }
                case "logprob" -> { bf16(op, t(a, 0), t(a, 1)); dtype(op, t(a, 2), DType.I32); f32(op, t(a, 4), t(a, 5)); }
                case "logprobBackward" -> {
                    bf16(op, t(a, 0), t(a, 1));
                    dtype(op, t(a, 2), DType.I32);
                    f32(op, t(a, 4), t(a, 5));
                    floating(op, t(a, 6));
                    if (t(a, 7) != null) floating(op, t(a, 7));
                }
                case "extractPatches", "foldPatches" -> same(op, t(a, 0), t(a, 2));
                case "adamw" -> { f32(op, t(a, 0), t(a, 2), t(a, 3)); floating(op, t(a, 1)); }
                case "crpoAdvantage" -> { dtype(op, t(a, 0), DType.I32); f32(op, t(a, 1), t(a, 5), t(a, 6)); }
                default -> throw new IllegalStateException("Bf16Twin: no CUDA dtype rule for op " + op);
            }
        }

        private static Tensor t(Object[] a, int i) { return (Tensor) a[i]; }

        private static void fail(String op, String why) { throw new IllegalArgumentException(op + " (CUDA dtype rules): " + why); }

        private static void same(String op, Tensor... ts) {
            floating(op, ts[0]);
            for (Tensor x : ts) if (x.dtype() != ts[0].dtype()) fail(op, "mixed dtypes " + ts[0] + " and " + x);
        }

        private static void floating(String op, Tensor x) {
            if (x.dtype() != DType.F32 && x.dtype() != DType.BF16) fail(op, "F32 or BF16 expected, got " + x);
        }

        private static void f32(String op, Tensor... ts) {
            for (Tensor x : ts) if (x != null && x.dtype() != DType.F32) fail(op, "F32 expected, got " + x);
        }

        private static void bf16(String op, Tensor... ts) {
            for (Tensor x : ts) if (x.dtype() != DType.BF16) fail(op, "BF16 expected (the CUDA kernels are bf16), got " + x);
        }

        private static void dtype(String op, Tensor x, DType d) {
            if (x.dtype() != d) fail(op, d + " expected, got " + x);
        }
    }
}
