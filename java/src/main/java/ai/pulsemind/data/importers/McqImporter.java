package ai.pulsemind.data.importers;

import ai.pulsemind.data.DataError;
import ai.pulsemind.data.EvalSpec;
import ai.pulsemind.data.MediRecord;
import ai.pulsemind.data.Turn;
import com.fasterxml.jackson.databind.JsonNode;

import java.io.IOException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Multiple-choice medical QA as evaluation records (the question is the patient turn; the gold answer is in
 * {@code eval}, never in a doctor turn). Each row is recognised by its fields:
 * <ul>
 *   <li>MedQA: {@code question, options {A: …} (or [{key, value}]), answer_idx};</li>
 *   <li>MedMCQA: {@code question, opa..opd, cop} ({@code cop} 1..4 as released; {@code --zero-based-answers} for
 *       the 0..3 copies), {@code subject_name}/{@code topic_name} become department/sub-specialty, {@code exp} goes
 *       to {@code meta.explanation};</li>
 *   <li>PubMedQA: {@code question|QUESTION, final_decision, context.contexts|CONTEXTS} (options yes/no/maybe),
 *       as JSON lines or as {@code ori_pqal.json}, an object keyed by PubMed id;</li>
 *   <li>MMLU (Hugging Face {@code cais/mmlu} rows): {@code question, choices [..], answer} (0-based index or letter),
 *       {@code subject} (e.g. {@code anatomy}) to department and {@code meta.subject}.</li>
 * </ul>
 * The bare question (and PubMedQA's abstract) are kept in {@code meta.question} / {@code meta.context}, so a
 * benchmark can lay the prompt out in its own format.
 */
final class McqImporter implements Importer {
    @Override public String format() { return "mcq"; }

    @Override public String source() { return "medical multiple-choice QA (MedQA / MedMCQA / PubMedQA / MMLU)"; }

    @Override
    public void read(ImportOptions opt, Sink sink) throws IOException {
        JsonSource.records(opt.input(), sink, (n, file, line) -> new Imported(record(n, file, line, opt), List.of()));
    }

    static MediRecord record(JsonNode n, String file, long line, ImportOptions opt) {
        if (n.has("opa")) return medMcqa(n, file, line, opt);
        if (n.has("final_decision") || n.has("QUESTION")) return pubMedQa(n, file, line, opt);
        if (n.has("options") && n.has("question")) return medQa(n, file, line, opt);
        if (n.has("choices") && n.has("question")) return mmlu(n, file, line, opt);
        throw new DataError(file, line, "-", "not a recognised MCQ row: expected MedQA (question, options, answer_idx), "
                + "MedMCQA (question, opa..opd, cop), PubMedQA (question, final_decision) or MMLU (question, choices, answer)");
    }

    private static MediRecord medQa(JsonNode n, String file, long line, ImportOptions opt) {
        Map<String, String> options = new LinkedHashMap<>();
        JsonNode o = n.get("options");
        if (o.isObject()) o.properties().forEach(e -> options.put(e.getKey(), e.getValue().asText()));
        else if (o.isArray()) for (JsonNode kv : o) options.put(kv.path("key").asText(), kv.path("value").asText());
        else throw new DataError(file, line, "options", "must be an object {A: text} or a list of {key, value}");
        String answer = Text.str(n, "answer_idx");
        if (answer == null) {
            String text = Text.str(n, "answer");
            for (var e : options.entrySet()) if (e.getValue().equals(text)) answer = e.getKey();
        }
        if (answer == null) throw new DataError(file, line, "answer_idx", "required: the letter of the correct option");
        return build("medqa", Text.str(n, "id"), line, require(n, "question", file, line), null, options, answer, null,
                opt.department(), null, Map.of(), opt);
    }

    private static MediRecord medMcqa(JsonNode n, String file, long line, ImportOptions opt) {
        Map<String, String> options = new LinkedHashMap<>();
        String[] keys = {"opa", "opb", "opc", "opd"}, letters = {"A", "B", "C", "D"};
        for (int i = 0; i < 4; i++) options.put(letters[i], require(n, keys[i], file, line));
        JsonNode cop = n.get("cop");
        if (cop == null || !cop.canConvertToInt()) throw new DataError(file, line, "cop", "required: the number of the correct option");
        int k = cop.asInt() - (opt.zeroBasedAnswers() ? 0 : 1);
        if (k < 0 || k > 3) throw new DataError(file, line, "cop", "is " + cop.asInt() + ", outside "
                + (opt.zeroBasedAnswers() ? "0..3 (--zero-based-answers)" : "1..4 (pass --zero-based-answers for 0..3 copies)"));
        String exp = Text.str(n, "exp");
        Map<String, Object> meta = exp == null ? Map.of() : Map.of("explanation", exp);
        String subject = Text.str(n, "subject_name");
        return build("medmcqa", Text.str(n, "id"), line, require(n, "question", file, line), null, options, letters[k], null,
                subject != null ? subject : opt.department(), Text.str(n, "topic_name"), meta, opt);
    }

    private static MediRecord pubMedQa(JsonNode n, String file, long line, ImportOptions opt) {
        String q = Text.str(n, "question", "QUESTION");
        if (q == null) throw new DataError(file, line, "question", "required field is missing");
        String decision = Text.str(n, "final_decision");
        if (decision == null) throw new DataError(file, line, "final_decision", "required: yes, no or maybe");
        Map<String, String> options = new LinkedHashMap<>(Map.of());
        options.put("A", "yes");
        options.put("B", "no");
        options.put("C", "maybe");
        String answer = switch (decision.toLowerCase(java.util.Locale.ROOT)) {
            case "yes" -> "A";
            case "no" -> "B";
            case "maybe" -> "C";
            default -> throw new DataError(file, line, "final_decision", "'" + decision + "' is not yes, no or maybe");
        };
        JsonNode ctx = n.has("CONTEXTS") ? n.get("CONTEXTS") : n.path("context").path("contexts");
        StringBuilder c = new StringBuilder();
        if (ctx.isArray()) for (JsonNode x : ctx) c.append(c.isEmpty() ? "" : "\n").append(x.asText());
        Map<String, Object> meta = Text.str(n, "long_answer", "LONG_ANSWER") == null ? Map.of()
                : Map.of("long_answer", Text.str(n, "long_answer", "LONG_ANSWER"));
        String id = Text.str(n, "pubid", "_key");
        return build("pubmedqa", id, line, q, c.isEmpty() ? null : c.toString(), options, answer, "yes/no/maybe",
                opt.department(), null, meta, opt);
    }

    private static MediRecord mmlu(JsonNode n, String file, long line, ImportOptions opt) {
        JsonNode ch = n.get("choices");
        if (!ch.isArray() || ch.size() < 2) throw new DataError(file, line, "choices", "must be a list of at least two option texts");
        if (ch.size() > 26) throw new DataError(file, line, "choices", "more than 26 options");
        Map<String, String> options = new LinkedHashMap<>();
        for (int i = 0; i < ch.size(); i++) {
            if (!ch.get(i).isTextual()) throw new DataError(file, line, "choices[" + i + "]", "must be text");
            options.put(String.valueOf((char) ('A' + i)), ch.get(i).asText());
        }
        JsonNode a = n.get("answer");
        String answer = a == null ? null : a.canConvertToInt() && !a.isTextual() ? (a.asInt() >= 0 && a.asInt() < ch.size()
                ? String.valueOf((char) ('A' + a.asInt())) : null) : a.asText().strip().toUpperCase(java.util.Locale.ROOT);
        if (answer == null || !options.containsKey(answer))
            throw new DataError(file, line, "answer", "must be the 0-based index or the letter of the correct choice, got " + a);
        String subject = Text.str(n, "subject");
        Map<String, Object> meta = subject == null ? Map.of() : Map.of("subject", subject);
        return build("mmlu", Text.str(n, "id"), line, require(n, "question", file, line), null, options, answer, null,
                subject != null ? subject : opt.department(), null, meta, opt);
    }

    private static MediRecord build(String set, String id, long line, String question, String context,
                                    Map<String, String> options, String answer, String answerType, String dept,
                                    String sub, Map<String, Object> meta, ImportOptions opt) {
        StringBuilder t = new StringBuilder();
        if (context != null) t.append(context).append("\n\n");
        t.append(question);
        options.forEach((k, v) -> t.append('\n').append(k).append(". ").append(v));
        Map<String, Object> m = new LinkedHashMap<>(meta);
        m.put("question", question);
        if (context != null) m.put("context", context);
        return MediRecord.builder(set + "-" + (id != null ? id : String.valueOf(line)), Text.language(question))
                .department(dept).subspecialty(sub).turns(List.of(Turn.patient(t.toString()))).split("test").source(set)
                .eval(new EvalSpec("mcq", options, answer, answerType)).meta(m).build();
    }

    private static String require(JsonNode n, String f, String file, long line) {
        String s = Text.str(n, f);
        if (s == null) throw new DataError(file, line, f, "required field is missing or empty");
        return s;
    }
}
