package ai.pulsemind.evaluate.stats;

import org.apache.commons.math3.stat.descriptive.rank.Percentile;

import java.util.SplittableRandom;
import java.util.function.Function;
import java.util.function.ToDoubleFunction;

/**
 * Case-level percentile bootstrap: resample the n cases with replacement, recompute the statistic on each
 * resample, and take the (1 − level)/2 and (1 + level)/2 quantiles of the resampled values (linear interpolation,
 * numpy's default, so the figures can be checked with {@code np.percentile}). Cases, not individual judgments, are
 * resampled, because the judgments of one case (its dimensions, its turns, its baselines) are not independent.
 *
 * <p>Deterministic: the resamples are drawn from a {@link SplittableRandom} seeded with {@code seed}, which the
 * interval records so a report can say how it was made.
 */
public final class Bootstrap {
    /** The usual settings: 95% intervals from 2,000 resamples. */
    public static final int DEFAULT_RESAMPLES = 2000;
    public static final double DEFAULT_LEVEL = 0.95;

    private Bootstrap() {}

    /**
     * @param estimate  the statistic on the cases as they are
     * @param low       lower end of the interval
     * @param high      upper end
     * @param level     e.g. 0.95
     * @param resamples how many resamples made it
     * @param seed      the seed they were drawn with
     */
    public record Interval(double estimate, double low, double high, double level, int resamples, long seed) {
        public double halfWidth() { return (high - low) / 2; }

        /** Whether the two intervals do not overlap. */
        public boolean separatedFrom(Interval o) { return high < o.low || o.high < low; }
    }

    /**
     * @param cases     n, the number of cases (at least 1)
     * @param statistic the statistic of a sample of cases, given as their indices in [0, n) with repeats; it is
     *                  called once on {@code 0..n-1} and once per resample. A statistic that is undefined on a
     *                  resample (NaN) leaves that resample out
     */
    public static Interval percentile(int cases, ToDoubleFunction<int[]> statistic, int resamples, double level, long seed) {
        return percentiles(cases, idx -> new double[] {statistic.applyAsDouble(idx)}, resamples, level, seed)[0];
    }

    /**
     * Intervals of several statistics from one set of resamples: the vector statistic is computed once per resample
     * (a Bradley–Terry fit, or every cell of a win-rate table), and component k's interval is the percentile interval
     * of component k. The resamples are the same as {@link #percentile}'s for the same seed, so the scalar and the
     * vector forms agree component by component.
     *
     * @param statistic the statistics of a sample of cases (indices in [0, n) with repeats); it must return arrays of
     *                  one length. A component that is NaN on a resample leaves that resample out of that component
     *                  only
     */
    public static Interval[] percentiles(int cases, Function<int[], double[]> statistic, int resamples, double level, long seed) {
        if (cases < 1) throw new IllegalArgumentException("bootstrap needs at least one case, got " + cases);
        if (resamples < 1) throw new IllegalArgumentException("resamples must be >= 1, got " + resamples);
        if (!(level > 0 && level < 1)) throw new IllegalArgumentException("level must be in (0, 1), got " + level);
        int[] all = new int[cases];
        for (int i = 0; i < cases; i++) all[i] = i;
        double[] estimate = statistic.apply(all).clone();
        int k = estimate.length;
        SplittableRandom rnd = new SplittableRandom(seed);
        double[][] values = new double[k][resamples]; // (K, R): component-major, so each row is one percentile
        int[] kept = new int[k];
        int[] sample = new int[cases];
        for (int r = 0; r < resamples; r++) {
            for (int i = 0; i < cases; i++) sample[i] = rnd.nextInt(cases);
            double[] v = statistic.apply(sample);
            if (v.length != k)
                throw new IllegalArgumentException("the statistic returned " + v.length + " values on a resample, " + k + " on the cases");
            for (int j = 0; j < k; j++) if (!Double.isNaN(v[j])) values[j][kept[j]++] = v[j];
        }
        double alpha = (1 - level) / 2;
        Interval[] out = new Interval[k];
        Percentile p = new Percentile().withEstimationType(Percentile.EstimationType.R_7);
        for (int j = 0; j < k; j++) {
            if (kept[j] == 0) { out[j] = new Interval(estimate[j], Double.NaN, Double.NaN, level, resamples, seed); continue; }
            p.setData(values[j], 0, kept[j]);
            out[j] = new Interval(estimate[j], p.evaluate(100 * alpha), p.evaluate(100 * (1 - alpha)), level, resamples, seed);
        }
        return out;
    }

    /** The interval of a mean of per-case values. */
    public static Interval mean(double[] perCase, int resamples, double level, long seed) {
        return percentile(perCase.length, idx -> {
            double s = 0;
            for (int i : idx) s += perCase[i];
            return s / idx.length;
        }, resamples, level, seed);
    }

    public static Interval mean(double[] perCase, long seed) { return mean(perCase, DEFAULT_RESAMPLES, DEFAULT_LEVEL, seed); }
}
