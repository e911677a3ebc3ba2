package ai.pulsemind.data;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;

import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * One MediScope record: a consultation (or an evaluation question) with its images. One JSON object per line of a
 * {@code *.jsonl} shard; {@code datasets/mediscope.schema.json} is the same format as a JSON Schema.
 *
 * <p>The constructor only normalises (null lists become empty) and checks presence; the full rules, with messages
 * naming file, line and field, are in {@link RecordValidator}, which runs before binding. Code builds records with
 * {@link #builder(String, String)} (the canonical constructor is the JSON binding's), and changes one with
 * {@link #toBuilder()}:
 * <pre>
 *   MediRecord r = MediRecord.builder("case-1", "en").department("Dermatology").turns(turns).split("train").build();
 *   MediRecord moved = r.toBuilder().images(resolved).build();
 * </pre>
 *
 * @param id           unique within the dataset
 * @param department   e.g. "Dermatology" / "皮肤科"
 * @param subspecialty e.g. "Pigmented lesions"
 * @param language     BCP-47 primary tag: {@code en}, {@code zh}, …
 * @param turns        the consultation, starting with the patient
 * @param images       every image a turn shows
 * @param diagnosis    reference diagnosis, optional
 * @param facts        hidden patient facts for a simulated patient, optional
 * @param counterparts other models' transcripts for CRPO, optional
 * @param split        {@code train}, {@code val} or {@code test}, optional
 * @param source       where the record came from (dataset name, generator and seed)
 * @param eval         what an evaluation record is scored against, optional
 * @param meta         free-form extra fields kept from the source, optional
 */
@JsonInclude(JsonInclude.Include.NON_EMPTY)
@JsonPropertyOrder({"id", "department", "subspecialty", "language", "split", "source", "turns", "images",
        "diagnosis", "facts", "counterparts", "eval", "meta"})
public record MediRecord(String id, String department, String subspecialty, String language, List<Turn> turns,
                         List<ImageRef> images, Diagnosis diagnosis, List<Fact> facts, List<Counterpart> counterparts,
                         String split, String source, EvalSpec eval, Map<String, Object> meta) {
    public static final List<String> SPLITS = List.of("train", "val", "test");

    public MediRecord {
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(language, "language");
        department = department == null ? "" : department;
        subspecialty = subspecialty == null ? "" : subspecialty;
        turns = turns == null ? List.of() : List.copyOf(turns);
        images = images == null ? List.of() : List.copyOf(images);
        facts = facts == null ? List.of() : List.copyOf(facts);
        counterparts = counterparts == null ? List.of() : List.copyOf(counterparts);
        meta = meta == null ? Map.of() : meta;
    }

    /** The image with this id, or null. */
    public ImageRef image(String imageId) {
        for (ImageRef r : images) if (r.id().equals(imageId)) return r;
        return null;
    }

    public MediRecord withSplit(String newSplit) { return toBuilder().split(newSplit).build(); }

    /** A builder with the two required fields; every other field starts absent (empty or null). */
    public static Builder builder(String id, String language) { return new Builder(id, language); }

    /** A builder holding every field of this record. */
    public Builder toBuilder() {
        return new Builder(id, language).department(department).subspecialty(subspecialty).turns(turns).images(images)
                .diagnosis(diagnosis).facts(facts).counterparts(counterparts).split(split).source(source).eval(eval)
                .meta(meta);
    }

    /** Builds a {@link MediRecord} field by field; {@link #build()} applies the record's normalisation and checks. */
    public static final class Builder {
        private String id, language, department, subspecialty, split, source;
        private List<Turn> turns;
        private List<ImageRef> images;
        private Diagnosis diagnosis;
        private List<Fact> facts;
        private List<Counterpart> counterparts;
        private EvalSpec eval;
        private Map<String, Object> meta;

        private Builder(String id, String language) {
            this.id = id;
            this.language = language;
        }

        public Builder id(String v) { id = v; return this; }

        public Builder language(String v) { language = v; return this; }

        public Builder department(String v) { department = v; return this; }

        public Builder subspecialty(String v) { subspecialty = v; return this; }

        public Builder turns(List<Turn> v) { turns = v; return this; }

        public Builder images(List<ImageRef> v) { images = v; return this; }

        public Builder diagnosis(Diagnosis v) { diagnosis = v; return this; }

        public Builder facts(List<Fact> v) { facts = v; return this; }

        public Builder counterparts(List<Counterpart> v) { counterparts = v; return this; }

        public Builder split(String v) { split = v; return this; }

        public Builder source(String v) { source = v; return this; }

        public Builder eval(EvalSpec v) { eval = v; return this; }

        public Builder meta(Map<String, Object> v) { meta = v; return this; }

        public MediRecord build() {
            return new MediRecord(id, department, subspecialty, language, turns, images, diagnosis, facts, counterparts,
                    split, source, eval, meta);
        }
    }
}
