package ai.pulsemind.data;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The record's builder: every field set by name, the record's normalisation applied, and JSON unchanged. */
class MediRecordTest {
    private static MediRecord full() {
        return MediRecord.builder("r1", "en").department("Dermatology").subspecialty("Pigmented lesions")
                .turns(List.of(Turn.patient("A dark spot.", "img1"), Turn.doctor("Since when?")))
                .images(List.of(new ImageRef("img1", "images/r1/a.png", Modality.DERMATOLOGY)))
                .diagnosis(new Diagnosis("Melanoma", "mel", List.of("Naevus")))
                .split("train").source("unit test").meta(Map.of("age", 40)).build();
    }

    @Test
    void absentFieldsAreNormalisedAsTheConstructorDoes() {
        MediRecord r = MediRecord.builder("r0", "zh").build();
        assertEquals("", r.department());
        assertEquals("", r.subspecialty());
        assertTrue(r.turns().isEmpty() && r.images().isEmpty() && r.facts().isEmpty() && r.counterparts().isEmpty());
        assertEquals(Map.of(), r.meta());
        assertNull(r.diagnosis());
        assertNull(r.split());
        assertThrows(NullPointerException.class, () -> MediRecord.builder("r0", null).build());
    }

    @Test
    void toBuilderKeepsEveryFieldAndChangesOnlyWhatIsSet() {
        MediRecord r = full();
        assertEquals(r, r.toBuilder().build());
        MediRecord moved = r.toBuilder().images(List.of(new ImageRef("img1", "images/r1/b.png", Modality.DERMATOLOGY))).build();
        assertEquals("images/r1/b.png", moved.image("img1").path());
        assertEquals(r.turns(), moved.turns());
        assertEquals(r.diagnosis(), moved.diagnosis());
        assertEquals("val", r.withSplit("val").split());
        assertEquals(r.withSplit("val"), r.toBuilder().split("val").build());
    }

    @Test
    void jsonRoundTripIsTheRecordsBinding() throws Exception {
        MediRecord r = full();
        JsonNode json = Records.MAPPER.valueToTree(r);
        assertEquals("r1", json.get("id").asText());
        assertFalse(json.has("facts"), "empty lists are left out");
        assertEquals(r, Records.MAPPER.treeToValue(json, MediRecord.class));
    }
}
