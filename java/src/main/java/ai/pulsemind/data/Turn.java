package ai.pulsemind.data;

import com.fasterxml.jackson.annotation.JsonInclude;

import java.util.List;
import java.util.Objects;

/**
 * One message of a consultation.
 *
 * @param role   who speaks
 * @param text   what is said; image placeholders are not embedded in the text, the images list says which are shown
 * @param images ids of the record's {@link ImageRef}s shown with this message, in order
 */
@JsonInclude(JsonInclude.Include.NON_EMPTY)
public record Turn(Role role, String text, List<String> images) {
    public Turn {
        Objects.requireNonNull(role, "turn.role");
        Objects.requireNonNull(text, "turn.text");
        images = images == null ? List.of() : List.copyOf(images);
    }

    public static Turn patient(String text, String... images) { return new Turn(Role.PATIENT, text, List.of(images)); }

    public static Turn doctor(String text) { return new Turn(Role.DOCTOR, text, List.of()); }
}
