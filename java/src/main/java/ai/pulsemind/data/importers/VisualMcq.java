package ai.pulsemind.data.importers;

import ai.pulsemind.data.DataError;
import ai.pulsemind.data.DatasetPaths;
import ai.pulsemind.data.EvalSpec;
import ai.pulsemind.data.ImageRef;
import ai.pulsemind.data.MediRecord;
import ai.pulsemind.data.Modality;
import ai.pulsemind.data.Turn;
import com.fasterxml.jackson.databind.JsonNode;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** The multiple-choice visual QA rows of {@link VqaImporter}: PMC-VQA and MMMU. */
final class VisualMcq {
    private VisualMcq() {}

    private static final Pattern CHOICE_PREFIX = Pattern.compile("^\\s*([A-Z])\\s*[:.)]\\s*");
    private static final Pattern PLACEHOLDER = Pattern.compile("<image (\\d+)>");

    /** PMC-VQA: choices are released as {@code "A:text"}; the prefix is dropped. */
    static Importer.Imported pmcVqa(JsonNode n, String file, long line, ImportOptions opt) {
        String q = require(n, "Question", file, line), image = require(n, "Figure_path", file, line);
        Map<String, String> options = new LinkedHashMap<>();
        for (char c = 'A'; c <= 'Z'; c++) {
            String v = Text.str(n, "Choice " + c);
            if (v == null) break;
            Matcher m = CHOICE_PREFIX.matcher(v);
            options.put(String.valueOf(c), (m.find() && m.group(1).equals(String.valueOf(c)) ? v.substring(m.end()) : v).strip());
        }
        if (options.size() < 2) throw new DataError(file, line, "Choice A", "a PMC-VQA row needs at least two choices (Choice A, Choice B, ...)");
        String label = require(n, "Answer_label", file, line).strip().toUpperCase(Locale.ROOT);
        if (!options.containsKey(label)) throw new DataError(file, line, "Answer_label", "'" + label + "' is not one of the choices " + options.keySet());
        String answer = Text.str(n, "Answer") != null ? Text.str(n, "Answer").strip() : options.get(label);
        String mod = opt.modality() != null ? opt.modality() : Modality.guess(image);
        Importer.SourceImage src = new Importer.SourceImage("img0", resolve(opt, image, file, line, "Figure_path"), mod);
        String id = Text.str(n, "index", "id");
        return build("pmc-vqa", id != null ? id : String.valueOf(line), q, options, label, answer, List.of(src), List.of("img0"),
                Map.of(), opt, Text.language(q));
    }

    /**
     * MMMU: {@code options} is a Python list literal as released ({@code "['a', 'b']"}) or a JSON list; the subject
     * comes from {@code subject} or the id ({@code validation_Clinical_Medicine_3}); open questions become open VQA.
     */
    static Importer.Imported mmmu(JsonNode n, String file, long line, ImportOptions opt) {
        String id = require(n, "id", file, line), q = require(n, "question", file, line);
        String answer = require(n, "answer", file, line).strip();
        String subject = Text.str(n, "subject") != null ? Text.str(n, "subject") : subjectOf(id);
        String mod = opt.modality() != null ? opt.modality() : Modality.guess(Text.str(n, "img_type"));
        List<Importer.SourceImage> images = new ArrayList<>();
        for (int k = 1; k <= 7; k++) {
            JsonNode im = n.get("image_" + k);
            if (im == null || im.isNull()) continue;
            String path = im.isObject() ? Text.str(im, "path") : im.asText();
            if (path == null || path.isBlank()) continue;
            images.add(new Importer.SourceImage("image_" + k, resolve(opt, path, file, line, "image_" + k), mod));
        }
        if (images.isEmpty()) throw new DataError(file, line, "image_1", "an MMMU row needs at least one image (image_1 .. image_7 as paths)");
        List<String> shown = new ArrayList<>();
        Matcher m = PLACEHOLDER.matcher(q + " " + n.path("options").asText(""));
        while (m.find()) if (!shown.contains("image_" + m.group(1))) shown.add("image_" + m.group(1));
        for (Importer.SourceImage s : images) if (!shown.contains(s.id())) shown.add(s.id());
        shown.removeIf(s -> images.stream().noneMatch(i -> i.id().equals(s)));
        Map<String, Object> meta = new LinkedHashMap<>();
        if (subject != null) meta.put("subject", subject);
        if (Text.str(n, "subfield") != null) meta.put("subfield", Text.str(n, "subfield"));
        boolean open = "open".equalsIgnoreCase(Text.str(n, "question_type"));
        Map<String, String> options = new LinkedHashMap<>();
        if (!open) {
            List<String> list = optionList(n.get("options"), file, line);
            for (int i = 0; i < list.size(); i++) options.put(String.valueOf((char) ('A' + i)), list.get(i));
            if (options.size() < 2) throw new DataError(file, line, "options", "a multiple-choice MMMU row needs at least two options");
            if (!options.containsKey(answer)) throw new DataError(file, line, "answer", "'" + answer + "' is not one of the options " + options.keySet());
        }
        String lang = Text.language(q);
        return build("mmmu", id, q, options, answer, open ? answer : options.get(answer), images, shown, meta, opt, lang);
    }

    private static Importer.Imported build(String set, String id, String q, Map<String, String> options, String answer, String answerText,
                                           List<Importer.SourceImage> images, List<String> shown, Map<String, Object> meta,
                                           ImportOptions opt, String lang) {
        StringBuilder t = new StringBuilder(q);
        options.forEach((k, v) -> t.append('\n').append(k).append(". ").append(v));
        Map<String, Object> m = new LinkedHashMap<>(meta);
        m.put("question", q);
        List<ImageRef> refs = new ArrayList<>();
        for (Importer.SourceImage s : images) refs.add(new ImageRef(s.id(), "pending", s.modality()));
        EvalSpec eval = options.isEmpty() ? new EvalSpec("vqa", null, answer, "open") : new EvalSpec("mcq", options, answer, null);
        String subject = (String) meta.get("subject");
        MediRecord r = new MediRecord(set + "-" + id, subject != null ? subject.replace('_', ' ') : opt.department(), null, lang,
                List.of(new Turn(ai.pulsemind.data.Role.PATIENT, t.toString(), shown), Turn.doctor(answerText)), refs, null, null,
                null, "test", set, eval, m);
        return new Importer.Imported(r, images);
    }

    /** {@code validation_Clinical_Medicine_3} → {@code Clinical_Medicine}; null when the id has no such shape. */
    static String subjectOf(String id) {
        Matcher m = Pattern.compile("^(?:dev|validation|test)_(.+)_\\d+$").matcher(id);
        return m.find() ? m.group(1) : null;
    }

    /** A JSON list of strings, or a Python list literal of quoted strings (as MMMU releases its options). */
    static List<String> optionList(JsonNode o, String file, long line) {
        List<String> out = new ArrayList<>();
        if (o == null || o.isNull()) throw new DataError(file, line, "options", "required for a multiple-choice question");
        if (o.isArray()) {
            for (JsonNode x : o) out.add(x.asText());
            return out;
        }
        String s = o.asText().strip();
        if (!s.startsWith("[") || !s.endsWith("]")) throw new DataError(file, line, "options", "expected a list such as ['a', 'b']");
        int i = 1, end = s.length() - 1;
        while (i < end) {
            char c = s.charAt(i);
            if (Character.isWhitespace(c) || c == ',') { i++; continue; }
            if (c != '\'' && c != '"') throw new DataError(file, line, "options", "expected a quoted string at position " + i + " of " + s);
            StringBuilder sb = new StringBuilder();
            int j = i + 1;
            for (; j < end && s.charAt(j) != c; j++) {
                char d = s.charAt(j);
                if (d == '\\' && j + 1 < end) {
                    char e = s.charAt(++j);
                    sb.append(switch (e) { case 'n' -> '\n'; case 't' -> '\t'; default -> e; });
                } else sb.append(d);
            }
            if (j >= end) throw new DataError(file, line, "options", "a quoted option is not closed in " + s);
            out.add(sb.toString());
            i = j + 1;
        }
        return out;
    }

    private static Path resolve(ImportOptions opt, String rel, String file, long line, String field) {
        try {
            return DatasetPaths.resolveInside(opt.imageRoot(), rel);
        } catch (IllegalArgumentException e) {
            throw new DataError(file, line, field, e.getMessage());
        }
    }

    private static String require(JsonNode n, String f, String file, long line) {
        String s = Text.str(n, f);
        if (s == null) throw new DataError(file, line, f, "required field is missing or empty");
        return s;
    }
}
