package ai.pulsemind.bench;

import ai.pulsemind.backend.cpu.CpuBackend;
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

import java.util.Random;
import java.util.concurrent.TimeUnit;

/** f32 GEMM C = A·B, square, on the fast CPU backend. FLOP = 2·n³. */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Fork(value = 1, jvmArgsAppend = {"--enable-native-access=ALL-UNNAMED", "--add-modules", "jdk.incubator.vector", "-Xmx8g"})
@Warmup(iterations = 4, time = 2)
@Measurement(iterations = 8, time = 2)
public class GemmBench {
    @Param({"1024", "2048"})
    public int n;
    /** 0: all cores. */
    @Param("0")
    public int threads;

    private CpuBackend be;
    private Tensor a, b, c;

    @Setup
    public void setup() {
        be = new CpuBackend(threads);
        a = BenchSupport.uniform(1, 1, n, n);
        b = BenchSupport.uniform(2, 1, n, n);
        c = Tensor.hostEmpty(DType.F32, Shape.of(n, n));
    }

    @Benchmark
    public void matmul(Blackhole bh) {
        be.matmul(a, false, b, false, c, 1f, 0f);
        bh.consume(c);
    }

    /** The last product, spot-checked against double dot products. */
    @TearDown
    public void check() {
        Random rnd = new Random(3);
        for (int s = 0; s < 64; s++) {
            int i = rnd.nextInt(n), j = rnd.nextInt(n);
            double ref = 0;
            for (int q = 0; q < n; q++) ref += (double) a.getFloat((long) i * n + q) * b.getFloat((long) q * n + j);
            float got = c.getFloat((long) i * n + j);
            BenchSupport.checkClose("gemm C[" + i + "," + j + "]", new float[] {got}, new float[] {(float) ref}, 1e-4 * Math.sqrt(n), 1e-5);
        }
        be.close();
    }
}
