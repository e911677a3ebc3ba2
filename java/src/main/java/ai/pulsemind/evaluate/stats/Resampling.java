package ai.pulsemind.evaluate.stats;

/**
 * How every interval of an analysis is made: a case-level percentile {@link Bootstrap} with {@code resamples}
 * resamples at confidence {@code level}, drawn with {@code seed}. Recorded with the results, so a report says how
 * its intervals were made and a rerun with the same seed reproduces them exactly.
 */
public record Resampling(int resamples, double level, long seed) {
    public Resampling {
        if (resamples < 1) throw new IllegalArgumentException("resamples must be >= 1, got " + resamples);
        if (!(level > 0 && level < 1)) throw new IllegalArgumentException("level must be in (0, 1), got " + level);
    }

    /** 95% intervals from {@value Bootstrap#DEFAULT_RESAMPLES} resamples. */
    public static Resampling defaults(long seed) { return new Resampling(Bootstrap.DEFAULT_RESAMPLES, Bootstrap.DEFAULT_LEVEL, seed); }
}
