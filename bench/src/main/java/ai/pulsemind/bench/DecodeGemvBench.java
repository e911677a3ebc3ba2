package ai.pulsemind.bench;

import ai.pulsemind.backend.cpu.CpuBackend;
import ai.pulsemind.backend.cpu.ReferenceBackend;
import ai.pulsemind.tensor.DType;
import ai.pulsemind.tensor.Shape;
import ai.pulsemind.tensor.Tensor;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;
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

import java.lang.foreign.MemorySegment;
import java.nio.ByteOrder;
import java.util.concurrent.TimeUnit;

/**
 * The decode step's product, y (1, n) = x (1, k) · Wᵀ with W (n, k) bf16 as stored, against the read bandwidth
 * of the same pages. Each op goes once through {@code copies} distinct weights (64 × (4864, 896) bf16 = 557 MB,
 * far past the L3), as a decode step goes through its layers:
 * <ul>
 *   <li>{@code gemv}: one backend product per weight, as the model calls it (the pool splits each product over
 *   its threads and joins);</li>
 *   <li>{@code sum}: a plain four-chain vector sum of the same bytes, the weights dealt round-robin to
 *   {@code threads} threads with no synchronisation per weight: what these pages give a reader.</li>
 * </ul>
 * Bytes per op are copies·n·k·2 for both, so sum's time over gemv's is the fraction of the bandwidth the GEMV
 * draws. Decode tokens/s cannot exceed the read bandwidth over the weight bytes per token.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Fork(value = 1, jvmArgsAppend = {"--enable-native-access=ALL-UNNAMED", "--add-modules", "jdk.incubator.vector", "-Xmx8g"})
@Warmup(iterations = 5, time = 1)
@Measurement(iterations = 10, time = 1)
public class DecodeGemvBench {
    private static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;

    @Param("4864")
    public int n;
    @Param("896")
    public int k;
    @Param("64")
    public int copies;
    @Param("2")
    public int threads;

    private CpuBackend be;
    private Tensor x, y, wf;
    private Tensor[] w;

    @Setup
    public void setup() {
        be = new CpuBackend(threads);
        x = BenchSupport.uniform(1, 1, 1, k);
        y = Tensor.hostZeros(DType.F32, Shape.of(1, n));
        wf = BenchSupport.uniform(2, 1, n, k);
        ReferenceBackend ref = new ReferenceBackend();
        w = new Tensor[copies];
        for (int c = 0; c < copies; c++) {
            w[c] = Tensor.hostEmpty(DType.BF16, Shape.of(n, k));
            ref.convert(wf, w[c]);
        }
    }

    @Benchmark
    public void gemv(Blackhole bh) {
        for (Tensor wc : w) be.matmul(x, false, wc, true, y, 1f, 0f);
        bh.consume(y);
    }

    @Benchmark
    public void sum(Blackhole bh) throws InterruptedException {
        float[] part = new float[threads];
        Thread[] ts = new Thread[threads - 1];
        for (int t = 1; t < threads; t++) {
            int id = t;
            ts[t - 1] = Thread.ofPlatform().start(() -> part[id] = sumEvery(id));
        }
        part[0] = sumEvery(0);
        for (Thread t : ts) t.join();
        bh.consume(part);
    }

    /** Σ over the weights id, id + threads, … */
    private float sumEvery(int id) {
        float s = 0;
        for (int c = id; c < copies; c += threads) {
            MemorySegment m = w[c].segment();
            s += sum(m, m.byteSize());
        }
        return s;
    }

    private static float sum(MemorySegment m, long bytes) {
        int step = S.vectorByteSize();
        FloatVector a = FloatVector.zero(S), b = a, c = a, d = a; // four chains: the loads, not add latency, bound it
        long o = 0;
        for (; o + 4L * step <= bytes; o += 4L * step) {
            a = a.add(FloatVector.fromMemorySegment(S, m, o, ByteOrder.nativeOrder()));
            b = b.add(FloatVector.fromMemorySegment(S, m, o + step, ByteOrder.nativeOrder()));
            c = c.add(FloatVector.fromMemorySegment(S, m, o + 2L * step, ByteOrder.nativeOrder()));
            d = d.add(FloatVector.fromMemorySegment(S, m, o + 3L * step, ByteOrder.nativeOrder()));
        }
        float s = a.add(b).add(c).add(d).reduceLanes(VectorOperators.ADD);
        for (; o < bytes; o++) s += m.get(java.lang.foreign.ValueLayout.JAVA_BYTE, o);
        return s;
    }

    /** The product of the last weight against the reference on the bf16-rounded weights. */
    @TearDown
    public void check() {
        ReferenceBackend ref = new ReferenceBackend();
        Tensor yr = Tensor.hostZeros(DType.F32, Shape.of(1, n)), rounded = Tensor.hostZeros(DType.F32, Shape.of(n, k));
        be.matmul(x, false, w[copies - 1], true, y, 1f, 0f);
        ref.convert(w[copies - 1], rounded);
        ref.matmul(x, false, rounded, true, yr, 1f, 0f);
        BenchSupport.checkClose("gemv", y.toFloatArray(), yr.toFloatArray(), 1e-4, 1e-4);
        be.close();
    }
}
