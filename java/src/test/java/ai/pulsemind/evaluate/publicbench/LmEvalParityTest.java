package ai.pulsemind.evaluate.publicbench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * On the same replies, our multiple-choice scores equal lm-evaluation-harness's, question by question. The fixture
 * (tools/publicbench/lmeval_parity.py) holds ~240 replies in many styles to MedQA, MedMCQA, PubMedQA and MMLU
 * questions and lm-eval 0.4.13's own verdicts (its flexible-extract filter ensemble and exact_match metric).
 */
class LmEvalParityTest {
    private static final ObjectMapper M = new ObjectMapper();
    private static final List<Task> TASKS = List.of(Task.MEDQA, Task.MEDMCQA, Task.PUBMEDQA, Task.MMLU_MEDICAL);

    @TempDir static Path tmp;
    static Path data;
    static Map<String, JsonNode> lmEval;

    @BeforeAll
    static void importQuestions() throws IOException {
        data = tmp.resolve("data");
        PublicFixtures.importInto("mcq", PublicFixtures.path("lmeval/raw/medqa.jsonl"), null, data.resolve("medqa"));
        PublicFixtures.importInto("mcq", PublicFixtures.path("lmeval/raw/medmcqa.jsonl"), null, data.resolve("medmcqa"));
        PublicFixtures.importInto("mcq", PublicFixtures.path("lmeval/raw/ori_pqal.json"), null, data.resolve("pubmedqa"));
        PublicFixtures.importInto("mcq", PublicFixtures.path("lmeval/raw/mmlu.jsonl"), null, data.resolve("mmlu"));
        lmEval = new LinkedHashMap<>();
        for (String line : Files.readAllLines(PublicFixtures.path("lmeval/lmeval.jsonl"))) {
            JsonNode n = M.readTree(line);
            lmEval.put(Task.byName(n.get("task").asText()).id() + "/" + n.get("id").asText(), n);
        }
    }

    static Map<String, Prediction> score(Match match, Path out) throws IOException {
        var cfg = new PublicBenchConfig(null, PublicFixtures.path("lmeval/outputs.jsonl"), TASKS, data, out, 0, 0, 16, 1,
                match, 0, 200, "cpu", 0);
        PublicBench.Outcome o = PublicBench.score(cfg, null, null);
        assertEquals(0, o.summary().counts().missingPredictions());
        assertEquals(0, o.summary().counts().unknownPredictions());
        assertEquals(0, o.summary().counts().malformed());
        Map<String, Prediction> got = new LinkedHashMap<>();
        for (String line : Files.readAllLines(out.resolve("predictions.jsonl"))) {
            Prediction p = RunFiles.LINES.readValue(line, Prediction.class);
            got.put(p.key(), p);
        }
        return got;
    }

    @Test
    void lmEvalProfileAgreesQuestionByQuestion() throws IOException {
        Map<String, Prediction> ours = score(Match.LM_EVAL, tmp.resolve("run-lmeval"));
        assertEquals(lmEval.keySet(), ours.keySet(), "the same questions");
        List<String> diff = new ArrayList<>();
        for (var e : lmEval.entrySet()) {
            Prediction p = ours.get(e.getKey());
            String theirs = e.getValue().get("filtered").asText();
            boolean theirOk = e.getValue().get("exact_match").asDouble() == 1.0;
            if (!theirs.equals(p.filtered()) || theirOk != p.correct())
                diff.add(e.getKey() + ": reply " + M.writeValueAsString(p.rawOutput()) + " lm-eval " + theirs + "/" + theirOk
                        + ", ours " + p.filtered() + "/" + p.correct());
        }
        assertTrue(diff.isEmpty(), diff.size() + " disagreement(s):\n" + String.join("\n", diff));
        JsonNode acc = M.readTree(PublicFixtures.path("lmeval/summary.json").toFile()).get("accuracy");
        PublicSummary s = PublicSummary.read(tmp.resolve("run-lmeval/summary.json"));
        for (PublicSummary.TaskResult t : s.tasks())
            assertEquals(acc.get(t.task()).asDouble(), t.metrics().getFirst().estimate(), 1e-12, t.task() + " accuracy");
    }

    /**
     * The paper's rules (the default) take the same answer as lm-eval wherever lm-eval takes one, except where
     * lm-eval's own rules misread the reply: a letter in parentheses that is not an option ({@code (E)} of four), or
     * an option's text found inside another word ({@code no} inside {@code not}). Where lm-eval finds nothing
     * ({@code [invalid]}: a bare {@code B}, {@code The answer is B.}), ours go on to further rules and the similarity
     * fallback. Each difference is checked to be one of these.
     */
    @Test
    void defaultProfileDiffersOnlyWhereLmEvalFindsNothingOrMisreads() throws IOException {
        Map<String, Prediction> ours = score(Match.PULSEMIND, tmp.resolve("run-default"));
        Map<String, Prediction> lm = score(Match.LM_EVAL, tmp.resolve("run-lmeval-2"));
        int same = 0, invalid = 0, misread = 0;
        List<String> unexplained = new ArrayList<>();
        for (var e : lmEval.entrySet()) {
            Prediction p = ours.get(e.getKey()), q = lm.get(e.getKey());
            String theirs = e.getValue().get("filtered").asText();
            if (theirs.equals(p.extracted() == null ? LmEvalMatch.INVALID : "(" + p.extracted() + ")")) {
                assertEquals(e.getValue().get("exact_match").asDouble() == 1.0, p.correct(), e.getKey());
                same++;
            } else if (theirs.equals(LmEvalMatch.INVALID)) {
                invalid++;
            } else if (misread(q, p)) {
                misread++;
            } else {
                unexplained.add(e.getKey() + ": reply " + M.writeValueAsString(p.rawOutput()) + " lm-eval " + theirs + " (" + q.rule()
                        + "), ours " + p.extracted() + " (" + p.rule() + ")");
            }
        }
        assertTrue(unexplained.isEmpty(), String.join("\n", unexplained));
        assertTrue(same > 150 && invalid > 40 && misread > 0, "the fixture exercises every case: " + same + " same, "
                + invalid + " where lm-eval finds nothing, " + misread + " misread by lm-eval");
        long oursRight = ours.values().stream().filter(Prediction::correct).count();
        long theirsRight = lmEval.values().stream().filter(n -> n.get("exact_match").asDouble() == 1.0).count();
        assertTrue(oursRight > theirsRight, "ours " + oursRight + ", lm-eval " + theirsRight);
    }

    /** lm-eval's answer came from a non-option letter in parentheses, or from option text that is not a whole word. */
    private static boolean misread(Prediction lm, Prediction ours) {
        if (lm.rule().equals("lm-eval.paren") && lm.extractedText() == null) return true; // (E) with options A-D
        if (!lm.rule().equals("lm-eval.choice_text") || lm.extractedText() == null) return false;
        String hay = " " + VqaScoring.normalize(ours.rawOutput()) + " ";
        return !hay.contains(" " + VqaScoring.normalize(lm.extractedText()) + " ");
    }
}
