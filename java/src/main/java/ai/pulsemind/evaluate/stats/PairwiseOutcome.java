package ai.pulsemind.evaluate.stats;

import java.util.Objects;

/**
 * One judged comparison, as the statistics take it: on case {@code caseId} (of {@code department}), the
 * {@code model}'s consultation against the {@code baseline}'s on one {@code dimension}, with the outcome from the
 * model's side. A judge that ran both presentation orders contributes one outcome per comparison (its combined
 * verdict), not one per order; a failed judgment contributes none.
 *
 * @param turn      the doctor turn judged (0-based), or {@link #WHOLE} for a whole-consultation judgment
 * @param lengths   the two replies' lengths (for length-bias diagnostics), or null when not recorded
 */
public record PairwiseOutcome(String caseId, String department, String model, String baseline, String dimension,
                              Outcome outcome, int turn, Lengths lengths) {
    /** The {@link #turn} of a whole-consultation judgment. */
    public static final int WHOLE = -1;

    /** The lengths of the compared replies, in whatever unit the caller chose (characters or tokens). */
    public record Lengths(int model, int baseline) {
        public Lengths {
            if (model < 0 || baseline < 0) throw new IllegalArgumentException("lengths must be >= 0, got " + model + ", " + baseline);
        }
    }

    public PairwiseOutcome {
        require(caseId, "caseId");
        require(department, "department");
        require(model, "model");
        require(baseline, "baseline");
        require(dimension, "dimension");
        Objects.requireNonNull(outcome, "outcome");
        if (model.equals(baseline)) throw new IllegalArgumentException("case " + caseId + ": model and baseline are both '" + model + "'");
        if (turn < WHOLE) throw new IllegalArgumentException("case " + caseId + ": turn must be >= 0 or WHOLE (-1), got " + turn);
    }

    /** A whole-consultation outcome without lengths. */
    public static PairwiseOutcome of(String caseId, String department, String model, String baseline, String dimension, Outcome outcome) {
        return new PairwiseOutcome(caseId, department, model, baseline, dimension, outcome, WHOLE, null);
    }

    /** This outcome, as the judgment of doctor turn {@code turn}. */
    public PairwiseOutcome atTurn(int turn) {
        return new PairwiseOutcome(caseId, department, model, baseline, dimension, outcome, turn, lengths);
    }

    /** This outcome, with the lengths of the two replies. */
    public PairwiseOutcome withLengths(int modelLength, int baselineLength) {
        return new PairwiseOutcome(caseId, department, model, baseline, dimension, outcome, turn, new Lengths(modelLength, baselineLength));
    }

    public boolean wholeConsultation() { return turn == WHOLE; }

    private static void require(String v, String field) {
        if (v == null || v.isBlank()) throw new IllegalArgumentException("pairwise outcome: " + field + " is missing");
    }
}
