package ai.pulsemind.evaluate.consult;

import ai.pulsemind.data.MediRecord;
import ai.pulsemind.data.Turn;
import ai.pulsemind.evaluate.ModelSpec;
import ai.pulsemind.evaluate.models.Replier;

import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.function.Function;

/**
 * One side of a comparison: a model that consults here ({@link Generating}) or transcripts that exist already
 * ({@link Recorded}: the records' counterparts, another run's transcripts, a JSONL file from elsewhere).
 */
public sealed interface Participant permits Participant.Generating, Participant.Recorded {
    String name();

    /**
     * A model that writes the doctor turns here: from a SPEC (opened when the run needs it, closed after) or a
     * {@link Replier} an embedding caller made (not closed by the benchmark).
     *
     * @param spec    the SPEC, or null when {@code replier} is given
     * @param replier the caller's replier, or null
     */
    record Generating(String name, ModelSpec spec, Replier replier) implements Participant {
        public Generating {
            if ((spec == null) == (replier == null)) throw new IllegalArgumentException("a generating participant needs a SPEC or a replier");
            if (name == null) name = spec != null ? spec.name() : replier.name();
        }

        /** What its transcripts depend on besides the mode: the SPEC (canonical) or the replier's name. */
        public String identity() { return spec != null ? spec.canonical() : "replier:" + replier.name(); }
    }

    /**
     * Transcripts that exist already.
     *
     * @param source      {@code counterpart} or {@code recorded}, as transcripts.jsonl says where each came from
     * @param transcripts the transcript of a record, or null when it has none (that case is left out of its pairs)
     */
    record Recorded(String name, String source, Function<MediRecord, List<Turn>> transcripts) implements Participant {
        public Recorded {
            Objects.requireNonNull(name, "name");
            Objects.requireNonNull(transcripts, "transcripts");
        }

        public static Recorded of(String name, String source, Map<String, List<Turn>> byCase) {
            return new Recorded(name, source, r -> byCase.get(r.id()));
        }
    }
}
