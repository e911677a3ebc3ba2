package ai.pulsemind.evaluate.publicbench;

/**
 * What a rule took from a reply.
 *
 * @param answer     the option letter (or, for open questions, the answer text) it found; null when none
 * @param rule       which rule found it, e.g. {@code letter.answer_phrase}, {@code similarity}, {@code none}
 * @param similarity the similarity score when {@code rule} is {@code similarity}, else null
 * @param filtered   under the lm-eval profile, the string lm-eval's filter chain yields ({@code (B)},
 *                   {@code [invalid]}, …), else null
 */
public record Extraction(String answer, String rule, Double similarity, String filtered) {
    static Extraction of(String answer, String rule) { return new Extraction(answer, rule, null, null); }

    static Extraction none(String rule) { return new Extraction(null, rule, null, null); }
}
