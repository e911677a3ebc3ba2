package ai.pulsemind.cli;

import ai.pulsemind.backend.Backend;
import ai.pulsemind.backend.Backends;
import ai.pulsemind.config.InvalidSetting;
import ai.pulsemind.tensor.DType;
import ai.pulsemind.tensor.Shape;
import ai.pulsemind.tensor.Tensor;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.util.Locale;
import java.util.Random;
import java.util.concurrent.Callable;

/**
 * {@code pulsemind bench gemm}: times C = A·B (f32) and prints GFLOP/s. Repetitions are chosen by time, as JMH does
 * ({@link TimedRuns}): a warm-up budget, then a measurement budget; the median call is reported and the result
 * spot-checked against a double-precision dot product.
 */
@Command(mixinStandardHelpOptions = true, name = "gemm", description = "Time an f32 GEMM C(MxN) = A(MxK)·B(KxN) and print GFLOP/s "
        + "(median call; repetitions chosen by a time budget; result spot-checked).")
public final class BenchGemmCommand implements Callable<Integer> {
    @Option(names = "--m", defaultValue = "1024", description = "Rows of A and C (default ${DEFAULT-VALUE}).") int m;
    @Option(names = "--n", defaultValue = "1024", description = "Columns of B and C (default ${DEFAULT-VALUE}).") int n;
    @Option(names = "--k", defaultValue = "1024", description = "Columns of A, rows of B (default ${DEFAULT-VALUE}).") int k;
    @Option(names = "--threads", defaultValue = "0", description = "CPU threads (default ${DEFAULT-VALUE}: all cores).") int threads;
    @Mixin DeviceOption device = new DeviceOption("cpu");
    @Option(names = "--warmup-time", defaultValue = "2.0", paramLabel = "SECONDS",
            description = "Untimed calls first for this long: JIT compilation (seconds on a busy machine), caches, thread pools "
                    + "(default ${DEFAULT-VALUE} s).")
    @Setting("warmupSeconds") double warmupTime;
    @Option(names = "--time", defaultValue = "1.0", paramLabel = "SECONDS",
            description = "Timed calls for this long, at least " + TimedRuns.MIN_REPS + " (default ${DEFAULT-VALUE} s).")
    @Setting("measureSeconds") double time;
    @Option(names = "--reps", defaultValue = "0",
            description = "Exactly this many timed calls instead of --time (default ${DEFAULT-VALUE}: by --time).") int reps;
    @Option(names = "--json", description = "Print one JSON line.") boolean json;

    @Override
    public Integer call() {
        InvalidSetting.atLeast("m", m, 1); // reported as --m, --n, --k (FlagNames)
        InvalidSetting.atLeast("n", n, 1);
        InvalidSetting.atLeast("k", k, 1);
        TimedRuns budget = new TimedRuns(warmupTime, time, reps);
        try (Backend be = device.open(threads)) {
            Random rnd = new Random(1);
            Tensor a = upload(be, m, k, rnd), b = upload(be, k, n, rnd);
            Tensor c = be.empty(DType.F32, Shape.of(m, n));
            double flop = 2.0 * m * n * k;
            TimedRuns.Samples s = budget.run(() -> time(be, a, b, c));
            double median = s.medianNanos();
            double gflops = flop / median;
            checkResult(be, a, b, c);
            if (json) {
                System.out.printf(Locale.ROOT, "{\"m\":%d,\"n\":%d,\"k\":%d,\"threads\":%d,\"backend\":\"%s\",\"median_ms\":%.6f,"
                                + "\"min_ms\":%.6f,\"reps\":%d,\"warmup_calls\":%d,\"gflops\":%.2f}%n",
                        m, n, k, threads > 0 ? threads : Backends.defaultThreads(), be.name(), median / 1e6,
                        s.sortedNanos()[0] / 1e6, s.count(), s.warmupCalls(), gflops);
            } else {
                System.out.printf(Locale.ROOT, "gemm %dx%dx%d on %s: median %.3f ms over %d runs (after %d warm-up), %.1f GFLOP/s%n",
                        m, n, k, be.name(), median / 1e6, s.count(), s.warmupCalls(), gflops);
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

    private static long time(Backend be, Tensor a, Tensor b, Tensor c) {
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
