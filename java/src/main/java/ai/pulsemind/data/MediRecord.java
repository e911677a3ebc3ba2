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
 * naming file, line and field, are in {@link RecordValidator}, which runs before binding.
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

    public MediRecord withSplit(String newSplit) {
        return new MediRecord(id, department, subspecialty, language, turns, images, diagnosis, facts, counterparts,
                newSplit, source, eval, meta);
    }
}
