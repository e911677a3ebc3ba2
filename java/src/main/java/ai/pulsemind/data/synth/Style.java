package ai.pulsemind.data.synth;

import java.util.Set;

/** How a doctor conducts a consultation; the reference style, or one bent by counterpart flaws. */
record Style(Set<Flaw> flaws) {
    static final Style REFERENCE = new Style(Set.of());

    boolean has(Flaw f) { return flaws.contains(f); }

    /** How many key questions are asked: all, one or none. */
    int questionsToAsk(int keyFacts) {
        if (has(Flaw.SKIPS_KEY_QUESTIONS)) return 0;
        if (has(Flaw.PARTIAL_QUESTIONS)) return Math.min(1, keyFacts);
        return keyFacts;
    }

    boolean asksForImage() { return !has(Flaw.IGNORES_IMAGE) && !has(Flaw.SKIPS_KEY_QUESTIONS); }
    boolean readsImage() { return !has(Flaw.IGNORES_IMAGE); }
    boolean namesDifferentials() { return !has(Flaw.OVERCONFIDENT) && !has(Flaw.POOR_LANGUAGE); }
    boolean recommendsTests() { return !has(Flaw.OVERCONFIDENT) && !has(Flaw.VAGUE_ADVICE); }
    boolean specificAdvice() { return !has(Flaw.VAGUE_ADVICE); }
    boolean warnsOfRedFlags() { return !has(Flaw.OVERCONFIDENT) && !has(Flaw.VAGUE_ADVICE); }
    boolean poor() { return has(Flaw.POOR_LANGUAGE); }
}
