package ai.pulsemind.judge;

/** Which of two answers is better on one dimension. JSON spells them {@code A}, {@code tie}, {@code B}. */
public enum Verdict {
    A, TIE, B;

    /** The verdict with the answers' positions exchanged (A ↔ B; a tie stays a tie). */
    public Verdict flip() {
        return switch (this) {
            case A -> B;
            case B -> A;
            case TIE -> TIE;
        };
    }

    public String json() { return this == TIE ? "tie" : name(); }

    /** {@code A}, {@code B} or {@code tie} (any case); null for anything else. */
    public static Verdict parse(String s) {
        if (s == null) return null;
        return switch (s.strip().toLowerCase(java.util.Locale.ROOT)) {
            case "a" -> A;
            case "b" -> B;
            case "tie" -> TIE;
            default -> null;
        };
    }
}
