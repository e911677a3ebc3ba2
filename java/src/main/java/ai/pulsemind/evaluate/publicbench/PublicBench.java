package ai.pulsemind.evaluate.publicbench;

import ai.pulsemind.evaluate.models.Replier;
import ai.pulsemind.data.Conversation;
import ai.pulsemind.data.DataError;
import ai.pulsemind.data.JsonlReader;
import ai.pulsemind.data.Progress;
import com.fasterxml.jackson.databind.JsonNode;

import java.io.BufferedWriter;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Runs the public benchmarks: asks the model every question (or reads replies recorded elsewhere), scores the replies
 * and writes the run folder:
 * <ul>
 *   <li>{@code config.json}: the resolved settings, each task's prompt format and the harness it follows;</li>
 *   <li>{@code predictions.jsonl}: per question the prompt, the raw reply, the extracted answer and the rule that
 *       took it, and whether it is correct ({@link Prediction});</li>
 *   <li>{@code summary.json}: per task the scores with bootstrap 95% intervals ({@link PublicSummary}).</li>
 * </ul>
 * Replies are appended to {@code predictions.jsonl} as each batch finishes, so a run that is interrupted resumes:
 * questions whose reply is on disk, for the same prompt, are not asked again. Every stored reply is re-scored with
 * the current rules at the end, and the file rewritten (replies of tasks not in this run are kept).
 */
public final class PublicBench {
    private PublicBench() {}

    /** What a run did. */
    public record Outcome(PublicSummary summary, Path dir, long asked, long reused) {}

    /** Runs {@code model} on the questions of {@code cfg}; {@code judge} may be null. */
    public static Outcome run(PublicBenchConfig cfg, Replier model, OpenAnswerJudge judge, PrintStream log) throws IOException {
        if (cfg.scoringOnly()) throw new IllegalArgumentException("this configuration scores --predictions; call score()");
        Path dir = prepare(cfg);
        ItemReader.Problems problems = new ItemReader.Problems(log);
        ItemReader.Result read = ItemReader.read(cfg.data(), cfg.tasks(), cfg.limit(), true, problems);
        Path predFile = dir.resolve(RunFiles.PREDICTIONS);
        Map<String, Prediction> stored = RunFiles.readPredictions(predFile, log);
        Map<String, JsonNode> prompts = new HashMap<>();
        Map<String, Conversation> convs = new HashMap<>();
        List<Item> todo = new ArrayList<>();
        for (Task t : cfg.tasks()) for (Item it : read.items().get(t)) {
            Conversation c = Prompts.build(it, Prompts.shots(it, read.fewShotPool().get(t), cfg.shots()));
            JsonNode pj = RunFiles.LINES.valueToTree(PromptJson.messages(c, p -> relative(cfg.data(), p)));
            convs.put(it.key(), c);
            prompts.put(it.key(), pj);
            Prediction old = stored.get(it.key());
            if (old == null || !pj.equals(old.prompt())) todo.add(it);
        }
        long reused = convs.size() - todo.size();
        if (log != null) log.printf("eval public: %s on %d question(s) of %s; %d already answered in %s%n", model.name(),
                convs.size(), names(cfg), reused, dir);
        Map<Task, Long> failed = new EnumMap<>(Task.class);
        List<String> failures = new ArrayList<>();
        AtomicLong judgeFailures = new AtomicLong();
        Progress progress = Progress.stderr("eval public", todo.size());
        try (BufferedWriter w = RunFiles.append(predFile)) {
            for (int at = 0; at < todo.size(); at += cfg.batch()) {
                List<Item> batch = todo.subList(at, Math.min(todo.size(), at + cfg.batch()));
                List<String> replies = ask(model, batch, convs, cfg, failed, failures, progress, log);
                for (int i = 0; i < batch.size(); i++) {
                    if (replies.get(i) == null) continue;
                    Item it = batch.get(i);
                    // judged once, below, with the stored replies
                    Prediction p = Prediction.score(it, prompts.get(it.key()), replies.get(i), cfg.match(), null, () -> {});
                    stored.remove(it.key());
                    stored.put(it.key(), p);
                    w.write(RunFiles.line(p));
                    w.newLine();
                    progress.advance(1);
                }
                w.flush(); // a batch's replies survive an interruption
            }
        }
        progress.finish();
        Map<Task, List<Prediction>> byTask = rescore(cfg, read, stored, judge, judgeFailures);
        RunFiles.writePredictions(predFile, stored.values());
        PublicSummary s = summary(cfg, model.name(), read, byTask, failed, Map.of(), problems, failures, judgeFailures.get(), 0, List.of());
        s.write(dir.resolve(RunFiles.SUMMARY));
        return new Outcome(s, dir, todo.size(), reused);
    }

    /**
     * Scores replies recorded elsewhere ({@code cfg.predictions()}, JSONL): each line names the question by
     * {@code id} (and {@code task} when ids repeat across tasks) and gives the reply as {@code raw_output},
     * {@code output}, {@code response} or {@code prediction}; a {@code prompt} is kept when present. A line that
     * cannot be read, or names no known question, is reported and skipped; a question without a reply is counted.
     */
    public static Outcome score(PublicBenchConfig cfg, OpenAnswerJudge judge, PrintStream log) throws IOException {
        if (!cfg.scoringOnly()) throw new IllegalArgumentException("this configuration runs a model; call run()");
        Path dir = prepare(cfg);
        ItemReader.Problems problems = new ItemReader.Problems(log);
        ItemReader.Result read = ItemReader.read(cfg.data(), cfg.tasks(), cfg.limit(), false, problems);
        Map<String, Item> byKey = new HashMap<>();
        Map<String, List<Item>> byId = new HashMap<>();
        for (Task t : cfg.tasks()) for (Item it : read.items().get(t)) {
            byKey.put(it.key(), it);
            byId.computeIfAbsent(it.id(), k -> new ArrayList<>()).add(it);
        }
        List<String> unknown = new ArrayList<>();
        long[] unknownCount = {0};
        AtomicLong judgeFailures = new AtomicLong();
        Map<String, Prediction> got = new LinkedHashMap<>();
        Path in = cfg.predictions();
        if (!Files.isRegularFile(in)) throw new DataError(in.toString(), 0, "-", "--predictions: no such file");
        try (JsonlReader r = new JsonlReader(in)) {
            JsonlReader.Line l;
            while ((l = r.next()) != null) {
                try {
                    JsonNode n = JsonlReader.parse(in.toString(), l);
                    Item it = recordedItem(n, in, l.number(), byKey, byId);
                    if (it == null) {
                        unknownCount[0]++;
                        String m = in + ":" + l.number() + ": id: no question '" + n.path("id").asText() + "' in " + names(cfg);
                        if (unknown.size() < ItemReader.Problems.KEPT) unknown.add(m);
                        continue;
                    }
                    JsonNode prompt = n.get("prompt") != null && !n.get("prompt").isNull() ? n.get("prompt") : null;
                    if (got.containsKey(it.key())) throw new DataError(in, l.number(), "id", "a second reply to " + it.task().display() + " " + it.id());
                    got.put(it.key(), Prediction.score(it, prompt, reply(n, in, l.number()), cfg.match(), judge, judgeFailures::incrementAndGet));
                } catch (DataError e) {
                    problems.malformed(e);
                }
            }
        }
        Map<Task, List<Prediction>> byTask = new EnumMap<>(Task.class);
        Map<Task, Long> missing = new EnumMap<>(Task.class);
        List<Prediction> ordered = new ArrayList<>();
        for (Task t : cfg.tasks()) {
            List<Prediction> ps = new ArrayList<>();
            for (Item it : read.items().get(t)) {
                Prediction p = got.get(it.key());
                if (p == null) missing.merge(t, 1L, Long::sum);
                else ps.add(p);
            }
            byTask.put(t, ps);
            ordered.addAll(ps);
        }
        RunFiles.writePredictions(dir.resolve(RunFiles.PREDICTIONS), ordered);
        long missingTotal = missing.values().stream().mapToLong(Long::longValue).sum();
        PublicSummary s = summary(cfg, "recorded: " + in.getFileName(), read, byTask, Map.of(), missing, problems, List.of(),
                judgeFailures.get(), unknownCount[0], unknown);
        if (log != null && missingTotal > 0) log.println("eval public: " + missingTotal + " question(s) have no reply in " + in);
        s.write(dir.resolve(RunFiles.SUMMARY));
        return new Outcome(s, dir, 0, 0);
    }

    private static Path prepare(PublicBenchConfig cfg) throws IOException {
        Path dir = cfg.out().toAbsolutePath().normalize();
        Files.createDirectories(dir);
        RunFiles.checkResumable(dir, cfg);
        RunFiles.writeAtomically(dir.resolve(RunFiles.CONFIG), PublicSummary.JSON.writeValueAsString(cfg.toJson()) + "\n");
        return dir;
    }

    /**
     * The replies to a batch, null for questions the model failed on. A failed batch is retried one question at a
     * time, so a bad question (an undecodable image, a prompt past the context) costs only itself.
     */
    private static List<String> ask(Replier model, List<Item> batch, Map<String, Conversation> convs, PublicBenchConfig cfg,
                                    Map<Task, Long> failed, List<String> failures, Progress progress, PrintStream log) {
        List<Conversation> cs = batch.stream().map(it -> convs.get(it.key())).toList();
        try {
            List<String> r = model.reply(cs, cfg.decoding());
            if (r.size() != cs.size()) throw new IllegalStateException("the model returned " + r.size() + " replies for " + cs.size() + " prompts");
            return r;
        } catch (RuntimeException batchError) {
            if (batch.size() == 1) {
                fail(batch.getFirst(), batchError, failed, failures, progress, log);
                return java.util.Collections.singletonList(null);
            }
        }
        List<String> out = new ArrayList<>();
        for (int i = 0; i < batch.size(); i++) {
            try {
                out.add(model.reply(List.of(cs.get(i)), cfg.decoding()).getFirst());
            } catch (RuntimeException e) {
                fail(batch.get(i), e, failed, failures, progress, log);
                out.add(null);
            }
        }
        return out;
    }

    private static void fail(Item it, RuntimeException e, Map<Task, Long> failed, List<String> failures, Progress progress, PrintStream log) {
        failed.merge(it.task(), 1L, Long::sum);
        progress.failed(1);
        String m = it.where() + ": " + it.task().display() + " " + it.id() + ": the model failed: " + e.getMessage();
        if (failures.size() < ItemReader.Problems.KEPT) failures.add(m);
        if (log != null) log.println("failed: " + m);
    }

    /** Every stored reply of this run's questions scored again with the current rules, by task in question order. */
    private static Map<Task, List<Prediction>> rescore(PublicBenchConfig cfg, ItemReader.Result read, Map<String, Prediction> stored,
                                                       OpenAnswerJudge judge, AtomicLong judgeFailures) {
        Map<Task, List<Prediction>> byTask = new EnumMap<>(Task.class);
        for (Task t : cfg.tasks()) {
            List<Prediction> ps = new ArrayList<>();
            for (Item it : read.items().get(t)) {
                Prediction old = stored.get(it.key());
                if (old == null) continue;
                boolean keepVerdict = old.judge() != null;
                Prediction p = Prediction.score(it, old.prompt(), old.rawOutput(), cfg.match(), keepVerdict ? null : judge, judgeFailures::incrementAndGet);
                if (keepVerdict && p.kind().equals(Prediction.OPEN)) p = withVerdict(p, old.judge());
                stored.put(it.key(), p);
                ps.add(p);
            }
            byTask.put(t, ps);
        }
        return byTask;
    }

    private static Prediction withVerdict(Prediction p, OpenAnswerJudge.Verdict v) {
        return new Prediction(p.id(), p.task(), p.source(), p.prompt(), p.rawOutput(), p.extracted(), p.extractedText(), p.rule(),
                p.correct(), p.gold(), p.goldText(), p.kind(), p.similarity(), p.recall(), p.tokenF1(), p.exact(), p.filtered(), v);
    }

    private static PublicSummary summary(PublicBenchConfig cfg, String model, ItemReader.Result read, Map<Task, List<Prediction>> byTask,
                                         Map<Task, Long> failed, Map<Task, Long> missing, ItemReader.Problems problems,
                                         List<String> failures, long judgeFailures, long unknownCount, List<String> unknown) {
        List<PublicSummary.TaskResult> tasks = new ArrayList<>();
        long failedTotal = 0, missingTotal = 0;
        for (Task t : cfg.tasks()) {
            long f = failed.getOrDefault(t, 0L), m = missing.getOrDefault(t, 0L), im = problems.missingImages(t);
            failedTotal += f;
            missingTotal += m;
            tasks.add(PublicSummary.task(t, read.items().get(t).size() + im, byTask.get(t), im, f, m, cfg.seed(), cfg.resamples()));
        }
        List<String> msgs = new ArrayList<>(problems.malformedMessages());
        msgs.addAll(problems.missingImageMessages());
        msgs.addAll(failures);
        msgs.addAll(unknown);
        var counts = new PublicSummary.Counts(problems.malformed(), problems.missingImages(), failedTotal, judgeFailures,
                missingTotal, unknownCount, read.notTaken());
        return new PublicSummary("public", model, cfg.match().flag(), cfg.shots(), cfg.seed(), cfg.resamples(),
                ai.pulsemind.evaluate.stats.Bootstrap.DEFAULT_LEVEL, tasks, counts, msgs);
    }

    private static Item recordedItem(JsonNode n, Path file, long line, Map<String, Item> byKey, Map<String, List<Item>> byId) {
        if (!n.isObject()) throw new DataError(file, line, "-", "expected a JSON object per line");
        JsonNode id = n.get("id");
        if (id == null || id.isNull() || id.asText().isEmpty()) throw new DataError(file, line, "id", "required: the question's record id");
        JsonNode task = n.get("task");
        if (task != null && !task.isNull()) {
            Task t;
            try {
                t = Task.byName(task.asText());
            } catch (IllegalArgumentException e) {
                throw new DataError(file, line, "task", "'" + task.asText() + "' is not a task (" + Task.names() + ")");
            }
            return byKey.get(t.id() + "/" + id.asText());
        }
        List<Item> c = byId.get(id.asText());
        if (c == null) return null;
        if (c.size() > 1) throw new DataError(file, line, "task", "id '" + id.asText() + "' is in several tasks; say which with \"task\"");
        return c.getFirst();
    }

    private static String reply(JsonNode n, Path file, long line) {
        for (String f : new String[] {"raw_output", "output", "response", "prediction"}) {
            JsonNode v = n.get(f);
            if (v == null || v.isNull()) continue;
            if (!v.isTextual()) throw new DataError(file, line, f, "must be a string (the model's reply)");
            return v.asText();
        }
        throw new DataError(file, line, "raw_output", "required: the reply as raw_output, output, response or prediction");
    }

    private static String relative(Path data, Path image) {
        return data.toAbsolutePath().normalize().relativize(image.toAbsolutePath().normalize()).toString().replace('\\', '/');
    }

    private static String names(PublicBenchConfig cfg) {
        return String.join(", ", cfg.tasks().stream().map(Task::display).toList());
    }
}
