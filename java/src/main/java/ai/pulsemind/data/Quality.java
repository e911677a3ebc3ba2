package ai.pulsemind.data;

import com.fasterxml.jackson.annotation.JsonInclude;

import java.util.List;
import java.util.Objects;

/**
 * Labelled quality of a counterpart transcript: a 1–5 score per benchmark dimension, an overall grade, and the
 * flaws that were put into it. The reference transcript scores 5 everywhere, so a judge comparing the reference
 * with a counterpart should prefer the reference on every dimension scored below 5.
 */
@JsonInclude(JsonInclude.Include.NON_EMPTY)
public record Quality(int proactiveness, int accuracy, int usefulness, int language, int overall, List<String> flaws) {
    public static final List<String> DIMENSIONS = List.of("proactiveness", "accuracy", "usefulness", "language");

    public Quality {
        for (int s : new int[] {proactiveness, accuracy, usefulness, language, overall})
            if (s < 1 || s > 5) throw new IllegalArgumentException("quality scores are 1..5, got " + s);
        flaws = flaws == null ? List.of() : List.copyOf(flaws);
    }

    public int score(String dimension) {
        return switch (Objects.requireNonNull(dimension)) {
            case "proactiveness" -> proactiveness;
            case "accuracy" -> accuracy;
            case "usefulness" -> usefulness;
            case "language" -> language;
            default -> throw new IllegalArgumentException("unknown dimension '" + dimension + "'; one of " + DIMENSIONS);
        };
    }
}
