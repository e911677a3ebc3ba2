package ai.pulsemind.bench;

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

import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;

/**
 * Fused LM head + log-softmax + gather: N tokens, width C, vocabulary V. FLOP 2·N·C·V forward (the logits
 * GEMM), 3× that backward (logits again, dW, dH).
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Fork(value = 1, jvmArgsAppend = {"--enable-native-access=ALL-UNNAMED", "--add-modules", "jdk.incubator.vector", "-Xmx8g"})
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 6, time = 2)
public class LogprobBench {
    @Param("512")
    public int tokens;
    @Param("1024")
    public int width;
    @Param("32000")
    public int vocab;
    @Param("0")
    public int threads;

    private CpuBackend be;
    private Tensor h, w, targets, logp, lse, dlogp, dh, dw;

    @Setup
    public void setup() {
        be = new CpuBackend(threads);
        h = BenchSupport.uniform(1, 1, tokens, width);
        w = BenchSupport.uniform(2, 0.05f, vocab, width);
        SplittableRandom rnd = new SplittableRandom(3);
        int[] t = new int[tokens];
        for (int i = 0; i < tokens; i++) t[i] = rnd.nextInt(vocab);
        targets = Tensor.ofInts(t, tokens);
        logp = Tensor.hostZeros(DType.F32, Shape.of(tokens));
        lse = Tensor.hostZeros(DType.F32, Shape.of(tokens));
        dlogp = BenchSupport.uniform(4, 1, tokens);
        dh = Tensor.hostZeros(DType.F32, Shape.of(tokens, width));
        dw = Tensor.hostZeros(DType.F32, Shape.of(vocab, width));
        be.logprob(h, w, targets, 1f, logp, lse);
    }

    @Benchmark
    public void forward(Blackhole bh) {
        be.logprob(h, w, targets, 1f, logp, lse);
        bh.consume(logp);
    }

    @Benchmark
    public void backward(Blackhole bh) {
        be.logprobBackward(h, w, targets, 1f, lse, dlogp, dh, dw);
        bh.consume(dh);
        bh.consume(dw);
    }

    /** The first tokens' log-probs and lse against the reference (tokens are independent). */
    @TearDown
    public void check() {
        int n = 4;
        float[] hs = new float[n * width];
        System.arraycopy(h.toFloatArray(), 0, hs, 0, hs.length);
        int[] ts = new int[n];
        System.arraycopy(targets.toIntArray(), 0, ts, 0, n);
        Tensor lp = Tensor.hostZeros(DType.F32, Shape.of(n)), ls = Tensor.hostZeros(DType.F32, Shape.of(n));
        new ReferenceBackend().logprob(Tensor.of(hs, n, width), w, Tensor.ofInts(ts, n), 1f, lp, ls);
        be.logprob(h, w, targets, 1f, logp, lse);
        float[] lpf = logp.toFloatArray(), lsf = lse.toFloatArray();
        BenchSupport.checkClose("logprob", java.util.Arrays.copyOf(lpf, n), lp.toFloatArray(), 5e-5, 1e-5);
        BenchSupport.checkClose("lse", java.util.Arrays.copyOf(lsf, n), ls.toFloatArray(), 5e-5, 1e-5);
        BenchSupport.checkFinite("logprob dh", dh);
        be.close();
    }
}
