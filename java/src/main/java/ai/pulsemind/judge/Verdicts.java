package ai.pulsemind.judge;

import java.util.Collections;
import java.util.EnumMap;
import java.util.Map;

/**
 * A verdict on every dimension, each with a short rationale, as seen in one presentation order ("A" is the answer
 * shown first).
 *
 * @param verdicts   all four dimensions
 * @param rationales per dimension; a missing one reads as ""
 */
public record Verdicts(Map<Dimension, Verdict> verdicts, Map<Dimension, String> rationales) {
    public Verdicts {
        EnumMap<Dimension, Verdict> v = new EnumMap<>(Dimension.class);
        v.putAll(verdicts);
        for (Dimension d : Dimension.values())
            if (v.get(d) == null) throw new IllegalArgumentException("no verdict for " + d.key());
        EnumMap<Dimension, String> r = new EnumMap<>(Dimension.class);
        for (Dimension d : Dimension.values()) r.put(d, rationales.get(d) == null ? "" : rationales.get(d));
        verdicts = Collections.unmodifiableMap(v);
        rationales = Collections.unmodifiableMap(r);
    }

    public Verdict get(Dimension d) { return verdicts.get(d); }

    public String rationale(Dimension d) { return rationales.get(d); }

    /** The same verdicts with A and B exchanged: a swapped order's verdicts in the original positions. */
    public Verdicts flip() {
        EnumMap<Dimension, Verdict> v = new EnumMap<>(Dimension.class);
        verdicts.forEach((d, x) -> v.put(d, x.flip()));
        return new Verdicts(v, rationales);
    }

    /** The same verdict, with no rationale, on every dimension. */
    public static Verdicts all(Verdict v) {
        EnumMap<Dimension, Verdict> m = new EnumMap<>(Dimension.class);
        for (Dimension d : Dimension.values()) m.put(d, v);
        return new Verdicts(m, Map.of());
    }
}
