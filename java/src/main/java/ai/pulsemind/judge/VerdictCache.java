package ai.pulsemind.judge;

/**
 * Judge answers kept on disk, by {@link CacheKey}: a second run of the same judgments makes no judge calls.
 * Values are the JSON of {@link Verdicts} or {@link Scores}; only successful answers are kept, so a rerun asks
 * again what failed. Implementations are thread-safe.
 */
public interface VerdictCache extends AutoCloseable {
    /** The value stored under {@code key}, or null. */
    String get(String key);

    /** Stores {@code value}; once this returns, a crash of the process does not lose it. */
    void put(String key, String judge, String value);

    @Override default void close() {}

    /** Keeps nothing. */
    VerdictCache NONE = new VerdictCache() {
        @Override public String get(String key) { return null; }

        @Override public void put(String key, String judge, String value) {}
    };
}
