package ai.pulsemind.judge;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.util.EnumMap;

/**
 * The JSON of verdicts, scores and judgments: cache values and the lines of {@code judgments.jsonl}.
 *
 * <pre>
 * verdicts:  {"proactiveness": {"verdict": "A", "reason": "…"}, "accuracy": …, "usefulness": …, "language": …}
 * scores:    {"proactiveness": {"score": 4, "reason": "…"}, …}
 * judgment:  {"id": …, "judge": …, "verdicts": {"proactiveness": "A", …}, "rationales": {…},
 *             "orders": {"ab": {verdicts…, "cached": false}, "ba": {…}}, "flips": ["accuracy"],
 *             "members": [judgment, …], "error": "…"}
 * </pre>
 * In {@code orders}, {@code ab} showed a first and {@code ba} showed b first; each holds the raw verdicts in the
 * positions shown (in {@code ba}, "A" means the original b), or {@code {"error": …}}.
 */
public final class JudgeJson {
    public static final ObjectMapper JSON = new ObjectMapper();

    private JudgeJson() {}

    public static ObjectNode verdicts(Verdicts v) {
        ObjectNode o = JSON.createObjectNode();
        for (Dimension d : Dimension.values()) o.putObject(d.key()).put("verdict", v.get(d).json()).put("reason", v.rationale(d));
        return o;
    }

    /** The inverse of {@link #verdicts(Verdicts)}; null when the node is not complete verdicts. */
    public static Verdicts verdicts(JsonNode o) {
        EnumMap<Dimension, Verdict> v = new EnumMap<>(Dimension.class);
        EnumMap<Dimension, String> r = new EnumMap<>(Dimension.class);
        for (Dimension d : Dimension.values()) {
            Verdict x = Verdict.parse(o.path(d.key()).path("verdict").asText(null));
            if (x == null) return null;
            v.put(d, x);
            r.put(d, o.path(d.key()).path("reason").asText(""));
        }
        return new Verdicts(v, r);
    }

    public static ObjectNode scores(Scores s) {
        ObjectNode o = JSON.createObjectNode();
        for (Dimension d : Dimension.values()) o.putObject(d.key()).put("score", s.get(d)).put("reason", s.rationale(d));
        return o;
    }

    /** The inverse of {@link #scores(Scores)}; null when the node is not complete scores. */
    public static Scores scores(JsonNode o) {
        EnumMap<Dimension, Integer> s = new EnumMap<>(Dimension.class);
        EnumMap<Dimension, String> r = new EnumMap<>(Dimension.class);
        for (Dimension d : Dimension.values()) {
            JsonNode x = o.path(d.key()).path("score");
            if (!x.canConvertToInt() || x.asInt() < 1 || x.asInt() > 5) return null;
            s.put(d, x.asInt());
            r.put(d, o.path(d.key()).path("reason").asText(""));
        }
        return new Scores(s, r);
    }

    public static ObjectNode judgment(Judgment j) {
        ObjectNode o = JSON.createObjectNode();
        o.put("id", j.id());
        o.put("judge", j.judge());
        if (j.ok()) {
            ObjectNode v = o.putObject("verdicts"), r = o.putObject("rationales");
            for (Dimension d : Dimension.values()) {
                v.put(d.key(), j.verdict(d).json());
                r.put(d.key(), j.rationales().get(d));
            }
        }
        if (j.forward() != null) {
            ObjectNode orders = o.putObject("orders");
            orders.set("ab", order(j.forward()));
            if (j.swapped() != null) orders.set("ba", order(j.swapped()));
            ArrayNode flips = o.putArray("flips");
            for (Dimension d : Dimension.values()) if (j.flipped(d)) flips.add(d.key());
        }
        if (!j.members().isEmpty()) {
            ArrayNode m = o.putArray("members");
            for (Judgment x : j.members()) m.add(judgment(x));
        }
        if (!j.ok()) o.put("error", j.error());
        return o;
    }

    private static ObjectNode order(Judgment.Order ord) {
        ObjectNode o = ord.ok() ? verdicts(ord.raw()) : JSON.createObjectNode().put("error", ord.error());
        o.put("cached", ord.cached());
        return o;
    }

    public static ObjectNode scoreJudgment(ScoreJudgment s) {
        ObjectNode o = JSON.createObjectNode();
        o.put("id", s.id());
        o.put("judge", s.judge());
        if (s.ok()) o.set("scores", scores(s.scores()));
        o.put("cached", s.cached());
        if (!s.members().isEmpty()) {
            ArrayNode m = o.putArray("members");
            for (ScoreJudgment x : s.members()) m.add(scoreJudgment(x));
        }
        if (!s.ok()) o.put("error", s.error());
        return o;
    }
}
