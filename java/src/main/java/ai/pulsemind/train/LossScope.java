package ai.pulsemind.train;

/** Which tokens the causal-LM loss is taken on. */
public enum LossScope {
    /**
     * Every doctor turn: in MediScope the doctor is the assistant, so this is TRL's {@code assistant_only_loss}
     * (each assistant message's content and its closing {@code <|im_end|>}; the encoder's loss mask). The default.
     */
    DOCTOR,
    /** Only the last doctor turn of each sample (the reply to the full history). */
    LAST,
    /** Every token of the conversation (system, patient, headers), except image placeholders. */
    ALL;

    public static LossScope parse(String s) {
        return switch (s.trim().toLowerCase(java.util.Locale.ROOT)) {
            case "doctor", "assistant" -> DOCTOR;
            case "last", "last-turn" -> LAST;
            case "all" -> ALL;
            default -> throw new IllegalArgumentException("--loss-on must be doctor, last or all, got '" + s + "'");
        };
    }

    public String cliName() { return name().toLowerCase(java.util.Locale.ROOT); }
}
