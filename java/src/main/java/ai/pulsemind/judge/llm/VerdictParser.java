package ai.pulsemind.judge.llm;

import ai.pulsemind.judge.Dimension;
import ai.pulsemind.judge.Scores;
import ai.pulsemind.judge.Verdict;
import ai.pulsemind.judge.Verdicts;
import com.fasterxml.jackson.core.json.JsonReadFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;

import java.util.ArrayList;
import java.util.EnumMap;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Reads a judge model's answer, tolerantly: the JSON object may sit in a fenced code block or among prose, use
 * single quotes, unquoted keys, trailing commas or comments, nest the dimensions under a key such as
 * {@code "verdicts"}, name them in Chinese (主动性, 准确性, 有用性, 语言质量), and give each as a string or as an
 * object with {@code winner}/{@code verdict}/{@code better} and {@code reason}. Verdicts may be spelled "A",
 * "Answer B", "回答A", "tie", "draw", "equal", "平局", …; scores as 4, "4", "4/5".
 * The first object that yields all four dimensions wins; when none does, the result says why.
 */
public final class VerdictParser {
    /** A parsed value, or why there was none. */
    public record Parsed<T>(T value, String error) {
        public boolean ok() { return value != null; }
    }

    private static final ObjectMapper LENIENT = JsonMapper.builder()
            .enable(JsonReadFeature.ALLOW_SINGLE_QUOTES, JsonReadFeature.ALLOW_UNQUOTED_FIELD_NAMES,
                    JsonReadFeature.ALLOW_TRAILING_COMMA, JsonReadFeature.ALLOW_JAVA_COMMENTS,
                    JsonReadFeature.ALLOW_UNESCAPED_CONTROL_CHARS).build();
    private static final Pattern FENCE = Pattern.compile("```[a-zA-Z]*\\s*\\n?(.*?)```", Pattern.DOTALL);
    private static final List<String> VERDICT_KEYS = List.of("winner", "verdict", "better", "choice", "result", "preferred", "judgment", "胜者", "结果");
    private static final List<String> REASON_KEYS = List.of("reason", "rationale", "explanation", "justification", "why", "理由", "原因");
    private static final List<String> SCORE_KEYS = List.of("score", "rating", "value", "分数", "评分");

    private VerdictParser() {}

    public static Parsed<Verdicts> verdicts(String text) {
        for (JsonNode o : candidates(text)) {
            Verdicts v = verdictsOf(o);
            if (v != null) return new Parsed<>(v, null);
        }
        return new Parsed<>(null, "unparseable verdict: no JSON object with a verdict on all four dimensions in " + excerpt(text));
    }

    public static Parsed<Scores> scores(String text) {
        for (JsonNode o : candidates(text)) {
            Scores s = scoresOf(o);
            if (s != null) return new Parsed<>(s, null);
        }
        return new Parsed<>(null, "unparseable scores: no JSON object with a 1-5 score on all four dimensions in " + excerpt(text));
    }

    /** JSON objects in the text: fenced blocks first, then every balanced {…} from left to right. */
    static List<JsonNode> candidates(String text) {
        List<JsonNode> out = new ArrayList<>();
        if (text == null) return out;
        Matcher m = FENCE.matcher(text);
        while (m.find()) addObjects(m.group(1), out);
        addObjects(text, out);
        return out;
    }

    private static void addObjects(String s, List<JsonNode> out) {
        for (int start = s.indexOf('{'); start >= 0; start = s.indexOf('{', start + 1)) {
            int end = balanced(s, start);
            if (end < 0) continue;
            try {
                JsonNode n = LENIENT.readTree(s.substring(start, end + 1));
                if (n != null && n.isObject()) {
                    out.add(n);
                    start = end; // the objects inside it are reached through it
                }
            } catch (java.io.IOException notJson) {
                // try the next brace
            }
        }
    }

    /** The index of the brace that closes the one at {@code start}, skipping string contents; -1 if none. */
    private static int balanced(String s, int start) {
        int depth = 0;
        char quote = 0;
        for (int i = start; i < s.length(); i++) {
            char c = s.charAt(i);
            if (quote != 0) {
                if (c == '\\') i++;
                else if (c == quote) quote = 0;
            } else if (c == '"' || c == '\'' && (i == 0 || !Character.isLetter(s.charAt(i - 1)))) quote = c;
            else if (c == '{') depth++;
            else if (c == '}' && --depth == 0) return i;
        }
        return -1;
    }

    /** The dimensions' nodes, from the object itself or from one object nested in it. */
    private static EnumMap<Dimension, JsonNode> dimensions(JsonNode o) {
        EnumMap<Dimension, JsonNode> found = new EnumMap<>(Dimension.class);
        for (Iterator<Map.Entry<String, JsonNode>> it = o.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            Dimension d = Dimension.parse(e.getKey());
            if (d != null) found.putIfAbsent(d, e.getValue());
        }
        if (found.size() == Dimension.values().length) return found;
        for (JsonNode child : o) if (child.isObject()) {
            EnumMap<Dimension, JsonNode> inner = dimensions(child);
            if (inner.size() == Dimension.values().length) return inner;
        }
        return found;
    }

    private static Verdicts verdictsOf(JsonNode o) {
        EnumMap<Dimension, JsonNode> dims = dimensions(o);
        if (dims.size() < Dimension.values().length) return null;
        EnumMap<Dimension, Verdict> v = new EnumMap<>(Dimension.class);
        EnumMap<Dimension, String> r = new EnumMap<>(Dimension.class);
        for (var e : dims.entrySet()) {
            JsonNode n = e.getValue();
            Verdict x = n.isObject() ? verdict(first(n, VERDICT_KEYS)) : verdict(n);
            if (x == null) return null;
            v.put(e.getKey(), x);
            r.put(e.getKey(), n.isObject() ? text(first(n, REASON_KEYS)) : "");
        }
        return new Verdicts(v, r);
    }

    private static Scores scoresOf(JsonNode o) {
        EnumMap<Dimension, JsonNode> dims = dimensions(o);
        if (dims.size() < Dimension.values().length) return null;
        EnumMap<Dimension, Integer> s = new EnumMap<>(Dimension.class);
        EnumMap<Dimension, String> r = new EnumMap<>(Dimension.class);
        for (var e : dims.entrySet()) {
            JsonNode n = e.getValue();
            Integer x = score(n.isObject() ? first(n, SCORE_KEYS) : n);
            if (x == null) return null;
            s.put(e.getKey(), x);
            r.put(e.getKey(), n.isObject() ? text(first(n, REASON_KEYS)) : "");
        }
        return new Scores(s, r);
    }

    private static JsonNode first(JsonNode o, List<String> keys) {
        for (String k : keys) {
            for (Iterator<String> it = o.fieldNames(); it.hasNext(); ) {
                String f = it.next();
                if (f.strip().toLowerCase(Locale.ROOT).equals(k)) return o.get(f);
            }
        }
        return null;
    }

    private static String text(JsonNode n) { return n == null || n.isNull() ? "" : n.isTextual() ? n.asText() : n.toString(); }

    private static final Pattern LETTER = Pattern.compile("^(?:answer|response|reply|option|回答|答案|选项)?\\s*[\"'(（]?([ab])\\b", Pattern.CASE_INSENSITIVE);

    // compiled once: the parser runs on every answer of a long run
    private static final Pattern TIE_WORD = Pattern.compile("tie|draw|equal|same|neither|both|even|平局|相同|持平|相当|一样|平手|无差别"),
            A_BETTER = Pattern.compile("a\\W*|a\\s+(is\\s+)?better.*|a\\s*更好.*", Pattern.DOTALL),
            B_BETTER = Pattern.compile("b\\W*|b\\s+(is\\s+)?better.*|b\\s*更好.*", Pattern.DOTALL),
            FIRST = Pattern.compile("first|1st|回答一|第一个"), SECOND = Pattern.compile("second|2nd|回答二|第二个"),
            SCORE = Pattern.compile("^\\s*([1-5](?:\\.0)?)\\b"), SPACES = Pattern.compile("\\s+");
    private static final Pattern LEANING = Pattern.compile(
            "\\b(to|towards|toward|favou?rs?|favou?ring|prefers?|preferring|leans?|leaning|over)\\s+(answer\\s+|response\\s+)?[\"'(]?[ab]\\b|(偏向|倾向|略好于?)\\s*(回答)?[ab]");

    /** A verdict from how models write one; null when it cannot be told. */
    static Verdict verdict(JsonNode n) {
        if (n == null || n.isNull()) return null;
        if (n.isNumber()) return n.asInt() == 1 ? Verdict.A : n.asInt() == 2 ? Verdict.B : n.asInt() == 0 ? Verdict.TIE : null;
        String s = n.asText().strip().toLowerCase(Locale.ROOT);
        if (s.isEmpty()) return null;
        if (TIE_WORD.matcher(s).lookingAt())
            return LEANING.matcher(s).find() ? null : Verdict.TIE; // "tie, slightly favouring A" is no verdict: asked again
        if (s.startsWith("a") && A_BETTER.matcher(s).matches()) return Verdict.A;
        if (s.startsWith("b") && B_BETTER.matcher(s).matches()) return Verdict.B;
        if (FIRST.matcher(s).lookingAt()) return Verdict.A;
        if (SECOND.matcher(s).lookingAt()) return Verdict.B;
        Matcher m = LETTER.matcher(s);
        if (m.find() && !s.contains("tie"))
            return m.group(1).equalsIgnoreCase("a") ? Verdict.A : Verdict.B;
        return null;
    }

    /** A 1–5 score from 4, 4.0, "4", "4/5", "4 out of 5"; null otherwise. */
    static Integer score(JsonNode n) {
        if (n == null || n.isNull()) return null;
        double x;
        if (n.isNumber()) x = n.asDouble();
        else {
            Matcher m = SCORE.matcher(n.asText());
            if (!m.find()) return null;
            x = Double.parseDouble(m.group(1));
        }
        if (x != Math.rint(x) || x < 1 || x > 5) return null;
        return (int) x;
    }

    static String excerpt(String text) {
        String s = text == null ? "" : SPACES.matcher(text.strip()).replaceAll(" ");
        return s.length() <= 120 ? "'" + s + "'" : "'" + s.substring(0, 120) + "…'";
    }
}
