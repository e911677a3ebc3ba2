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
import jdk.incubator.vector.FloatVector;

import java.lang.foreign.MemorySegment;
import java.nio.ByteOrder;
import java.util.concurrent.TimeUnit;

/**
 * Bandwidth-bound row ops on (rows, cols) f32 — RMSNorm and softmax forward — next to the memory-copy baselines
 * of the same bytes (read rows·cols, write rows·cols): a single-threaded memcpy, one split over two threads, and
 * the backend's scale, a plain Vector API loop over the same bytes (what Java code can reach on this machine).
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Fork(value = 1, jvmArgsAppend = {"--enable-native-access=ALL-UNNAMED", "--add-modules", "jdk.incubator.vector", "-Xmx8g"})
@Warmup(iterations = 4, time = 1)
@Measurement(iterations = 10, time = 1)
public class RowOpsBench {
    @Param("4096")
    public int rows;
    @Param("4096")
    public int cols;
    @Param("0")
    public int threads;

    private CpuBackend be;
    private Tensor x, w, out, rstd;
    private MemorySegment src, dst;

    @Setup
    public void setup() {
        be = new CpuBackend(threads);
        x = BenchSupport.uniform(1, 3, rows, cols);
        w = BenchSupport.uniform(2, 1, cols);
        out = Tensor.hostZeros(DType.F32, Shape.of(rows, cols));
        rstd = Tensor.hostZeros(DType.F32, Shape.of(rows));
        src = x.segment();
        dst = out.segment();
    }

    @Benchmark
    public void rmsnorm(Blackhole bh) {
        be.rmsnorm(x, w, 1e-6f, out, rstd);
        bh.consume(out);
    }

    @Benchmark
    public void softmax(Blackhole bh) {
        be.softmax(x, out);
        bh.consume(out);
    }

    /** out = 0.5·x through the backend: the row ops' bytes through the simplest Vector API loop. */
    @Benchmark
    public void scale(Blackhole bh) {
        be.scale(x, 0.5f, out);
        bh.consume(out);
    }

    @Benchmark
    public void copy(Blackhole bh) {
        MemorySegment.copy(src, 0, dst, 0, src.byteSize());
        bh.consume(dst);
    }

    /** Each half copied by its own thread: the bandwidth two cores can draw. */
    @Benchmark
    public void copy2(Blackhole bh) throws InterruptedException {
        long half = src.byteSize() / 2 / 64 * 64;
        Thread t = Thread.ofPlatform().start(() -> MemorySegment.copy(src, half, dst, half, src.byteSize() - half));
        MemorySegment.copy(src, 0, dst, 0, half);
        t.join();
        bh.consume(dst);
    }

    /**
     * The same two-thread copy through Vector API loads and ordinary stores: the copy Java code can write. It
     * checks whether the JDK's copy stub gains from streaming stores a Java loop cannot issue; measured, it does
     * not (vcopy2 runs as fast as copy2 on both hosts of bench/results/rowops-2026-12-06b.md).
     */
    @Benchmark
    public void vcopy2(Blackhole bh) throws InterruptedException {
        long half = src.byteSize() / 2 / 64 * 64;
        Thread t = Thread.ofPlatform().start(() -> vectorCopy(src, dst, half, src.byteSize()));
        vectorCopy(src, dst, 0, half);
        t.join();
        bh.consume(dst);
    }

    /** Copies [from, to) in the machine's widest vectors (a fixed 512-bit species is emulated, slowly, on AVX2). */
    private static void vectorCopy(MemorySegment s, MemorySegment d, long from, long to) {
        int vb = FloatVector.SPECIES_PREFERRED.vectorByteSize();
        long b = from;
        for (; b + vb <= to; b += vb)
            FloatVector.fromMemorySegment(FloatVector.SPECIES_PREFERRED, s, b, ByteOrder.nativeOrder())
                    .intoMemorySegment(d, b, ByteOrder.nativeOrder());
        if (b < to) MemorySegment.copy(s, b, d, b, to - b);
    }

    /** RMSNorm and softmax of the first rows against the reference (rows are independent). */
    @TearDown
    public void check() {
        ReferenceBackend ref = new ReferenceBackend();
        int n = 8;
        float[] all = x.toFloatArray(), head = new float[n * cols];
        System.arraycopy(all, 0, head, 0, head.length);
        Tensor xs = Tensor.of(head, n, cols), os = Tensor.hostZeros(DType.F32, Shape.of(n, cols)), rs = Tensor.hostZeros(DType.F32, Shape.of(n));
        be.rmsnorm(x, w, 1e-6f, out, rstd);
        ref.rmsnorm(xs, w, 1e-6f, os, rs);
        BenchSupport.checkClose("rmsnorm", prefix(out, n), os.toFloatArray(), 2e-6, 1e-5);
        be.softmax(x, out);
        ref.softmax(xs, os);
        BenchSupport.checkClose("softmax", prefix(out, n), os.toFloatArray(), 2e-6, 1e-5);
        be.close();
    }

    private float[] prefix(Tensor t, int n) {
        float[] all = t.toFloatArray(), p = new float[n * cols];
        System.arraycopy(all, 0, p, 0, p.length);
        return p;
    }
}
