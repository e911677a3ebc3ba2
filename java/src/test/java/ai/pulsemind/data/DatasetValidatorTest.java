package ai.pulsemind.data;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;

import static org.junit.jupiter.api.Assertions.*;

/** data validate: each kind of problem is reported once as file:line: field: message. */
class DatasetValidatorTest {
    @TempDir Path dir;

    static final String GOOD = """
            {"id":"a1","department":"Dermatology","subspecialty":"Pigmented lesions","language":"en","split":"train",\
            "turns":[{"role":"patient","text":"I have a mole.","images":["i1"]},{"role":"doctor","text":"Since when?"},\
            {"role":"patient","text":"A year."},{"role":"doctor","text":"Please see a dermatologist."}],\
            "images":[{"id":"i1","path":"images/a1/i1.png","modality":"dermatology"}],\
            "counterparts":[{"model":"m","turns":[{"role":"patient","text":"I have a mole.","images":["i1"]},{"role":"doctor","text":"Fine."}],\
            "quality":{"proactiveness":1,"accuracy":2,"usefulness":1,"language":3,"overall":1,"flaws":["skips_key_questions"]}}]}""";

    List<String> validate(Path p, int max) throws IOException {
        List<String> out = new ArrayList<>();
        DatasetValidator.validate(p, new DatasetValidator.Options(max, true, null), e -> out.add(e.getMessage()), Progress.NONE);
        return out;
    }

    void image(String rel) throws IOException {
        Path f = dir.resolve(rel);
        Files.createDirectories(f.getParent());
        Files.copy(Fixtures.path("import/llava/images/cxr_001.png"), f);
    }

    @Test
    void goodRecordPasses() throws IOException {
        image("images/a1/i1.png");
        Files.writeString(dir.resolve("data-00000.jsonl"), GOOD + "\n");
        assertEquals(List.of(), validate(dir, 100));
        MediRecord r = Records.fromNode(Records.MAPPER.readTree(GOOD));
        assertEquals(1, r.counterparts().getFirst().quality().proactiveness());
        // Round trip: what we write reads back to the same record.
        assertEquals(r, Records.fromNode(Records.MAPPER.readTree(Records.toLine(r))));
    }

    @Test
    void eachProblemNamesFileLineAndField() throws IOException {
        image("images/a1/i1.png");
        Files.copy(Fixtures.path("images/truncated.jpg"), dir.resolve("images/a1/bad.jpg"));
        String g = GOOD;
        List<String> lines = List.of(
                g,                                                                      // 1 ok
                "{\"id\": \"x\", ",                                                     // 2 malformed JSON
                g.replace("\"id\":\"a1\"", "\"id\":\"a2\"").replace("\"role\":\"doctor\",\"text\":\"Since when?\"", "\"role\":\"patient\",\"text\":\"Since when?\""), // 3 two patient turns
                g.replace("\"id\":\"a1\"", "\"id\":\"a3\"").replace("images/a1/i1.png", "../outside.png"),    // 4 escapes root
                g.replace("\"id\":\"a1\"", "\"id\":\"a4\"").replace("images/a1/i1.png", "images/a1/none.png"), // 5 missing file
                g.replace("\"id\":\"a1\"", "\"id\":\"a5\"").replace("images/a1/i1.png", "images/a1/bad.jpg"),  // 6 corrupt image
                g,                                                                      // 7 duplicate id
                g.replace("\"id\":\"a1\"", "\"id\":\"a6\"").replace("\"language\":\"en\"", "\"lang\":\"en\""), // 8 missing language + unknown field
                g.replace("\"id\":\"a1\"", "\"id\":\"a7\"").replace("\"overall\":1", "\"overall\":9"),          // 9 score out of range
                g.replace("\"id\":\"a1\"", "\"id\":\"a8\"").replace("\"images\":[\"i1\"]},{\"role\":\"doctor\",\"text\":\"Since", "\"images\":[\"i9\"]},{\"role\":\"doctor\",\"text\":\"Since")); // 10 unknown image id
        Files.writeString(dir.resolve("data-00000.jsonl"), String.join("\n", lines) + "\n");
        List<String> errs = validate(dir, 100);
        String f = dir.resolve("data-00000.jsonl").toString();
        List<String> want = List.of(
                f + ":2: -: malformed JSON",
                f + ":3: turns[1].role: two patient turns in a row",
                f + ":3: turns[2].role: two patient turns in a row",
                f + ":4: images[0].path: path '../outside.png' leaves the dataset root",
                f + ":5: images[0].path: image file 'images/a1/none.png' does not exist",
                f + ":6: images[0].path: image does not decode",
                f + ":7: id: duplicate id 'a1' (first in shard 0 at line 1)",
                f + ":8: lang: unknown field",
                f + ":8: language: required field is missing",
                f + ":9: counterparts[0].quality.overall: must be an integer 1..5, got 9",
                f + ":10: turns[0].images[0]: no image with id 'i9' in images[]",
                f + ":10: images: image 'i1' is listed but no turn shows it");
        for (String w : want) assertTrue(errs.stream().anyMatch(e -> e.startsWith(w)), "missing: " + w + "\ngot:\n" + String.join("\n", errs));
        assertEquals(want.size(), errs.size(), String.join("\n", errs));
        assertEquals(3, validate(dir, 3).size(), "--max-errors stops the run");
    }

    @Test
    void turnOrderRules() {
        JsonNode doctorFirst = node("{\"id\":\"d\",\"language\":\"en\",\"turns\":[{\"role\":\"doctor\",\"text\":\"Hi\"}]}");
        assertEquals("a consultation starts with the patient, got doctor", RecordValidator.check(doctorFirst).getFirst().message());
        JsonNode endsWithPatient = node("{\"id\":\"d\",\"language\":\"en\",\"turns\":[{\"role\":\"patient\",\"text\":\"Hi\"}]}");
        assertEquals("turns[0].role", RecordValidator.check(endsWithPatient).getFirst().field());
        JsonNode mcq = node("{\"id\":\"q\",\"language\":\"en\",\"turns\":[{\"role\":\"patient\",\"text\":\"Q?\"}],"
                + "\"eval\":{\"type\":\"mcq\",\"options\":{\"A\":\"x\",\"B\":\"y\"},\"answer\":\"C\"}}");
        var ps = RecordValidator.check(mcq);
        assertEquals(1, ps.size(), ps.toString());
        assertEquals("eval.answer", ps.getFirst().field());
    }

    @Test
    void schemaFileAgreesWithTheValidator() throws IOException {
        JsonNode schema = Records.MAPPER.readTree(Path.of("..", "datasets", "mediscope.schema.json").toFile());
        Set<String> props = new TreeSet<>();
        schema.get("properties").fieldNames().forEachRemaining(props::add);
        assertEquals(new TreeSet<>(RecordValidator.TOP_FIELDS), props);
        List<String> modalities = new ArrayList<>();
        schema.at("/properties/images/items/properties/modality/enum").forEach(n -> modalities.add(n.asText()));
        assertEquals(Modality.NAMES, modalities);
        List<String> splits = new ArrayList<>();
        schema.at("/properties/split/enum").forEach(n -> splits.add(n.asText()));
        assertEquals(MediRecord.SPLITS, splits);
        // The schema's path pattern rejects what pathProblem rejects, on a set of paths.
        java.util.regex.Pattern bad = java.util.regex.Pattern.compile(schema.at("/properties/images/items/properties/path/not/pattern").asText());
        for (String p : List.of("a/b.png", "images/x.y/z.dcm", "../a.png", "/etc/x", "a//b", "a/./b", "a\\b", "C:/x", "a/..", "~/x", "a/"))
            assertEquals(DatasetPaths.pathProblem(p) != null, bad.matcher(p).find(), p);
    }

    @Test
    void statsCountsDepartmentsAndModalities() throws IOException {
        image("images/a1/i1.png");
        Files.writeString(dir.resolve("data-00000.jsonl"), GOOD + "\n" + GOOD.replace("\"id\":\"a1\"", "\"id\":\"b\"")
                .replace("Dermatology", "Cardiology") + "\nnot json\n");
        List<String> problems = new ArrayList<>();
        var m = DatasetStats.of(dir, e -> problems.add(e.getMessage()), Progress.NONE).toMap();
        assertEquals(2L, m.get("records"));
        assertEquals(1L, m.get("unreadable"));
        assertEquals(java.util.Map.of("Cardiology", 1L, "Dermatology", 1L), m.get("departments"));
        assertEquals(java.util.Map.of("dermatology", 2L), m.get("modalities"));
        assertEquals(2L, ((java.util.Map<?, ?>) m.get("turns_histogram")).get("3-5"));
        assertEquals(1, problems.size());
        assertTrue(problems.getFirst().contains(":3: -: malformed JSON"), problems.getFirst());
    }

    static JsonNode node(String s) {
        try { return Records.MAPPER.readTree(s); } catch (IOException e) { throw new AssertionError(e); }
    }
}
