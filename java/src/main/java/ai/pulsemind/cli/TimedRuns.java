package ai.pulsemind.cli;

import ai.pulsemind.config.InvalidSetting;

import java.util.Arrays;
import java.util.function.LongSupplier;

/**
 * Repetitions chosen by time, as JMH chooses them: untimed calls until a warm-up budget is spent (JIT, caches,
 * thread pools), then timed calls until a measurement budget is spent, so a small problem gets thousands of
 * repetitions and a large one a few, instead of a count guessed from one cold call. A fixed count overrides the
 * measurement budget. Each call is timed on its own and the median reported (robust to a noisy, shared machine).
 *
 * @param warmupSeconds  untimed calls until this much time has passed (at least {@link #MIN_WARMUP} calls)
 * @param measureSeconds timed calls until this much time has passed (at least {@link #MIN_REPS}, at most {@link #MAX_REPS})
 * @param reps           exactly this many timed calls instead (0: by {@code measureSeconds})
 */
record TimedRuns(double warmupSeconds, double measureSeconds, int reps) {
    static final int MIN_WARMUP = 3, MIN_REPS = 5, MAX_REPS = 100_000;

    TimedRuns {
        InvalidSetting.require(warmupSeconds >= 0, "warmupSeconds", "must be >= 0, got " + warmupSeconds);
        InvalidSetting.require(measureSeconds > 0, "measureSeconds", "must be > 0, got " + measureSeconds);
        InvalidSetting.atLeast("reps", reps, 0);
    }

    /** What was measured: the nanoseconds of each timed call, sorted, and the warm-up calls made before. */
    record Samples(double[] sortedNanos, int warmupCalls) {
        int count() { return sortedNanos.length; }

        double medianNanos() {
            double[] s = sortedNanos;
            return s.length % 2 == 1 ? s[s.length / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
        }
    }

    /** Runs {@code call} (which returns its own duration in nanoseconds, work finished) under this budget. */
    Samples run(LongSupplier call) { return run(call, System::nanoTime); }

    /** As {@link #run(LongSupplier)}, with the budget kept on {@code clock} (nanoseconds; tests pass their own). */
    Samples run(LongSupplier call, LongSupplier clock) {
        long start = clock.getAsLong();
        int warm = 0;
        while (warm < MIN_WARMUP || clock.getAsLong() - start < warmupSeconds * 1e9) {
            call.getAsLong();
            warm++;
        }
        double[] ns = new double[reps > 0 ? reps : 1024];
        int n = 0;
        start = clock.getAsLong();
        while (reps > 0 ? n < reps : n < MIN_REPS || (n < MAX_REPS && clock.getAsLong() - start < measureSeconds * 1e9)) {
            if (n == ns.length) ns = Arrays.copyOf(ns, Math.min(MAX_REPS, ns.length * 2));
            ns[n++] = call.getAsLong();
        }
        double[] out = Arrays.copyOf(ns, n);
        Arrays.sort(out);
        return new Samples(out, warm);
    }
}
