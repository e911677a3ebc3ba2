package ai.pulsemind.evaluate.publicbench;

/**
 * An optional judge of open-ended answers (open VQA, MMMU's open questions), beside the token scores: given the
 * question, the reference answer and the reply, is the reply correct? This is where a judge from the judge package
 * (an LLM behind an OpenAI-compatible endpoint, a local model) plugs in; the benchmark records each verdict in the
 * prediction and reports {@code open_judge_accuracy}. A judge that throws is counted as a failure for that
 * question, never fatal to the run.
 */
public interface OpenAnswerJudge {
    /** How summaries name the judge. */
    String name();

    Verdict judge(Item item, String reply);

    /** @param reason the judge's explanation, may be empty */
    record Verdict(boolean correct, String reason) {}
}
