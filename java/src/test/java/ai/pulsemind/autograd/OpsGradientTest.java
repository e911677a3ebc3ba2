package ai.pulsemind.autograd;

import ai.pulsemind.backend.AttentionSpec;
import ai.pulsemind.backend.PatchSpec;
import ai.pulsemind.backend.RopeSpec;
import ai.pulsemind.backend.cpu.ReferenceBackend;
import ai.pulsemind.tensor.DType;
import ai.pulsemind.tensor.Shape;
import ai.pulsemind.tensor.Tensor;
import ai.pulsemind.testing.Rand;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import static ai.pulsemind.testing.GradCheck.check;

/** A finite-difference check of every differentiable op's backward, through {@link Ops} on the reference backend. */
class OpsGradientTest {
    private final ReferenceBackend be = new ReferenceBackend();
    private final Ops ops = new Ops(be);
    private final Rand rnd = new Rand(42);

    @ParameterizedTest(name = "transA={0} transB={1}")
    @CsvSource({"false,false", "false,true", "true,false", "true,true"})
    void matmul(boolean ta, boolean tb) {
        Tensor a = ta ? rnd.uniform(1, 5, 3) : rnd.uniform(1, 3, 5), b = tb ? rnd.uniform(1, 4, 5) : rnd.uniform(1, 5, 4);
        check("matmul", ops, () -> ops.matmul(a, ta, b, tb), a, b);
    }

    @Test
    void batchedMatmulWithBroadcastOperand() {
        Tensor a = rnd.uniform(1, 2, 3, 5), b = rnd.uniform(1, 5, 4);
        check("matmul batched", ops, () -> ops.matmul(a, false, b, false), a, b);
        Tensor c = rnd.uniform(1, 3, 5), d = rnd.uniform(1, 2, 4, 5);
        check("matmul broadcast a, transB", ops, () -> ops.matmul(c, false, d, true), c, d);
    }

    @Test
    void linearWithBias() {
        Tensor x = rnd.uniform(1, 2, 3, 6), w = rnd.uniform(1, 4, 6), b = rnd.uniform(1, 4);
        check("linear", ops, () -> ops.linear(x, w, b), x, w, b);
    }

    @Test
    void elementwiseAndReductions() {
        Tensor a = rnd.uniform(1, 3, 4), b = rnd.uniform(1, 4), c = rnd.uniform(1, 3, 4);
        check("add broadcast", ops, () -> ops.add(a, b), a, b);
        check("mul broadcast", ops, () -> ops.mul(a, b), a, b);
        check("mul", ops, () -> ops.mul(a, c), a, c);
        check("scale", ops, () -> ops.scale(a, -1.7f), a);
        check("sum", ops, () -> ops.sum(a), a);
        check("mean", ops, () -> ops.mean(c), c);
    }

    @Test
    void activations() {
        Tensor x = rnd.uniform(3, 5, 7), up = rnd.uniform(2, 5, 7);
        check("silu", ops, () -> ops.silu(x), x);
        check("gelu erf", ops, () -> ops.gelu(x, false), x);
        check("gelu tanh", ops, () -> ops.gelu(x, true), x);
        check("swiglu", ops, () -> ops.swiglu(x, up), x, up);
    }

    @Test
    void norms() {
        Tensor x = rnd.uniform(2, 4, 9), w = rnd.uniform(1, 9), b = rnd.uniform(1, 9);
        check("rmsnorm", ops, () -> ops.rmsnorm(x, w, 1e-6f), x, w);
        check("layernorm", ops, () -> ops.layernorm(x, w, b, 1e-5f), x, w, b);
        check("softmax", ops, () -> ops.softmax(x), x);
    }

    @Test
    void rotaryVariants() {
        int n = 5, d = 8;
        Tensor x = rnd.uniform(1, n, 3, d);
        for (RopeSpec spec : new RopeSpec[] {RopeSpec.text(d, 10000), RopeSpec.mrope(d, 10000, new int[] {1, 2, 1}),
                RopeSpec.vision2d(d, 10000)}) {
            Tensor pos = rnd.ints(40, spec.axes(), n);
            Tensor cos = be.empty(DType.F32, Shape.of(n, d / 2)), sin = be.empty(DType.F32, Shape.of(n, d / 2));
            be.ropeTable(spec, pos, cos, sin);
            x.zeroGrad();
            check("rope " + spec, ops, () -> ops.rope(x, cos, sin), x);
        }
    }

    @ParameterizedTest(name = "causal={0} hq={1} hkv={2}")
    @CsvSource({"true,4,2", "false,2,2", "true,3,1", "false,4,1"})
    void attention(boolean causal, int hq, int hkv) {
        int d = 4;
        AttentionSpec spec = new AttentionSpec(new int[] {0, 3, 5, 9}, new int[] {0, 3, 7, 11}, causal, 0.5f);
        Tensor q = rnd.uniform(1, 9, hq, d), k = rnd.uniform(1, 11, hkv, d), v = rnd.uniform(1, 11, hkv, d);
        check("attention", ops, () -> ops.attention(q, k, v, spec), q, k, v);
    }

    @Test
    void embeddingWithRepeatedIds() {
        Tensor table = rnd.uniform(1, 6, 4), ids = Tensor.ofInts(new int[] {1, 3, 1, 0, 5, 1}, 6);
        check("gatherRows", ops, () -> ops.gatherRows(table, ids), table);
    }

    @Test
    void logprobWithIgnoredTargetAndTemperature() {
        Tensor h = rnd.uniform(1, 5, 6), w = rnd.uniform(1, 11, 6), t = Tensor.ofInts(new int[] {3, -1, 10, 0, 3}, 5);
        check("logprob", ops, () -> ops.logprob(h, w, t, 1f), h, w);
        h.zeroGrad();
        w.zeroGrad();
        check("logprob T=0.7", ops, () -> ops.logprob(h, w, t, 0.7f), h, w);
    }

    @Test
    void layoutOps() {
        Tensor x = rnd.uniform(1, 3, 5, 4), y = rnd.uniform(1, 3, 2, 4);
        check("narrow", ops, () -> ops.narrow(x, 1, 1, 3), x);
        check("transpose", ops, () -> ops.transpose(x, 0, 2), x);
        check("cat", ops, () -> ops.cat(1, x, y), x, y);
        check("reshape", ops, () -> ops.scale(x.reshape(15, 4), 2f), x);
    }

    @Test
    void patchExtraction() {
        Tensor frames = rnd.uniform(1, 2, 3, 4, 8);
        check("extractPatches", ops, () -> ops.extractPatches(frames, new PatchSpec(2, 2, 2)), frames);
    }
}
