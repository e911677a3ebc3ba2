package ai.pulsemind.judge;

import java.util.Collections;
import java.util.EnumMap;
import java.util.Map;

/**
 * An absolute 1–5 score on every dimension (5 = best), each with a short rationale.
 *
 * @param scores     all four dimensions, each in 1..5
 * @param rationales per dimension; a missing one reads as ""
 */
public record Scores(Map<Dimension, Integer> scores, Map<Dimension, String> rationales) {
    public Scores {
        EnumMap<Dimension, Integer> s = new EnumMap<>(Dimension.class);
        s.putAll(scores);
        for (Dimension d : Dimension.values()) {
            Integer x = s.get(d);
            if (x == null) throw new IllegalArgumentException("no score for " + d.key());
            if (x < 1 || x > 5) throw new IllegalArgumentException(d.key() + " score must be 1..5, got " + x);
        }
        EnumMap<Dimension, String> r = new EnumMap<>(Dimension.class);
        for (Dimension d : Dimension.values()) r.put(d, rationales.get(d) == null ? "" : rationales.get(d));
        scores = Collections.unmodifiableMap(s);
        rationales = Collections.unmodifiableMap(r);
    }

    public int get(Dimension d) { return scores.get(d); }

    public String rationale(Dimension d) { return rationales.get(d); }
}
