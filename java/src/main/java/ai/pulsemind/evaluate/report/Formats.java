package ai.pulsemind.evaluate.report;

import ai.pulsemind.evaluate.stats.Bootstrap.Interval;
import ai.pulsemind.evaluate.stats.Resampling;

import java.util.Locale;

/** Numbers as reports print them: locale-independent, fixed decimals, "n/a" for an undefined value. */
public final class Formats {
    private Formats() {}

    /** 0.6234 → "62.3%". */
    public static String percent(double fraction) {
        return Double.isNaN(fraction) ? "n/a" : String.format(Locale.ROOT, "%.1f%%", 100 * fraction);
    }

    /** The interval's ends as percentages: "58.1–66.4%". */
    public static String percentRange(Interval iv) {
        if (Double.isNaN(iv.low()) || Double.isNaN(iv.high())) return "n/a";
        return String.format(Locale.ROOT, "%.1f–%.1f%%", 100 * iv.low(), 100 * iv.high());
    }

    /** "62.3% [58.1, 66.4]". */
    public static String percentWithInterval(Interval iv) {
        if (Double.isNaN(iv.estimate())) return "n/a";
        if (Double.isNaN(iv.low())) return percent(iv.estimate());
        return String.format(Locale.ROOT, "%.1f%% [%.1f, %.1f]", 100 * iv.estimate(), 100 * iv.low(), 100 * iv.high());
    }

    /** {@code decimals} fixed decimals. */
    public static String number(double v, int decimals) {
        return Double.isNaN(v) ? "n/a" : String.format(Locale.ROOT, "%." + decimals + "f", v);
    }

    /** "1043.2 [1012.5, 1071.9]". */
    public static String numberWithInterval(Interval iv, int decimals) {
        if (Double.isNaN(iv.estimate())) return "n/a";
        if (Double.isNaN(iv.low())) return number(iv.estimate(), decimals);
        return number(iv.estimate(), decimals) + " [" + number(iv.low(), decimals) + ", " + number(iv.high(), decimals) + "]";
    }

    /** How the intervals were made, for a footnote. */
    public static String method(Resampling r) {
        return String.format(Locale.ROOT, "Intervals: %s%% case-level percentile bootstrap (all judgments of a case resampled together), %d resamples, seed %d.",
                number(100 * r.level(), 0), r.resamples(), r.seed());
    }
}
