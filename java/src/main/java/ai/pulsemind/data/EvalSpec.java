package ai.pulsemind.data;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;

import java.util.Map;
import java.util.Objects;

/**
 * What an evaluation record is scored against (multiple-choice and visual question answering sets).
 *
 * @param type       {@code mcq} or {@code vqa}
 * @param options    option letter → text, in order (mcq only)
 * @param answer     the gold option letter (mcq) or answer text (vqa)
 * @param answerType e.g. {@code closed}/{@code open} (vqa), {@code yes/no/maybe} (PubMedQA); may be null
 */
@JsonInclude(JsonInclude.Include.NON_EMPTY)
public record EvalSpec(String type, Map<String, String> options, String answer,
                       @JsonProperty("answer_type") String answerType) {
    public EvalSpec {
        Objects.requireNonNull(type, "eval.type");
        Objects.requireNonNull(answer, "eval.answer");
        options = options == null ? Map.of() : java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(options));
    }
}
