package ai.pulsemind.data;

import com.fasterxml.jackson.databind.JsonNode;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Checks one record's JSON against the MediScope rules (the same rules as {@code datasets/mediscope.schema.json},
 * plus the ones a schema cannot say: turns alternate, image ids resolve, every image is shown). Each problem names
 * the field by its JSON path. Files on disk are not looked at here; {@link DatasetValidator} does that.
 */
public final class RecordValidator {
    /** One problem in a record: a JSON path such as {@code turns[2].role} and what is wrong. */
    public record Problem(String field, String message) {}

    static final Set<String> TOP_FIELDS = Set.of("id", "department", "subspecialty", "language", "turns", "images",
            "diagnosis", "facts", "counterparts", "split", "source", "eval", "meta");
    private static final Pattern LANG = Pattern.compile("[a-z]{2,3}(-[A-Za-z0-9]{1,8})*");

    private final List<Problem> out = new ArrayList<>();

    private RecordValidator() {}

    /** All problems in {@code node}; empty when the record is valid. */
    public static List<Problem> check(JsonNode node) {
        RecordValidator v = new RecordValidator();
        v.record(node);
        return v.out;
    }

    private void add(String field, String message) { out.add(new Problem(field, message)); }

    private void record(JsonNode n) {
        if (!n.isObject()) { add("-", "a record is a JSON object, got " + kind(n)); return; }
        n.fieldNames().forEachRemaining(f -> {
            if (!TOP_FIELDS.contains(f)) add(f, "unknown field; known fields are " + new java.util.TreeSet<>(TOP_FIELDS));
        });
        requiredString(n, "id", "id");
        String lang = requiredString(n, "language", "language");
        if (lang != null && !LANG.matcher(lang).matches()) add("language", "'" + lang + "' is not a language tag such as en or zh");
        optionalString(n, "department", "department");
        optionalString(n, "subspecialty", "subspecialty");
        optionalString(n, "source", "source");
        String split = optionalString(n, "split", "split");
        if (split != null && !MediRecord.SPLITS.contains(split)) add("split", "'" + split + "' is not one of " + MediRecord.SPLITS);
        Set<String> imageIds = images(n.get("images"));
        boolean eval = n.has("eval") && !n.get("eval").isNull();
        Set<String> shown = new HashSet<>();
        turns(n.get("turns"), "turns", imageIds, shown, !eval, true);
        for (String id : imageIds)
            if (!shown.contains(id)) add("images", "image '" + id + "' is listed but no turn shows it");
        if (n.has("diagnosis")) diagnosis(n.get("diagnosis"));
        if (n.has("facts")) facts(n.get("facts"));
        if (n.has("counterparts")) counterparts(n.get("counterparts"), imageIds);
        if (eval) evalSpec(n.get("eval"));
        if (n.has("meta") && !n.get("meta").isObject()) add("meta", "must be an object, got " + kind(n.get("meta")));
    }

    private Set<String> images(JsonNode arr) {
        Set<String> ids = new HashSet<>();
        if (arr == null || arr.isNull()) return ids;
        if (!arr.isArray()) { add("images", "must be an array, got " + kind(arr)); return ids; }
        for (int i = 0; i < arr.size(); i++) {
            String f = "images[" + i + "]";
            JsonNode im = arr.get(i);
            if (!im.isObject()) { add(f, "must be an object {id, path, modality}, got " + kind(im)); continue; }
            unknownFields(im, f, Set.of("id", "path", "modality"));
            String id = requiredString(im, "id", f + ".id");
            if (id != null && !ids.add(id)) add(f + ".id", "duplicate image id '" + id + "'");
            String path = requiredString(im, "path", f + ".path");
            if (path != null) {
                String p = DatasetPaths.pathProblem(path);
                if (p != null) add(f + ".path", p);
            }
            String m = requiredString(im, "modality", f + ".modality");
            if (m != null && !Modality.known(m)) add(f + ".modality", "'" + m + "' is not one of " + Modality.NAMES);
        }
        return ids;
    }

    /**
     * Turns start with the patient and alternate; a consultation ends with a doctor reply (there is something to
     * learn or compare). Evaluation records may end with the patient's question.
     */
    private void turns(JsonNode arr, String field, Set<String> imageIds, Set<String> shown, boolean endWithDoctor,
                       boolean required) {
        if (arr == null || arr.isNull()) { if (required) add(field, "required field is missing"); return; }
        if (!arr.isArray()) { add(field, "must be an array, got " + kind(arr)); return; }
        if (arr.isEmpty()) { add(field, "must have at least one turn"); return; }
        Role prev = null;
        for (int i = 0; i < arr.size(); i++) {
            String f = field + "[" + i + "]";
            JsonNode t = arr.get(i);
            if (!t.isObject()) { add(f, "must be an object {role, text, images}, got " + kind(t)); prev = null; continue; }
            unknownFields(t, f, Set.of("role", "text", "images"));
            Role role = null;
            String r = requiredString(t, "role", f + ".role");
            if (r != null) {
                try { role = Role.parse(r); } catch (IllegalArgumentException e) { add(f + ".role", e.getMessage()); }
            }
            if (role != null) {
                if (i == 0 && role != Role.PATIENT) add(f + ".role", "a consultation starts with the patient, got doctor");
                else if (prev != null && role == prev)
                    add(f + ".role", "two " + r + " turns in a row; merge them or add the missing " + role.other().json() + " turn");
            }
            prev = role;
            String text = requiredString(t, "text", f + ".text");
            JsonNode ims = t.get("images");
            int nImages = 0;
            if (ims != null && !ims.isNull()) {
                if (!ims.isArray()) add(f + ".images", "must be an array of image ids, got " + kind(ims));
                else for (int j = 0; j < ims.size(); j++) {
                    JsonNode id = ims.get(j);
                    String fj = f + ".images[" + j + "]";
                    if (!id.isTextual()) add(fj, "must be an image id string, got " + kind(id));
                    else if (!imageIds.contains(id.asText())) add(fj, "no image with id '" + id.asText() + "' in images[]");
                    else { shown.add(id.asText()); nImages++; }
                }
            }
            if (text != null && text.isBlank() && nImages == 0) add(f + ".text", "empty turn: no text and no image");
        }
        if (endWithDoctor && prev == Role.PATIENT)
            add(field + "[" + (arr.size() - 1) + "].role", "a consultation ends with a doctor reply, got patient");
    }

    private void diagnosis(JsonNode d) {
        if (d.isNull()) return;
        if (!d.isObject()) { add("diagnosis", "must be an object {name, code, differentials}, got " + kind(d)); return; }
        unknownFields(d, "diagnosis", Set.of("name", "code", "differentials"));
        requiredString(d, "name", "diagnosis.name");
        optionalString(d, "code", "diagnosis.code");
        stringArray(d.get("differentials"), "diagnosis.differentials");
    }

    private void facts(JsonNode arr) {
        if (!arr.isArray()) { add("facts", "must be an array, got " + kind(arr)); return; }
        for (int i = 0; i < arr.size(); i++) {
            String f = "facts[" + i + "]";
            JsonNode x = arr.get(i);
            if (!x.isObject()) { add(f, "must be an object {topic, question, answer, keywords, key}"); continue; }
            unknownFields(x, f, Set.of("topic", "question", "answer", "keywords", "key"));
            requiredString(x, "topic", f + ".topic");
            requiredString(x, "answer", f + ".answer");
            optionalString(x, "question", f + ".question");
            stringArray(x.get("keywords"), f + ".keywords");
            if (x.has("key") && !x.get("key").isBoolean()) add(f + ".key", "must be true or false, got " + kind(x.get("key")));
        }
    }

    private void counterparts(JsonNode arr, Set<String> imageIds) {
        if (!arr.isArray()) { add("counterparts", "must be an array, got " + kind(arr)); return; }
        for (int i = 0; i < arr.size(); i++) {
            String f = "counterparts[" + i + "]";
            JsonNode c = arr.get(i);
            if (!c.isObject()) { add(f, "must be an object {model, turns, quality}"); continue; }
            unknownFields(c, f, Set.of("model", "turns", "quality"));
            requiredString(c, "model", f + ".model");
            turns(c.get("turns"), f + ".turns", imageIds, new HashSet<>(), true, true);
            if (c.has("quality") && !c.get("quality").isNull()) quality(c.get("quality"), f + ".quality");
        }
    }

    private void quality(JsonNode q, String f) {
        if (!q.isObject()) { add(f, "must be an object of 1..5 scores"); return; }
        unknownFields(q, f, Set.of("proactiveness", "accuracy", "usefulness", "language", "overall", "flaws"));
        for (String d : List.of("proactiveness", "accuracy", "usefulness", "language", "overall")) {
            JsonNode s = q.get(d);
            if (s == null) add(f + "." + d, "required field is missing");
            else if (!s.isInt() || s.asInt() < 1 || s.asInt() > 5) add(f + "." + d, "must be an integer 1..5, got " + s);
        }
        stringArray(q.get("flaws"), f + ".flaws");
    }

    private void evalSpec(JsonNode e) {
        if (!e.isObject()) { add("eval", "must be an object {type, options, answer, answer_type}"); return; }
        unknownFields(e, "eval", Set.of("type", "options", "answer", "answer_type"));
        String type = requiredString(e, "type", "eval.type");
        String answer = requiredString(e, "answer", "eval.answer");
        optionalString(e, "answer_type", "eval.answer_type");
        JsonNode opts = e.get("options");
        if (type != null && !type.equals("mcq") && !type.equals("vqa")) add("eval.type", "'" + type + "' is not mcq or vqa");
        if ("mcq".equals(type)) {
            if (opts == null || !opts.isObject() || opts.size() < 2) add("eval.options", "a multiple-choice record needs at least two options {letter: text}");
            else {
                opts.properties().forEach(en -> {
                    if (!en.getValue().isTextual()) add("eval.options." + en.getKey(), "must be text");
                });
                if (answer != null && !opts.has(answer)) add("eval.answer", "'" + answer + "' is not one of the options " + iter(opts.fieldNames()));
            }
        }
    }

    // ---------------------------------------------------------------- helpers

    private String requiredString(JsonNode n, String name, String field) {
        JsonNode v = n.get(name);
        if (v == null || v.isNull()) { add(field, "required field is missing"); return null; }
        if (!v.isTextual()) { add(field, "must be a string, got " + kind(v)); return null; }
        if (!name.equals("text") && v.asText().isBlank()) { add(field, "must not be empty"); return null; }
        return v.asText();
    }

    private String optionalString(JsonNode n, String name, String field) {
        JsonNode v = n.get(name);
        if (v == null || v.isNull()) return null;
        if (!v.isTextual()) { add(field, "must be a string, got " + kind(v)); return null; }
        return v.asText();
    }

    private void stringArray(JsonNode a, String field) {
        if (a == null || a.isNull()) return;
        if (!a.isArray()) { add(field, "must be an array of strings, got " + kind(a)); return; }
        for (int i = 0; i < a.size(); i++)
            if (!a.get(i).isTextual()) add(field + "[" + i + "]", "must be a string, got " + kind(a.get(i)));
    }

    private void unknownFields(JsonNode n, String field, Set<String> known) {
        n.fieldNames().forEachRemaining(f -> {
            if (!known.contains(f)) add(field + "." + f, "unknown field; known fields are " + new java.util.TreeSet<>(known));
        });
    }

    private static List<String> iter(java.util.Iterator<String> it) {
        List<String> l = new ArrayList<>();
        it.forEachRemaining(l::add);
        return l;
    }

    static String kind(JsonNode n) {
        if (n == null || n.isNull()) return "null";
        if (n.isTextual()) return "a string";
        if (n.isNumber()) return "a number";
        if (n.isBoolean()) return "a boolean";
        if (n.isArray()) return "an array";
        return "an object";
    }
}
