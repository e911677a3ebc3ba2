package ai.pulsemind.backend.cpu;

import ai.pulsemind.backend.AttentionSpec;
import ai.pulsemind.tensor.Tensor;
import ai.pulsemind.testing.Rand;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;

/**
 * Bit-identical results from run to run for a given thread count, for every op whose parallel split involves a
 * reduction (GEMM K blocks, attention dK/dV/dQ, log-prob partials, norm parameter gradients). Three threads on
 * a two-core machine interleave pieces differently each run, so a split that depended on scheduling would show.
 */
class DeterminismTest {
    private final Rand rnd = new Rand(77);

    private static Tensor f32(int... dims) { return Tensor.hostZeros(ai.pulsemind.tensor.DType.F32, ai.pulsemind.tensor.Shape.of(dims)); }

    /** Runs the op set on a fresh backend and returns every output, flattened. */
    private List<float[]> outputs(CpuBackend be, Inputs in) {
        List<float[]> out = new ArrayList<>();
        Tensor c = f32(150, 140);
        be.matmul(in.a, false, in.b, true, c, 1f, 0f);
        out.add(c.toFloatArray());
        Tensor o = f32(in.n, 4, 32), lse = f32(4, in.n), dq = f32(in.n, 4, 32), dk = f32(in.n, 1, 32), dv = f32(in.n, 1, 32);
        be.attention(in.q, in.k, in.v, in.spec, o, lse);
        be.attentionBackward(in.q, in.k, in.v, o, lse, in.dout, in.spec, dq, dk, dv);
        for (Tensor t : new Tensor[] {o, lse, dq, dk, dv}) out.add(t.toFloatArray());
        Tensor lp = f32(in.n), ls = f32(in.n), dh = f32(in.n, 40), dw = f32(300, 40);
        be.logprob(in.h, in.w, in.targets, 1f, lp, ls);
        be.logprobBackward(in.h, in.w, in.targets, 1f, ls, in.g, dh, dw);
        for (Tensor t : new Tensor[] {lp, ls, dh, dw}) out.add(t.toFloatArray());
        Tensor y = f32(in.n, 40), r = f32(in.n), dx = f32(in.n, 40), dnw = f32(40);
        be.rmsnorm(in.h, in.nw, 1e-6f, y, r);
        be.rmsnormBackward(in.h, in.nw, r, in.h, dx, dnw);
        for (Tensor t : new Tensor[] {y, dx, dnw}) out.add(t.toFloatArray());
        return out;
    }

    private final class Inputs {
        final int n = 400; // > one 384-token log-prob chunk, several attention tiles and key blocks
        final Tensor a = rnd.uniform(1, 150, 600), b = rnd.uniform(1, 140, 600); // K = 600: two K blocks
        final AttentionSpec spec = AttentionSpec.selfAttention(new int[] {n}, true, 32);
        final Tensor q = rnd.uniform(1, n, 4, 32), k = rnd.uniform(1, n, 1, 32), v = rnd.uniform(1, n, 1, 32), dout = rnd.uniform(1, n, 4, 32);
        final Tensor h = rnd.uniform(1, n, 40), w = rnd.uniform(1, 300, 40), g = rnd.uniform(1, n), nw = rnd.uniform(1, 40);
        final Tensor targets = rnd.ints(300, n);
    }

    private void repeatable(int threads) {
        Inputs in = new Inputs();
        Function<Integer, List<float[]>> run = i -> {
            try (CpuBackend be = new CpuBackend(threads)) {
                return outputs(be, in);
            }
        };
        List<float[]> first = run.apply(0);
        for (int rep = 1; rep < 3; rep++) {
            List<float[]> again = run.apply(rep);
            for (int i = 0; i < first.size(); i++)
                assertArrayEquals(first.get(i), again.get(i), "output " + i + " differs between runs with " + threads + " threads");
        }
    }

    @Test
    void bitIdenticalRunToRunWithThreeThreads() { repeatable(3); }

    @Test
    void bitIdenticalRunToRunWithTwoThreads() { repeatable(2); }

    @Test
    void gemmAndForwardsDoNotDependOnTheThreadCount() {
        // GEMM sums K in fixed blocks and the forwards reduce per row or per fixed block: any thread count agrees.
        Inputs in = new Inputs();
        List<float[]> one, three;
        try (CpuBackend be = new CpuBackend(1)) { one = outputs(be, in); }
        try (CpuBackend be = new CpuBackend(3)) { three = outputs(be, in); }
        int[] independent = {0, 1, 2, 6, 7, 10}; // C, attention out and lse, logp and lse, rmsnorm out
        for (int i : independent) assertArrayEquals(one.get(i), three.get(i), "output " + i + " differs between 1 and 3 threads");
    }
}
