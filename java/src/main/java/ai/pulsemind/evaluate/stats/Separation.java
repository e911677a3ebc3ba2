package ai.pulsemind.evaluate.stats;

import ai.pulsemind.evaluate.stats.Bootstrap.Interval;

import java.util.List;

/**
 * How well a set of estimates separates the things it ranks: of the {@code pairs} pairs, how many have
 * non-overlapping intervals ({@link Interval#separatedFrom}). Used to put absolute scores and relative judgments side
 * by side: the paper's point is that absolute 1–5 scores barely separate models while pairwise judgments do.
 */
public record Separation(int pairs, int separated) {
    public Separation {
        if (pairs < 0 || separated < 0 || separated > pairs)
            throw new IllegalArgumentException("separated pairs must be in [0, pairs], got " + separated + " of " + pairs);
    }

    /** Separated / pairs; NaN when there are fewer than two things to compare. */
    public double fraction() { return pairs == 0 ? Double.NaN : separated / (double) pairs; }

    /** The separation of every pair of {@code intervals}; intervals with NaN ends separate nothing. */
    public static Separation of(List<Interval> intervals) {
        int pairs = 0, sep = 0;
        for (int i = 0; i < intervals.size(); i++)
            for (int j = i + 1; j < intervals.size(); j++) {
                pairs++;
                if (intervals.get(i).separatedFrom(intervals.get(j))) sep++;
            }
        return new Separation(pairs, sep);
    }
}
