package ai.pulsemind.evaluate.consult;

import ai.pulsemind.data.JsonlReader;
import ai.pulsemind.judge.Dimension;
import ai.pulsemind.judge.JudgeJson;
import ai.pulsemind.judge.Judgment;
import ai.pulsemind.judge.ScoreJudgment;
import ai.pulsemind.judge.Scores;
import ai.pulsemind.judge.Verdict;
import ai.pulsemind.judge.Verdicts;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Lines of {@code judgments.jsonl} and {@code scores.jsonl}, and reading them back for a resumed run.
 * <pre>
 * judgments.jsonl: {"id": PAIR, "judge_key": …, "case", "department", "model", "baseline", "turn": -1 | i,
 *                   "outcomes": {dimension: win|tie|loss from the model's side}, "judgment": {verdicts, rationales,
 *                   orders: {ab, ba}, flips, members}}
 * scores.jsonl:    {"id": CASE|MODEL, "judge_key", "case", "department", "model", "scores": {dimension: {score, reason}}}
 * </pre>
 * Only successful judgments are stored: a failed one is asked again by the next run.
 */
final class JudgmentLines {
    private JudgmentLines() {}

    static String pair(ConsultPair p, Judgment j, String judgeKey) {
        ObjectNode o = RunFiles.JSON.createObjectNode();
        o.put("id", p.id()).put("judge_key", judgeKey).put("case", p.caseId()).put("department", p.department()).put("model", p.model())
                .put("baseline", p.baseline()).put("turn", p.turn()).put("model_length", p.modelLength()).put("baseline_length", p.baselineLength());
        ObjectNode out = o.putObject("outcomes");
        for (Dimension d : Dimension.values()) out.put(d.key(), outcome(j.verdict(d)).label());
        o.set("judgment", JudgeJson.judgment(j));
        return o.toString();
    }

    static String score(String id, String judgeKey, String caseId, String department, String model, ScoreJudgment s) {
        ObjectNode o = RunFiles.JSON.createObjectNode();
        o.put("id", id).put("judge_key", judgeKey).put("case", caseId).put("department", department).put("model", model);
        o.set("scores", JudgeJson.scores(s.scores()));
        return o.toString();
    }

    static ai.pulsemind.evaluate.stats.Outcome outcome(Verdict v) {
        return switch (v) {
            case A -> ai.pulsemind.evaluate.stats.Outcome.WIN;
            case TIE -> ai.pulsemind.evaluate.stats.Outcome.TIE;
            case B -> ai.pulsemind.evaluate.stats.Outcome.LOSS;
        };
    }

    /** Stored judgments by pair id, for {@code judgeKey} only; unreadable lines are reported and asked again. */
    static Map<String, Judgment> readPairs(Path file, String judgeKey, PrintStream log) throws IOException {
        Map<String, Judgment> out = new LinkedHashMap<>();
        for (JsonNode n : lines(file, log)) {
            if (!judgeKey.equals(n.path("judge_key").asText())) continue;
            Judgment j = judgment(n.path("id").asText(), n.get("judgment"));
            if (j != null) out.put(j.id(), j);
        }
        return out;
    }

    static Map<String, ScoreJudgment> readScores(Path file, String judgeKey, PrintStream log) throws IOException {
        Map<String, ScoreJudgment> out = new LinkedHashMap<>();
        for (JsonNode n : lines(file, log)) {
            if (!judgeKey.equals(n.path("judge_key").asText())) continue;
            Scores s = n.has("scores") ? JudgeJson.scores(n.get("scores")) : null;
            if (s != null) out.put(n.path("id").asText(), new ScoreJudgment(n.path("id").asText(), "stored", s, true, List.of(), null));
        }
        return out;
    }

    /** The lines of {@code file} written by another judge (or order mode), kept as they are when the file is rewritten. */
    static List<String> otherJudges(Path file, String judgeKey) throws IOException {
        List<String> out = new ArrayList<>();
        if (!Files.isRegularFile(file)) return out;
        for (String l : Files.readAllLines(file)) {
            if (l.isBlank()) continue;
            try {
                JsonNode n = RunFiles.JSON.readTree(l);
                if (n.has("judge_key") && !judgeKey.equals(n.get("judge_key").asText())) out.add(l);
            } catch (IOException unreadable) {
                // a torn last line: dropped
            }
        }
        return out;
    }

    private static List<JsonNode> lines(Path file, PrintStream log) throws IOException {
        List<JsonNode> out = new ArrayList<>();
        if (!Files.isRegularFile(file)) return out;
        try (JsonlReader in = new JsonlReader(file)) {
            JsonlReader.Line l;
            while ((l = in.next()) != null) {
                try {
                    out.add(JsonlReader.parse(file.toString(), l));
                } catch (RuntimeException e) {
                    if (log != null) log.println("ignored (judged again): " + file + ":" + l.number() + ": " + e.getMessage());
                }
            }
        }
        return out;
    }

    /** The inverse of {@link JudgeJson#judgment}; null when the node is not a complete successful judgment. */
    static Judgment judgment(String id, JsonNode o) {
        if (o == null || !o.has("verdicts")) return null;
        EnumMap<Dimension, Verdict> v = new EnumMap<>(Dimension.class);
        EnumMap<Dimension, String> r = new EnumMap<>(Dimension.class);
        for (Dimension d : Dimension.values()) {
            Verdict x = Verdict.parse(o.path("verdicts").path(d.key()).asText(null));
            if (x == null) return null;
            v.put(d, x);
            r.put(d, o.path("rationales").path(d.key()).asText(""));
        }
        Judgment.Order ab = order(o.path("orders").get("ab")), ba = order(o.path("orders").get("ba"));
        List<Judgment> members = new ArrayList<>();
        for (JsonNode m : o.path("members")) {
            Judgment x = judgment(id, m);
            members.add(x != null ? x : Judgment.failed(id, m.path("judge").asText("member"), m.path("error").asText("failed")));
        }
        return new Judgment(id, o.path("judge").asText("judge"), v, r, ab, ba, members, null);
    }

    private static Judgment.Order order(JsonNode o) {
        if (o == null || o.isMissingNode()) return null;
        Verdicts v = JudgeJson.verdicts(o);
        return v != null ? new Judgment.Order(v, null, true) : new Judgment.Order(null, o.path("error").asText("failed"), true);
    }
}
