package ai.pulsemind.data;

import com.fasterxml.jackson.annotation.JsonInclude;

import java.util.List;
import java.util.Objects;

/**
 * Another model's transcript for the same patient, for CRPO comparisons and judge validation.
 *
 * @param model   who wrote the doctor turns
 * @param turns   the whole transcript (patient turns included: the patient reveals only what this doctor asked)
 * @param quality labelled quality, when known (the synthetic generator always labels)
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record Counterpart(String model, List<Turn> turns, Quality quality) {
    public Counterpart {
        Objects.requireNonNull(model, "counterpart.model");
        turns = turns == null ? List.of() : List.copyOf(turns);
    }
}
