package ai.pulsemind.judge;

import ai.pulsemind.data.Conversation;

import java.util.Objects;

/**
 * One absolute judgment: a 1–5 score per dimension for {@code answer}, given the context and the reference.
 *
 * @param id the caller's name for it
 */
public record ScoreRequest(String id, Conversation context, Reference reference, Answer answer) {
    public ScoreRequest {
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(context, "context");
        Objects.requireNonNull(reference, "reference");
        Objects.requireNonNull(answer, "answer");
    }
}
