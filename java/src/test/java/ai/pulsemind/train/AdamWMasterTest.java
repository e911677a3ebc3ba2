package ai.pulsemind.train;

import ai.pulsemind.backend.AdamWParams;
import ai.pulsemind.backend.cpu.CpuBackend;
import ai.pulsemind.backend.cpu.ReferenceBackend;
import ai.pulsemind.tensor.DType;
import ai.pulsemind.tensor.Shape;
import ai.pulsemind.tensor.Tensor;
import ai.pulsemind.testing.Rand;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * AdamW with master weights on the CPU backends: the gradient scale, the bf16 compute copy rounded from the master,
 * fast against reference (odd length), and a step worked by hand; the parameter store's clipping and decay groups.
 */
class AdamWMasterTest {
    private final ReferenceBackend ref = new ReferenceBackend();

    @Test
    void oneStepByHandWithGradScale() {
        Tensor p = Tensor.of(new float[] {1f, -2f}, 2), g = Tensor.of(new float[] {0.5f, 4f}, 2);
        Tensor m = Tensor.of(new float[] {0, 0}, 2), v = Tensor.of(new float[] {0, 0}, 2);
        Tensor copy = Tensor.hostZeros(DType.BF16, Shape.of(2));
        ref.adamw(p, g, m, v, new AdamWParams(0.1f, 0.9f, 0.999f, 1e-8f, 0.01f, 1, 0.5f), copy);
        // step 1: mhat = g', vhat = g'^2, so the update is lr·sign(g'); g' = 0.5·g
        assertEquals(1f * (1 - 0.001f) - 0.1f, p.getFloat(0), 1e-6);
        assertEquals(-2f * (1 - 0.001f) - 0.1f, p.getFloat(1), 1e-6);
        assertEquals(0.1f * 0.25f, m.getFloat(0), 1e-7);
        assertEquals(0.001f * 4f, v.getFloat(1), 1e-7);
        assertEquals(p.getFloat(0), copy.getFloat(0), 4e-3, "bf16 copy of the master");
    }

    @Test
    void fastEqualsReferenceWithCopy() {
        try (CpuBackend fast = new CpuBackend(2)) {
            Rand r = new Rand(5);
            int n = 1031;
            Tensor g = r.uniform(1, n), p0 = r.uniform(1, n);
            Tensor pr = copy(p0), pf = copy(p0), mr = Tensor.hostZeros(DType.F32, Shape.of(n)), mf = Tensor.hostZeros(DType.F32, Shape.of(n));
            Tensor vr = Tensor.hostZeros(DType.F32, Shape.of(n)), vf = Tensor.hostZeros(DType.F32, Shape.of(n));
            Tensor cr = Tensor.hostZeros(DType.BF16, Shape.of(n)), cf = Tensor.hostZeros(DType.BF16, Shape.of(n));
            for (int step = 1; step <= 3; step++) {
                AdamWParams hp = new AdamWParams(1e-2f, 0.9f, 0.95f, 1e-8f, 0.1f, step, 0.37f);
                ref.adamw(pr, g, mr, vr, hp, cr);
                fast.adamw(pf, g, mf, vf, hp, cf);
            }
            float[] a = pf.toFloatArray(), b = pr.toFloatArray();
            for (int i = 0; i < n; i++) assertEquals(b[i], a[i], 1e-6 + 1e-5 * Math.abs(b[i]), "param " + i);
            float[] ca = cf.toFloatArray(), cb = cr.toFloatArray();
            for (int i = 0; i < n; i++) assertEquals(cb[i], ca[i], Math.abs(cb[i]) * 8e-3, "bf16 copy " + i);
        }
    }

    private static Tensor copy(Tensor t) { return Tensor.of(t.toFloatArray(), t.shape().toArray()); }

    @Test
    void storeKeepsF32MastersOfBf16ParametersAndSkipsDecayOnNorms() {
        Tensor w = Tensor.hostZeros(DType.BF16, Shape.of(2, 2)), bias = Tensor.of(new float[] {1, 1}, 2);
        for (int i = 0; i < 4; i++) w.setFloat(i, 1f);
        try (ParamStore s = ParamStore.of(ref, new java.util.LinkedHashMap<>(java.util.Map.of("w", w, "b.bias", bias)), ParamStore::defaultDecay)) {
            assertEquals(DType.F32, s.get("w").master().dtype());
            assertEquals(DType.F32, w.grad().dtype(), "bf16 parameters accumulate F32 gradients");
            assertEquals(false, s.get("b.bias").decay());
            for (ParamStore.Entry e : s.entries()) e.grad().setFloat(0, 3f);
            for (ParamStore.Entry e : s.entries()) e.grad().setFloat(1, 4f);
            assertEquals(Math.sqrt(2 * 25.0), s.gradNorm(), 1e-9);
            s.adamw(new ParamStore.AdamW(0.9f, 0.999f, 1e-8f, 0.5f), 0.1f, 1f, 1);
            assertEquals(1f - 0.05f - 0.1f, s.get("w").master().getFloat(0), 1e-6, "decayed");
            assertEquals(1f - 0.1f, bias.getFloat(0), 1e-6, "bias not decayed");
            assertEquals(s.get("w").master().getFloat(0), w.getFloat(0), 4e-3, "compute copy refreshed");
            s.zeroGrad();
            assertArrayEquals(new float[4], w.grad().toFloatArray());
        }
    }

    @Test
    void schedulesFollowTransformers() {
        Schedule cos = new Schedule(Schedule.Kind.COSINE, 1.0, 10, 110);
        assertEquals(0.0, cos.lr(0));
        assertEquals(0.5, cos.lr(5), 1e-12);
        assertEquals(1.0, cos.lr(10), 1e-12);
        assertEquals(0.5, cos.lr(60), 1e-12);
        Schedule lin = new Schedule(Schedule.Kind.LINEAR, 2.0, 0, 100);
        assertEquals(1.0, lin.lr(50), 1e-12);
        assertEquals(2.0, new Schedule(Schedule.Kind.CONSTANT, 2.0, 4, 100).lr(99));
        assertEquals(3, Schedule.warmupSteps("0.03", 100));
        assertEquals(4, Schedule.warmupSteps("0.035", 100));
        assertEquals(7, Schedule.warmupSteps("7", 100));
    }
}
