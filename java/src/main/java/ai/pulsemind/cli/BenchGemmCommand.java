package ai.pulsemind.cli;

import ai.pulsemind.backend.Backend;
import ai.pulsemind.backend.Backends;
import ai.pulsemind.tensor.DType;
import ai.pulsemind.tensor.Shape;
import ai.pulsemind.tensor.Tensor;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.util.Arrays;
import java.util.Random;
import java.util.concurrent.Callable;

/** {@code pulsemind bench gemm}: times C = A·B (f32) on the fast CPU backend and prints GFLOP/s. */
@Command(mixinStandardHelpOptions = true, name = "gemm", description = "Time an f32 GEMM C(MxN) = A(MxK)·B(KxN) and print GFLOP/s.")
public final class BenchGemmCommand implements Callable<Integer> {
    @Option(names = "--m", defaultValue = "1024") int m;
    @Option(names = "--n", defaultValue = "1024") int n;
    @Option(names = "--k", defaultValue = "1024") int k;
    @Option(names = "--threads", defaultValue = "0", description = "CPU threads (0: all cores).") int threads;
    @Option(names = "--device", defaultValue = "cpu", description = "cpu, cpu-reference, cuda.") String device;
    @Option(names = "--reps", defaultValue = "0", description = "Timed repetitions (0: about one second's worth).") int reps;
    @Option(names = "--json", description = "Print one JSON line.") boolean json;

    @Override
    public Integer call() {
        if (m <= 0 || n <= 0 || k <= 0) throw new IllegalArgumentException("--m, --n, --k must be > 0");
        try (Backend be = Backends.open(device, threads)) {
            Random rnd = new Random(1);
            Tensor a = upload(be, m, k, rnd), b = upload(be, k, n, rnd);
            Tensor c = be.empty(DType.F32, Shape.of(m, n));
            double flop = 2.0 * m * n * k;
            for (int i = 0; i < 3; i++) be.matmul(a, false, b, false, c, 1f, 0f); // warm-up: JIT and caches
            be.synchronize();
            int r = reps > 0 ? reps : (int) Math.max(3, Math.min(1000, 1e9 / Math.max(1, time(be, a, b, c))));
            double[] ns = new double[r];
            for (int i = 0; i < r; i++) ns[i] = time(be, a, b, c);
            Arrays.sort(ns);
            double median = ns[r / 2];
            double gflops = flop / median;
            checkResult(be, a, b, c);
            if (json) {
                System.out.printf("{\"m\":%d,\"n\":%d,\"k\":%d,\"threads\":%d,\"backend\":\"%s\",\"median_ms\":%.4f,\"gflops\":%.2f}%n",
                        m, n, k, threads > 0 ? threads : Backends.defaultThreads(), be.name(), median / 1e6, gflops);
            } else {
                System.out.printf("gemm %dx%dx%d on %s: median %.3f ms over %d runs, %.1f GFLOP/s%n",
                        m, n, k, be.name(), median / 1e6, r, gflops);
            }
        }
        return 0;
    }

    private static Tensor upload(Backend be, int rows, int cols, Random rnd) {
        float[] v = new float[rows * cols];
        for (int i = 0; i < v.length; i++) v[i] = rnd.nextFloat() * 2 - 1;
        try (Tensor h = Tensor.of(v, rows, cols)) {
            return be.upload(h);
        }
    }

    private static double time(Backend be, Tensor a, Tensor b, Tensor c) {
        long t0 = System.nanoTime();
        be.matmul(a, false, b, false, c, 1f, 0f);
        be.synchronize();
        return System.nanoTime() - t0;
    }

    /** A benchmark that cannot lie: spot-check a few entries of C against a double dot product. */
    private static void checkResult(Backend be, Tensor a, Tensor b, Tensor c) {
        Tensor ha = host(be, a), hb = host(be, b), hc = host(be, c);
        int m = a.dim(0), k = a.dim(1), n = b.dim(1);
        Random rnd = new Random(7);
        for (int s = 0; s < 16; s++) {
            int i = rnd.nextInt(m), j = rnd.nextInt(n);
            double ref = 0;
            for (int q = 0; q < k; q++) ref += (double) ha.getFloat((long) i * k + q) * hb.getFloat((long) q * n + j);
            double got = hc.getFloat((long) i * n + j);
            if (Math.abs(got - ref) > 1e-3 * Math.sqrt(k) + 1e-3 * Math.abs(ref))
                throw new IllegalStateException("gemm result wrong at (" + i + ", " + j + "): " + got + " vs " + ref);
        }
    }

    private static Tensor host(Backend be, Tensor t) {
        if (t.device().isHost()) return t;
        Tensor h = Tensor.hostEmpty(t.dtype(), t.shape());
        be.copy(t, h);
        return h;
    }
}
