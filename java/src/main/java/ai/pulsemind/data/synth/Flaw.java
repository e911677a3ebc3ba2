package ai.pulsemind.data.synth;

import java.util.List;

/**
 * What is wrong with a counterpart transcript, and the 1–5 scores (proactiveness, accuracy, usefulness, language)
 * a careful judge should give it. The reference transcript has none of these and scores 5 on every dimension.
 */
public enum Flaw {
    /** Diagnoses from the first message without asking anything. */
    SKIPS_KEY_QUESTIONS(1, 3, 3, 4),
    /** Asks only one of the questions the diagnosis depends on. */
    PARTIAL_QUESTIONS(3, 4, 4, 5),
    /** Misreads the image as a look-alike and names that instead. */
    WRONG_DIAGNOSIS(4, 1, 2, 4),
    /** The right name, stated as certain: no differentials, no tests, no warning signs. */
    OVERCONFIDENT(4, 3, 3, 4),
    /** The right name, but advice a patient cannot act on: no tests, no specifics, no warning signs. */
    VAGUE_ADVICE(4, 4, 1, 4),
    /** Content roughly right, but curt, jargon-laden and unfriendly. */
    POOR_LANGUAGE(4, 4, 3, 1),
    /** Never asks for or looks at the image; guesses between the diagnosis and a look-alike. */
    IGNORES_IMAGE(3, 2, 3, 4);

    final int proactiveness, accuracy, usefulness, language;

    Flaw(int p, int a, int u, int l) { proactiveness = p; accuracy = a; usefulness = u; language = l; }

    public String label() { return name().toLowerCase(java.util.Locale.ROOT); }

    /** Flaw pairs that make one coherent transcript (a doctor who asks nothing cannot also ask half). */
    static boolean compatible(Flaw a, Flaw b) {
        List<Flaw> questions = List.of(SKIPS_KEY_QUESTIONS, PARTIAL_QUESTIONS);
        List<Flaw> diagnosis = List.of(WRONG_DIAGNOSIS, OVERCONFIDENT, IGNORES_IMAGE);
        if (a == b) return false;
        if (questions.contains(a) && questions.contains(b)) return false;
        if (diagnosis.contains(a) && diagnosis.contains(b)) return false;
        return !(a == VAGUE_ADVICE && b == OVERCONFIDENT) && !(a == OVERCONFIDENT && b == VAGUE_ADVICE);
    }
}
