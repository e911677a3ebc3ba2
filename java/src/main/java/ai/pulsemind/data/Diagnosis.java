package ai.pulsemind.data;

import com.fasterxml.jackson.annotation.JsonInclude;

import java.util.List;
import java.util.Objects;

/**
 * The reference diagnosis of a record.
 *
 * @param name          the diagnosis in the record's language
 * @param code          a stable identifier (the synthetic generator's condition id, or an ICD code), may be null
 * @param differentials look-alikes a careful doctor rules out, in the record's language
 */
@JsonInclude(JsonInclude.Include.NON_EMPTY)
public record Diagnosis(String name, String code, List<String> differentials) {
    public Diagnosis {
        Objects.requireNonNull(name, "diagnosis.name");
        differentials = differentials == null ? List.of() : List.copyOf(differentials);
    }
}
