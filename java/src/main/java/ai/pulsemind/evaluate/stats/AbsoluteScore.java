package ai.pulsemind.evaluate.stats;

/**
 * One absolute judgment: the {@code model}'s consultation on case {@code caseId} scored 1–5 on one
 * {@code dimension} by a judge that saw no other model's reply.
 *
 * @param turn the doctor turn scored (0-based), or {@link PairwiseOutcome#WHOLE} for the whole consultation
 */
public record AbsoluteScore(String caseId, String department, String model, String dimension, int score, int turn) {
    public AbsoluteScore {
        for (String[] f : new String[][] {{caseId, "caseId"}, {department, "department"}, {model, "model"}, {dimension, "dimension"}})
            if (f[0] == null || f[0].isBlank()) throw new IllegalArgumentException("absolute score: " + f[1] + " is missing");
        if (score < 1 || score > 5) throw new IllegalArgumentException("case " + caseId + ": absolute scores are 1..5, got " + score);
        if (turn < PairwiseOutcome.WHOLE) throw new IllegalArgumentException("case " + caseId + ": turn must be >= 0 or WHOLE (-1), got " + turn);
    }

    /** A whole-consultation score. */
    public static AbsoluteScore of(String caseId, String department, String model, String dimension, int score) {
        return new AbsoluteScore(caseId, department, model, dimension, score, PairwiseOutcome.WHOLE);
    }
}
