package ai.pulsemind.judge;

import ai.pulsemind.data.Conversation;

import java.util.Objects;

/**
 * One comparison: which of {@code a} and {@code b} is the better doctor on each dimension, given the context the
 * answers continue and the reference. A judge reads {@code a} as the answer shown first.
 *
 * @param id        the caller's name for the pair (kept in judgments and errors)
 * @param context   the consultation so far (for a whole-consultation comparison, usually the patient's opening)
 * @param reference the real doctor and the record
 */
public record JudgeRequest(String id, Conversation context, Reference reference, Answer a, Answer b) {
    public JudgeRequest {
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(context, "context");
        Objects.requireNonNull(reference, "reference");
        Objects.requireNonNull(a, "answer a");
        Objects.requireNonNull(b, "answer b");
    }

    /** The same pair shown the other way round. */
    public JudgeRequest swapped() { return new JudgeRequest(id, context, reference, b, a); }
}
