package ai.pulsemind.evaluate.publicbench;

import java.util.Locale;
import java.util.Map;

/** How multiple-choice answers are taken from replies ({@code --match}); open-ended scoring is the same in both. */
public enum Match {
    /** The paper's protocol: rules first, similarity fallback ({@link McqRules}). */
    PULSEMIND("pulsemind"),
    /** lm-evaluation-harness's flexible-extract filter, exactly ({@link LmEvalMatch}), for comparable numbers. */
    LM_EVAL("lm-eval");

    private final String flag;

    Match(String flag) { this.flag = flag; }

    public String flag() { return flag; }

    Extraction extract(String reply, Map<String, String> options) {
        return this == LM_EVAL ? LmEvalMatch.extract(reply, options) : McqRules.extract(reply, options);
    }

    public static Match parse(String s) {
        for (Match m : values()) if (m.flag.equals(s.strip().toLowerCase(Locale.ROOT))) return m;
        throw new IllegalArgumentException("--match: '" + s + "' is not pulsemind or lm-eval");
    }
}
