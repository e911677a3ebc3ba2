package ai.pulsemind.evaluate.stats;

import java.util.Locale;

/** The verdict of one pairwise comparison, from the side of the model under test (not the baseline). */
public enum Outcome {
    WIN, TIE, LOSS;

    /** The verdict from the other side: a win for the model is a loss for the baseline. */
    public Outcome flip() {
        return switch (this) { case WIN -> LOSS; case TIE -> TIE; case LOSS -> WIN; };
    }

    /** 1 for a win, {@code tieScore} for a tie, 0 for a loss (the paper scores ties 0; Bradley–Terry uses ½). */
    public double score(double tieScore) {
        return switch (this) { case WIN -> 1; case TIE -> tieScore; case LOSS -> 0; };
    }

    /** Parses {@code win|tie|loss} in any case; anything else is an error that names the value. */
    public static Outcome parse(String s) {
        if (s != null) {
            switch (s.trim().toLowerCase(Locale.ROOT)) {
                case "win": return WIN;
                case "tie": return TIE;
                case "loss": return LOSS;
                default: break;
            }
        }
        throw new IllegalArgumentException("outcome must be win, tie or loss, got '" + s + "'");
    }

    /** Lower-case name, as written in judgments and reports. */
    public String label() { return name().toLowerCase(Locale.ROOT); }
}
