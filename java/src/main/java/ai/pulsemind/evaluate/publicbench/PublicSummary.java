package ai.pulsemind.evaluate.publicbench;

import ai.pulsemind.evaluate.stats.Bootstrap;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.json.JsonMapper;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Predicate;
import java.util.function.ToDoubleFunction;

/**
 * {@code summary.json} of a public-benchmark run: per task the scores with bootstrap 95% intervals (case-level
 * resampling of the questions, {@link Bootstrap}, the seed recorded), how many answers each extraction rule took,
 * and what was skipped. Plain data: the HTML report renders it ({@link #rows()} is the table), other tools read
 * the JSON.
 *
 * <p>Metrics: {@code accuracy} over every scored question; for tasks with open-ended questions also
 * {@code closed_accuracy} (closed questions), {@code open_recall}, {@code open_token_f1}, {@code open_exact}
 * (open questions) and, with a judge, {@code open_judge_accuracy}.
 */
@JsonPropertyOrder({"benchmark", "model", "match", "shots", "seed", "resamples", "level", "tasks", "counts", "problems"})
public record PublicSummary(String benchmark, String model, String match, int shots, long seed, int resamples, double level,
                            List<TaskResult> tasks, Counts counts, List<String> problems) {
    /**
     * @param questions          questions asked for (after malformed records; with those whose image is missing)
     * @param scored             questions with a scored reply
     * @param rules              answers per extraction rule
     * @param missingImages      questions left out because an image file is missing
     * @param failed             questions the model failed on (after a retry)
     * @param missingPredictions scoring recorded replies: questions with no reply in the file
     */
    @JsonPropertyOrder({"task", "name", "harness", "questions", "scored", "metrics", "rules", "missing_images", "failed", "missing_predictions"})
    public record TaskResult(String task, String name, String harness, long questions, long scored, List<Metric> metrics,
                             Map<String, Long> rules, @JsonProperty("missing_images") long missingImages, long failed,
                             @JsonProperty("missing_predictions") long missingPredictions) {}

    /** A score over {@code n} questions with its bootstrap interval. */
    public record Metric(String name, long n, double estimate, double low, double high) {}

    @JsonPropertyOrder({"malformed", "missing_images", "failed", "judge_failures", "missing_predictions", "unknown_predictions", "not_taken"})
    public record Counts(long malformed, @JsonProperty("missing_images") long missingImages, long failed,
                         @JsonProperty("judge_failures") long judgeFailures,
                         @JsonProperty("missing_predictions") long missingPredictions,
                         @JsonProperty("unknown_predictions") long unknownPredictions,
                         @JsonProperty("not_taken") long notTaken) {}

    /** One table row for a report: task, metric, n, estimate and interval. */
    public record Row(String task, String metric, long n, double estimate, double low, double high) {}

    static final ObjectMapper JSON = JsonMapper.builder().enable(SerializationFeature.INDENT_OUTPUT)
            .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES).build();

    public static PublicSummary read(Path file) throws IOException { return JSON.readValue(file.toFile(), PublicSummary.class); }

    public void write(Path file) throws IOException { RunFiles.writeAtomically(file, JSON.writeValueAsString(this) + "\n"); }

    public List<Row> rows() {
        List<Row> out = new ArrayList<>();
        for (TaskResult t : tasks)
            for (Metric m : t.metrics()) out.add(new Row(t.name(), m.name(), m.n(), m.estimate(), m.low(), m.high()));
        return out;
    }

    /** The result of one task from its predictions. */
    static TaskResult task(Task task, long questions, List<Prediction> preds, long missingImages, long failed,
                           long missingPredictions, long seed, int resamples) {
        List<Metric> metrics = new ArrayList<>();
        add(metrics, "accuracy", preds, p -> true, p -> p.correct() ? 1 : 0, seed, resamples);
        if (preds.stream().anyMatch(p -> !p.kind().equals(Prediction.MCQ))) {
            add(metrics, "closed_accuracy", preds, p -> p.kind().equals(Prediction.CLOSED), p -> p.correct() ? 1 : 0, seed, resamples);
            Predicate<Prediction> open = p -> p.kind().equals(Prediction.OPEN);
            add(metrics, "open_recall", preds, open, Prediction::recall, seed, resamples);
            add(metrics, "open_token_f1", preds, open, Prediction::tokenF1, seed, resamples);
            add(metrics, "open_exact", preds, open, p -> Boolean.TRUE.equals(p.exact()) ? 1 : 0, seed, resamples);
            add(metrics, "open_judge_accuracy", preds, open.and(p -> p.judge() != null), p -> p.judge().correct() ? 1 : 0, seed, resamples);
        }
        Map<String, Long> rules = new TreeMap<>();
        for (Prediction p : preds) rules.merge(p.rule(), 1L, Long::sum);
        return new TaskResult(task.id(), task.display(), task.style().harness(), questions, preds.size(), metrics, rules,
                missingImages, failed, missingPredictions);
    }

    private static void add(List<Metric> out, String name, List<Prediction> preds, Predicate<Prediction> which,
                            ToDoubleFunction<Prediction> value, long seed, int resamples) {
        double[] v = preds.stream().filter(which).mapToDouble(value).toArray();
        if (v.length == 0) return;
        Bootstrap.Interval ci = Bootstrap.mean(v, resamples, Bootstrap.DEFAULT_LEVEL, seed);
        out.add(new Metric(name, v.length, ci.estimate(), ci.low(), ci.high()));
    }
}
