package ai.pulsemind.evaluate.consult;

import ai.pulsemind.judge.JudgeRequest;

/**
 * One comparison to judge: on case {@code caseId}, the model's consultation (or doctor turn {@code turn}) against
 * the baseline's; the request shows the model's as answer a.
 *
 * @param id the pair id, {@code CASE|MODEL|BASELINE|whole} or {@code CASE|MODEL|BASELINE|turn-I} ({@link #id})
 */
public record ConsultPair(String id, String caseId, String department, String model, String baseline, int turn,
                          int modelLength, int baselineLength, JudgeRequest request) {
    /** The pair id expert labels refer to. */
    public static String id(String caseId, String model, String baseline, int turn) {
        return caseId + "|" + model + "|" + baseline + "|" + (turn < 0 ? "whole" : "turn-" + turn);
    }
}
