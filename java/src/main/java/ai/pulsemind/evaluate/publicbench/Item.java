package ai.pulsemind.evaluate.publicbench;

import java.nio.file.Path;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;

/**
 * One benchmark question, read from an evaluation record ({@link ItemReader}).
 *
 * @param task       the benchmark it belongs to
 * @param id         the record's id, unique within the task
 * @param where      {@code file:line} of the record, for messages
 * @param question   the bare question, without options or context
 * @param context    PubMedQA's abstract; null elsewhere
 * @param options    option letter → text, in order; empty for open-ended questions
 * @param answer     the gold option letter, or the gold answer text (open-ended)
 * @param answerType {@code closed} or {@code open} for open-ended VQA (null: decided from the answer), else null
 * @param subject    the subject of multi-subject suites (MMLU, MMMU), else null
 * @param images     the images shown with the question, in order
 * @param split      the record's split ({@code test} unless the dataset says otherwise)
 */
public record Item(Task task, String id, String where, String question, String context, Map<String, String> options,
                   String answer, String answerType, String subject, List<Image> images, String split) {
    /**
     * @param id   the record's image id (MMMU's {@code <image 1>} placeholder names {@code image_1})
     * @param file where the image is on this machine
     * @param rel  the path predictions show: relative to the {@code --data} folder
     */
    public record Image(String id, Path file, String rel, String modality) {}

    public Item {
        Objects.requireNonNull(task, "task");
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(question, "question");
        Objects.requireNonNull(answer, "answer");
        options = options == null ? Map.of() : Collections.unmodifiableMap(new LinkedHashMap<>(options));
        images = images == null ? List.of() : List.copyOf(images);
        if (!options.isEmpty() && !options.containsKey(answer))
            throw new IllegalArgumentException("answer '" + answer + "' is not one of the options " + options.keySet());
    }

    /** Whether the question is multiple-choice (scored by option extraction) rather than open-ended. */
    public boolean multipleChoice() { return !options.isEmpty(); }

    /** The key predictions and resumes use: {@code task/id}. */
    public String key() { return task.id() + "/" + id; }

    /** The gold answer as text: the option's text for a multiple-choice question, else the answer. */
    public String answerText() { return multipleChoice() ? options.get(answer) : answer; }

    /**
     * For open-ended questions, whether the question is closed (accuracy) or open (recall and token F1): the
     * record's {@code answer_type} when it has one (VQA-RAD, SLAKE), else closed exactly when the answer is yes or no
     * (PathVQA's usual split).
     */
    public boolean closed() {
        if (multipleChoice()) return true;
        if (answerType != null) return answerType.toLowerCase(Locale.ROOT).startsWith("closed");
        return VqaScoring.yesNo(answer) != null;
    }
}
