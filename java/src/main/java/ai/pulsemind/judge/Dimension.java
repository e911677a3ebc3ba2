package ai.pulsemind.judge;

import ai.pulsemind.data.Quality;

import java.util.Locale;

/**
 * The four dimensions of the PulseMind Benchmark, in the order of {@link Quality#DIMENSIONS}, with the names used
 * in every file ({@link #key()}) and the paper's definitions.
 */
public enum Dimension {
    /** When the patient's information is incomplete, does the doctor ask for the key history or other helpful information. */
    PROACTIVENESS("主动性"),
    /** Are the diagnostic suggestions medically sound, free of factual errors and of over-inference. */
    ACCURACY("准确性"),
    /** Does the reply give the patient clear, actionable, practical help with their concern. */
    USEFULNESS("有用性"),
    /** Does it understand the patient's request and answer fluently, professionally and understandably. */
    LANGUAGE("语言质量");

    private final String zh;

    Dimension(String zh) { this.zh = zh; }

    /** The lower-case name in files and JSON: {@code proactiveness}, {@code accuracy}, {@code usefulness}, {@code language}. */
    public String key() { return name().toLowerCase(Locale.ROOT); }

    /** The Chinese name, e.g. 主动性. */
    public String zh() { return zh; }

    /** The dimension named by its key, its Chinese name, or {@code language_quality}; null when none. */
    public static Dimension parse(String name) {
        if (name == null) return null;
        String n = name.strip().toLowerCase(Locale.ROOT).replace(' ', '_').replace('-', '_');
        for (Dimension d : values()) if (d.key().equals(n) || d.zh.equals(n)) return d;
        return switch (n) { // names judge models also use
            case "language_quality", "语言" -> LANGUAGE;
            case "proactivity", "主动" -> PROACTIVENESS;
            case "helpfulness", "有用" -> USEFULNESS;
            case "correctness", "准确" -> ACCURACY;
            default -> null;
        };
    }

    /** The dimension with this key; an error naming the choices otherwise. */
    public static Dimension of(String key) {
        Dimension d = parse(key);
        if (d == null) throw new IllegalArgumentException("unknown dimension '" + key + "'; one of " + Quality.DIMENSIONS);
        return d;
    }
}
