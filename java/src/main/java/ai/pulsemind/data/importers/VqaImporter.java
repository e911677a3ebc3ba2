package ai.pulsemind.data.importers;

import ai.pulsemind.data.DataError;
import ai.pulsemind.data.DatasetPaths;
import ai.pulsemind.data.EvalSpec;
import ai.pulsemind.data.ImageRef;
import ai.pulsemind.data.MediRecord;
import ai.pulsemind.data.Modality;
import ai.pulsemind.data.Turn;
import com.fasterxml.jackson.databind.JsonNode;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * Medical visual question answering: VQA-RAD ({@code image_name, question, answer, answer_type, image_organ}),
 * SLAKE ({@code img_name, question, answer, answer_type, q_lang, modality, location}) and PathVQA
 * ({@code image, question, answer}); and the multiple-choice visual sets PMC-VQA (its CSV:
 * {@code Figure_path, Question, Answer, Choice A..D, Answer_label}) and MMMU (rows exported from its Hugging Face
 * parquet: {@code id, question, options, answer, question_type, image_1..image_7} as paths, {@code img_type},
 * {@code subfield}). Images are relative to {@code --images}. Each becomes a patient question with the image(s), the
 * reference answer as the doctor turn, and the answer again in {@code eval} for scoring (with the options for the
 * multiple-choice sets; the bare question in {@code meta.question}).
 */
final class VqaImporter implements Importer {
    @Override public String format() { return "vqa"; }

    @Override public String source() { return "medical VQA (VQA-RAD / SLAKE / PathVQA / PMC-VQA / MMMU)"; }

    @Override
    public void read(ImportOptions opt, Sink sink) throws IOException {
        JsonSource.records(opt.input(), sink, (n, file, line) -> record(n, file, line, opt));
    }

    static Imported record(JsonNode n, String file, long line, ImportOptions opt) {
        if (n.has("Figure_path")) return VisualMcq.pmcVqa(n, file, line, opt);
        if (n.has("image_1")) return VisualMcq.mmmu(n, file, line, opt);
        String image = Text.str(n, "image", "image_name", "img_name");
        if (image == null) throw new DataError(file, line, "image", "required: image, image_name or img_name");
        String q = Text.str(n, "question"), a = Text.str(n, "answer");
        if (q == null) throw new DataError(file, line, "question", "required field is missing or empty");
        if (a == null) throw new DataError(file, line, "answer", "required field is missing or empty");
        Path p;
        try {
            p = DatasetPaths.resolveInside(opt.imageRoot(), image);
        } catch (IllegalArgumentException e) {
            throw new DataError(file, line, "image", e.getMessage());
        }
        String mod = opt.modality() != null ? opt.modality()
                : Modality.guess(Text.str(n, "modality") != null ? Text.str(n, "modality") : image);
        String set = n.has("img_name") ? "slake" : n.has("image_name") ? "vqa-rad" : "pathvqa";
        if (set.equals("pathvqa") && opt.modality() == null) mod = Modality.PATHOLOGY;
        String id = Text.str(n, "qid", "id");
        String lang = Text.str(n, "q_lang");
        String type = Text.str(n, "answer_type");
        Map<String, Object> meta = new java.util.LinkedHashMap<>();
        for (String k : List.of("image_organ", "location", "question_type", "content_type", "phrase_type"))
            if (Text.str(n, k) != null) meta.put(k, Text.str(n, k));
        MediRecord r = MediRecord.builder(set + "-" + (id != null ? id : String.valueOf(line)), lang != null ? lang : Text.language(q))
                .department(opt.department()).subspecialty(Text.str(n, "location", "image_organ"))
                .turns(List.of(Turn.patient(q, "img0"), Turn.doctor(a))).images(List.of(new ImageRef("img0", "pending", mod)))
                .split("test").source(set)
                .eval(new EvalSpec("vqa", null, a, type == null ? null : type.toLowerCase(java.util.Locale.ROOT))).meta(meta).build();
        return new Imported(r, List.of(new SourceImage("img0", p, mod)));
    }
}
