package ai.pulsemind.evaluate.publicbench;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import com.fasterxml.jackson.databind.JsonNode;

/**
 * One line of {@code predictions.jsonl}: a question, what the model replied, and how the reply was scored.
 *
 * @param id            the question's record id
 * @param task          the task id, e.g. {@code medqa}
 * @param source        {@code file:line} of the question's record
 * @param prompt        the prompt as OpenAI-format messages (images relative to {@code --data}); absent when
 *                      scoring replies recorded elsewhere that came without one
 * @param rawOutput     the reply, as generated
 * @param extracted     the answer taken from it: an option letter, yes/no, or the normalized reply; null when none
 * @param extractedText the extracted option's text (multiple choice), else null
 * @param rule          which rule took the answer ({@link McqRules}, {@link LmEvalMatch}, {@link VqaScoring})
 * @param correct       whether it is right (open questions: every answer token is in the reply)
 * @param gold          the gold letter or answer
 * @param goldText      the gold option's text (multiple choice), else null
 * @param kind          {@code mcq}, {@code closed} or {@code open}
 * @param similarity    the similarity score when {@code rule} is {@code similarity}
 * @param recall        open questions: share of the answer's tokens in the reply
 * @param tokenF1       open questions: token F1
 * @param exact         open questions: normalized reply equals the answer
 * @param filtered      under {@code --match lm-eval}: the string lm-eval's filter yields
 * @param judge         the open-answer judge's verdict, when one is used
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
@JsonPropertyOrder({"id", "task", "source", "kind", "prompt", "raw_output", "extracted", "extracted_text", "rule",
        "correct", "gold", "gold_text", "similarity", "recall", "token_f1", "exact", "filtered", "judge"})
public record Prediction(String id, String task, String source, JsonNode prompt,
                         @JsonProperty("raw_output") String rawOutput, String extracted,
                         @JsonProperty("extracted_text") String extractedText, String rule, boolean correct,
                         String gold, @JsonProperty("gold_text") String goldText, String kind, Double similarity,
                         Double recall, @JsonProperty("token_f1") Double tokenF1, Boolean exact, String filtered,
                         OpenAnswerJudge.Verdict judge) {
    public static final String MCQ = "mcq", CLOSED = "closed", OPEN = "open";

    /** The question's key, as {@link Item#key()}. */
    public String key() { return task + "/" + id; }

    /**
     * Scores a reply to a question.
     *
     * @param judge null, or the judge of open answers; when it throws, {@code judgeFailed} runs and the prediction
     *              has no verdict
     */
    public static Prediction score(Item item, JsonNode prompt, String reply, Match match, OpenAnswerJudge judge, Runnable judgeFailed) {
        String raw = reply == null ? "" : reply;
        if (item.multipleChoice()) {
            Extraction e = match.extract(raw, item.options());
            boolean ok = item.answer().equals(e.answer());
            String text = e.answer() == null ? null : item.options().get(e.answer());
            return new Prediction(item.id(), item.task().id(), item.where(), prompt, raw, e.answer(), text, e.rule(), ok,
                    item.answer(), item.answerText(), MCQ, e.similarity(), null, null, null, e.filtered(), null);
        }
        boolean closed = item.closed();
        VqaScoring.Scored s = VqaScoring.score(raw, item.answer(), closed);
        OpenAnswerJudge.Verdict v = null;
        if (judge != null && !closed) {
            try {
                v = judge.judge(item, raw);
            } catch (RuntimeException ex) {
                judgeFailed.run();
            }
        }
        Extraction e = s.extraction();
        return new Prediction(item.id(), item.task().id(), item.where(), prompt, raw, e.answer(), null, e.rule(), s.correct(),
                item.answer(), null, closed ? CLOSED : OPEN, null, s.recall(), s.f1(), s.exact(), null, v);
    }
}
