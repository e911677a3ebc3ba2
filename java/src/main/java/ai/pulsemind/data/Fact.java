package ai.pulsemind.data;

import com.fasterxml.jackson.annotation.JsonInclude;

import java.util.List;
import java.util.Objects;

/**
 * A hidden patient fact: not in the first message; a simulated patient reveals it only when the doctor asks
 * about its topic (any keyword matches the doctor's question).
 *
 * @param topic    short name, e.g. "onset" or "smoking"
 * @param question the question a good doctor asks for it
 * @param answer   what the patient says when asked
 * @param keywords lower-case cues in a doctor's question that mean the topic was asked about
 * @param key      true when the diagnosis depends on it (proactiveness is judged on key facts)
 */
@JsonInclude(JsonInclude.Include.NON_EMPTY)
public record Fact(String topic, String question, String answer, List<String> keywords, boolean key) {
    public Fact {
        Objects.requireNonNull(topic, "fact.topic");
        Objects.requireNonNull(answer, "fact.answer");
        question = question == null ? "" : question;
        keywords = keywords == null ? List.of() : List.copyOf(keywords);
    }
}
