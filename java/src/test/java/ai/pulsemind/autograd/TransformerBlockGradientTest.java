package ai.pulsemind.autograd;

import ai.pulsemind.backend.AttentionSpec;
import ai.pulsemind.backend.RopeSpec;
import ai.pulsemind.backend.cpu.ReferenceBackend;
import ai.pulsemind.tensor.DType;
import ai.pulsemind.tensor.Shape;
import ai.pulsemind.tensor.Tensor;
import ai.pulsemind.testing.GradCheck;
import ai.pulsemind.testing.Rand;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

/**
 * The composite check: finite differences through two pre-norm transformer layers of the Qwen2 shape (RMSNorm,
 * q/k/v with bias, GQA, RoPE, packed causal attention over two sequences, SwiGLU MLP, residuals), a final norm and
 * the fused log-prob head. Every parameter's gradient is sampled.
 */
class TransformerBlockGradientTest {
    static final int N = 7, C = 8, HQ = 2, HKV = 1, D = 4, F = 12, V = 11, LAYERS = 2;

    private final ReferenceBackend be = new ReferenceBackend();
    private final Ops ops = new Ops(be);
    private final Rand rnd = new Rand(7);

    record Layer(Tensor ln1, Tensor wq, Tensor bq, Tensor wk, Tensor bk, Tensor wv, Tensor bv, Tensor wo,
                 Tensor ln2, Tensor wg, Tensor wu, Tensor wd) {
        List<Tensor> all() { return List.of(ln1, wq, bq, wk, bk, wv, bv, wo, ln2, wg, wu, wd); }
    }

    private Layer layer() {
        return new Layer(rnd.uniform(1, C), rnd.uniform(0.5f, HQ * D, C), rnd.uniform(0.1f, HQ * D),
                rnd.uniform(0.5f, HKV * D, C), rnd.uniform(0.1f, HKV * D), rnd.uniform(0.5f, HKV * D, C),
                rnd.uniform(0.1f, HKV * D), rnd.uniform(0.5f, C, HQ * D), rnd.uniform(1, C),
                rnd.uniform(0.5f, F, C), rnd.uniform(0.5f, F, C), rnd.uniform(0.5f, C, F));
    }

    @Test
    void gradientsOfEveryParameterMatchFiniteDifferences() {
        Tensor embed = rnd.uniform(1, V, C), normF = rnd.uniform(1, C), head = rnd.uniform(1, V, C);
        List<Layer> layers = new ArrayList<>();
        for (int i = 0; i < LAYERS; i++) layers.add(layer());
        Tensor ids = rnd.ints(V, N), targets = rnd.ints(V, N);
        AttentionSpec spec = AttentionSpec.selfAttention(new int[] {4, 3}, true, D);
        Tensor pos = Tensor.ofInts(new int[] {0, 1, 2, 3, 0, 1, 2}, 1, N);
        Tensor cos = be.empty(DType.F32, Shape.of(N, D / 2)), sin = be.empty(DType.F32, Shape.of(N, D / 2));
        be.ropeTable(RopeSpec.text(D, 10000), pos, cos, sin);

        List<Tensor> params = new ArrayList<>(List.of(embed, normF, head));
        layers.forEach(l -> params.addAll(l.all()));
        GradCheck.check("2-layer transformer", ops, () -> {
            Tensor x = ops.gatherRows(embed, ids); // (N, C)
            for (Layer l : layers) {
                Tensor h = ops.rmsnorm(x, l.ln1(), 1e-6f);
                Tensor q = ops.rope(ops.linear(h, l.wq(), l.bq()).reshape(N, HQ, D), cos, sin);
                Tensor k = ops.rope(ops.linear(h, l.wk(), l.bk()).reshape(N, HKV, D), cos, sin);
                Tensor v = ops.linear(h, l.wv(), l.bv()).reshape(N, HKV, D);
                Tensor a = ops.attention(q, k, v, spec).reshape(N, HQ * D);
                x = ops.add(x, ops.linear(a, l.wo(), null));
                Tensor m = ops.rmsnorm(x, l.ln2(), 1e-6f);
                Tensor mlp = ops.linear(ops.swiglu(ops.linear(m, l.wg(), null), ops.linear(m, l.wu(), null)), l.wd(), null);
                x = ops.add(x, mlp);
            }
            return ops.logprob(ops.rmsnorm(x, normF, 1e-6f), head, targets, 1f); // (N)
        }, params.toArray(Tensor[]::new));
    }
}
