package ai.pulsemind.bench;

import ai.pulsemind.backend.AttentionSpec;
import ai.pulsemind.backend.cpu.CpuBackend;
import ai.pulsemind.backend.cpu.ReferenceBackend;
import ai.pulsemind.tensor.DType;
import ai.pulsemind.tensor.Shape;
import ai.pulsemind.tensor.Tensor;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;
import org.openjdk.jmh.infra.Blackhole;

import java.util.concurrent.TimeUnit;

/**
 * Causal self-attention, B = 1, H = 8, S = 1024, D = 64 (the target shape), forward and backward.
 * FLOP (causal, counting only the visible half): forward 2·2·H·S²·D/2, backward 2.5× that.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Fork(value = 1, jvmArgsAppend = {"--enable-native-access=ALL-UNNAMED", "--add-modules", "jdk.incubator.vector", "-Xmx8g"})
@Warmup(iterations = 4, time = 2)
@Measurement(iterations = 8, time = 2)
public class AttentionBench {
    @Param("8")
    public int heads;
    @Param("1024")
    public int seq;
    @Param("64")
    public int dim;
    @Param("0")
    public int threads;

    /** Queries checked against the reference: causal, so their outputs depend only on this many tokens. */
    private static final int CHECKED = 96;

    private CpuBackend be;
    private AttentionSpec spec;
    private Tensor q, k, v, out, lse, dout, dq, dk, dv;

    @Setup
    public void setup() {
        be = new CpuBackend(threads);
        spec = AttentionSpec.selfAttention(new int[] {seq}, true, dim);
        q = BenchSupport.uniform(1, 1, seq, heads, dim);
        k = BenchSupport.uniform(2, 1, seq, heads, dim);
        v = BenchSupport.uniform(3, 1, seq, heads, dim);
        dout = BenchSupport.uniform(4, 1, seq, heads, dim);
        out = f32(seq, heads, dim);
        lse = f32(heads, seq);
        dq = f32(seq, heads, dim);
        dk = f32(seq, heads, dim);
        dv = f32(seq, heads, dim);
        be.attention(q, k, v, spec, out, lse);
    }

    private static Tensor f32(int... dims) { return Tensor.hostZeros(DType.F32, Shape.of(dims)); }

    @Benchmark
    public void forward(Blackhole bh) {
        be.attention(q, k, v, spec, out, lse);
        bh.consume(out);
        bh.consume(lse);
    }

    @Benchmark
    public void backward(Blackhole bh) {
        be.attentionBackward(q, k, v, out, lse, dout, spec, dq, dk, dv);
        bh.consume(dq);
        bh.consume(dk);
        bh.consume(dv);
    }

    /**
     * Checks the first CHECKED queries' output, lse and dq against the reference run on those tokens alone
     * (causal: they see only earlier keys), and that dk, dv are finite.
     */
    @TearDown
    public void check() {
        be.attentionBackward(q, k, v, out, lse, dout, spec, dq, dk, dv);
        ReferenceBackend ref = new ReferenceBackend();
        AttentionSpec small = AttentionSpec.selfAttention(new int[] {CHECKED}, true, dim);
        Tensor qs = prefix(q), ks = prefix(k), vs = prefix(v), ds = prefix(dout);
        Tensor os = f32(CHECKED, heads, dim), ls = f32(heads, CHECKED);
        Tensor dqs = f32(CHECKED, heads, dim), dks = f32(CHECKED, heads, dim), dvs = f32(CHECKED, heads, dim);
        ref.attention(qs, ks, vs, small, os, ls);
        ref.attentionBackward(qs, ks, vs, os, ls, ds, small, dqs, dks, dvs);
        BenchSupport.checkClose("attention out", prefix(out).toFloatArray(), os.toFloatArray(), 2e-5, 1e-4);
        BenchSupport.checkClose("attention dq", prefix(dq).toFloatArray(), dqs.toFloatArray(), 5e-5, 1e-3);
        float[] l = lse.toFloatArray(), lr = ls.toFloatArray();
        for (int h = 0; h < heads; h++)
            for (int i = 0; i < CHECKED; i++)
                BenchSupport.checkClose("attention lse", new float[] {l[h * seq + i]}, new float[] {lr[h * CHECKED + i]}, 2e-5, 1e-5);
        BenchSupport.checkFinite("attention dk", dk);
        BenchSupport.checkFinite("attention dv", dv);
        be.close();
    }

    private Tensor prefix(Tensor t) {
        float[] all = t.toFloatArray(), p = new float[CHECKED * heads * dim];
        System.arraycopy(all, 0, p, 0, p.length);
        return Tensor.of(p, CHECKED, heads, dim);
    }
}
