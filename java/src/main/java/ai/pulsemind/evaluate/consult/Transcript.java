package ai.pulsemind.evaluate.consult;

import ai.pulsemind.data.Role;
import ai.pulsemind.data.Turn;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;

import java.util.List;

/**
 * One line of {@code transcripts.jsonl}: one participant's consultation of one case.
 *
 * @param model         the participant's name (model under test or baseline)
 * @param caseId        the record's id
 * @param source        {@code replay}, {@code simulated} (generated here), {@code counterpart} or {@code recorded}
 * @param key           what the transcript depends on (model SPEC, mode, decoding, prompt version); a resumed run
 *                      reuses a generated transcript only when its key is the same
 * @param turns         the consultation, patient turns included
 * @param turnsUsed     simulated mode: doctor turns taken; else null
 * @param factsElicited simulated mode: hidden facts the doctor drew out; else null
 * @param factsTotal    simulated mode: hidden facts the record has; else null
 * @param diagnosed     simulated mode: whether the doctor gave a diagnosis before the budget ran out; else null
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
@JsonPropertyOrder({"model", "case", "source", "key", "turns_used", "facts_elicited", "facts_total", "diagnosed", "turns"})
public record Transcript(String model, @JsonProperty("case") String caseId, String source, String key, List<Turn> turns,
                         @JsonProperty("turns_used") Integer turnsUsed, @JsonProperty("facts_elicited") Integer factsElicited,
                         @JsonProperty("facts_total") Integer factsTotal, Boolean diagnosed) {
    public Transcript {
        turns = turns == null ? List.of() : List.copyOf(turns);
    }

    public static Transcript of(String model, String caseId, String source, String key, List<Turn> turns) {
        return new Transcript(model, caseId, source, key, turns, null, null, null, null);
    }

    /** Whether it has a doctor turn (a transcript without one cannot be judged). */
    public boolean judgeable() { return turns.stream().anyMatch(t -> t.role() == Role.DOCTOR); }

    /** Characters of the doctor's words, for length-bias diagnostics. */
    public int doctorLength() {
        int n = 0;
        for (Turn t : turns) if (t.role() == Role.DOCTOR) n += t.text().codePointCount(0, t.text().length());
        return n;
    }
}
