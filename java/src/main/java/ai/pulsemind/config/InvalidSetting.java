package ai.pulsemind.config;

/**
 * A configuration value that is out of range, named by the setting it belongs to: the record component or
 * parameter name ({@code recordsPerShard}), never a CLI flag, because the library does not know how it was called.
 * The CLI rewrites the name into the flag that set it ({@code --shard-size must be >= 1, got 0}); an embedder sees
 * {@link #setting()} and {@link #problem()} and can name its own field.
 *
 * <p>The message is {@code setting + " " + problem}, so {@code problem} reads as the rest of a sentence:
 * {@code "must be >= 1, got 0"}.
 */
public final class InvalidSetting extends IllegalArgumentException {
    private final String setting;
    private final String problem;

    public InvalidSetting(String setting, String problem) {
        super(setting + " " + problem);
        this.setting = setting;
        this.problem = problem;
    }

    /** The setting's name in the library ({@code recordsPerShard}). */
    public String setting() { return setting; }

    /** What is wrong, as the rest of a sentence that starts with the setting's name. */
    public String problem() { return problem; }

    /** Throws unless {@code value >= min}. */
    public static void atLeast(String setting, long value, long min) {
        if (value < min) throw new InvalidSetting(setting, "must be >= " + min + ", got " + value);
    }

    /** Throws with {@code problem} unless {@code ok}. */
    public static void require(boolean ok, String setting, String problem) {
        if (!ok) throw new InvalidSetting(setting, problem);
    }

    /** The first {@code InvalidSetting} in {@code t}'s cause chain, or null. */
    public static InvalidSetting in(Throwable t) {
        for (Throwable c = t; c != null; c = c.getCause()) if (c instanceof InvalidSetting s) return s;
        return null;
    }
}
