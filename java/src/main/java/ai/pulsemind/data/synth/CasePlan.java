package ai.pulsemind.data.synth;

import java.util.List;

/**
 * Everything random about one synthetic case, fixed before any text is written, so the reference and all
 * counterparts talk about the same patient.
 *
 * @param complaint     index into the condition's complaints
 * @param opening       opening style 0..3; style 2 sends the image with the first message
 * @param facts         the facts a thorough doctor asks about, in asking order (all key facts, maybe one more)
 * @param perRound      questions per doctor turn (1 or 2)
 * @param hasLabImage   a lab report is part of the case (second image)
 * @param closing       the patient thanks the doctor at the end (one more exchange)
 * @param concern       which follow-up concern the patient voices (0..2)
 * @param wrongDiff     the look-alike a WRONG_DIAGNOSIS counterpart settles on
 */
record CasePlan(Condition condition, String lang, int age, String sex, int complaint, int opening,
                List<Condition.Fact> facts, int perRound, boolean hasLabImage, boolean closing, int concern,
                List<Condition> differentials, Condition wrongDiff) {
    static final String PRIMARY = "img1", LAB = "img2";

    boolean earlyImage() { return opening == 2; }

    /** The case template: what must not be shared between splits (condition, complaint wording, opening). */
    String template() { return condition.id() + "/" + complaint + "/" + opening; }
}
