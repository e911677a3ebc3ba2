package ai.pulsemind.evaluate.publicbench;

import ai.pulsemind.data.DataError;
import ai.pulsemind.data.DatasetPaths;
import ai.pulsemind.data.ImageRef;
import ai.pulsemind.data.JsonlReader;
import ai.pulsemind.data.MediRecord;
import ai.pulsemind.data.RecordValidator;
import ai.pulsemind.data.Records;
import ai.pulsemind.data.Role;
import ai.pulsemind.data.Turn;
import com.fasterxml.jackson.databind.JsonNode;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Reads the questions of the requested tasks from MediScope evaluation records (what {@code data import --format
 * mcq|vqa} writes). {@code --data} is one dataset folder or a folder of them (one per benchmark); each record's
 * images are relative to the folder holding its shard, as {@code DatasetWriter} lays a dataset out.
 *
 * <p>A line that is not valid JSON or not a valid evaluation record is named ({@code file:line: field: message})
 * and skipped; a question whose image file is missing is named, counted and left out of the scores. Records
 * without {@code eval}, or of benchmarks not asked for, are counted as not taken.
 *
 * <p>Splits: a task's questions are its {@code test} records (or, when it has none, its {@code val} records, as
 * MMMU reports its validation split); its {@code train} and then {@code val} records are the few-shot pool, and when
 * it has none, its questions are (each prompt leaving its own question out).
 */
public final class ItemReader {
    /** What was read: per task the questions and the few-shot pool (images present), and what was skipped. */
    public record Result(Map<Task, List<Item>> items, Map<Task, List<Item>> fewShotPool, Problems problems, long notTaken) {}

    private final Path data;
    private final Set<Task> tasks;
    private final Problems problems;
    private final Map<Task, List<Item>> all = new EnumMap<>(Task.class);
    private final Set<String> keys = new HashSet<>();
    private long notTaken;

    private ItemReader(Path data, Set<Task> tasks, Problems problems) {
        this.data = data.toAbsolutePath().normalize();
        this.tasks = tasks;
        this.problems = problems;
    }

    /**
     * @param limit at most this many questions per task (the first in file order; 0: all); a question with a missing
     *              image counts toward the limit
     * @param checkImages whether questions whose image files are missing are counted and left out (a model run);
     *                    scoring recorded outputs needs no images
     */
    public static Result read(Path data, List<Task> tasks, int limit, boolean checkImages, Problems problems) throws IOException {
        if (!Files.isDirectory(data)) throw new DataError(data.toString(), 0, "-", "--data: no such dataset folder");
        List<Path> shards = DatasetPaths.shards(data);
        if (shards.isEmpty()) throw new DataError(data.toString(), 0, "-", "--data: no *.jsonl shards found (import the benchmark with 'pulsemind data import' first)");
        ItemReader r = new ItemReader(data, Set.copyOf(tasks), problems);
        for (Path s : shards) r.shard(s);
        Map<Task, List<Item>> items = new EnumMap<>(Task.class), pool = new EnumMap<>(Task.class);
        for (Task t : tasks) {
            List<Item> got = r.all.getOrDefault(t, List.of());
            String evalSplit = firstPresent(got, "test", "val", "train");
            List<Item> eval = new ArrayList<>(), shots = new ArrayList<>();
            for (Item it : got) (split(it).equals(evalSplit) ? eval : shots).add(it);
            shots.sort((a, b) -> Integer.compare(rank(a), rank(b))); // train first, then val; stable within
            List<Item> chosen = limit > 0 && eval.size() > limit ? eval.subList(0, limit) : eval;
            List<Item> kept = new ArrayList<>();
            for (Item it : chosen) if (!checkImages || r.imagesPresent(it)) kept.add(it);
            items.put(t, List.copyOf(kept));
            // no few-shot split: the task's other questions (all of them, not only the --limit first), as lm-eval does
            List<Item> from = shots.isEmpty() ? eval : shots;
            pool.put(t, from.stream().filter(it -> it.images().stream().allMatch(im -> Files.isRegularFile(im.file()))).toList());
        }
        return new Result(items, pool, problems, r.notTaken);
    }

    private static String split(Item it) { return it.split() == null || it.split().isEmpty() ? "test" : it.split(); }

    private static int rank(Item it) { return split(it).equals("train") ? 0 : 1; }

    private static String firstPresent(List<Item> items, String... splits) {
        for (String s : splits) for (Item it : items) if (split(it).equals(s)) return s;
        return "test";
    }

    private boolean imagesPresent(Item it) {
        boolean ok = true;
        for (Item.Image im : it.images())
            if (!Files.isRegularFile(im.file())) {
                problems.missingImage(it, im);
                ok = false;
            }
        return ok;
    }

    private void shard(Path shard) throws IOException {
        Path root = shard.toAbsolutePath().normalize().getParent();
        String file = shard.toString();
        try (JsonlReader in = new JsonlReader(shard)) {
            JsonlReader.Line line;
            while (true) {
                try {
                    line = in.next();
                } catch (DataError e) { // bytes that are not UTF-8: the rest of this shard cannot be trusted
                    problems.malformed(new DataError(file, e.line(), "-", e.detail() + "; the rest of this shard is skipped"));
                    return;
                }
                if (line == null) return;
                try {
                    record(file, line, root);
                } catch (DataError e) {
                    problems.malformed(e);
                }
            }
        }
    }

    private void record(String file, JsonlReader.Line line, Path root) {
        JsonNode node = JsonlReader.parse(file, line);
        List<RecordValidator.Problem> ps = RecordValidator.check(node);
        if (!ps.isEmpty()) throw new DataError(file, line.number(), ps.getFirst().field(), ps.getFirst().message());
        MediRecord rec;
        try {
            rec = Records.fromNode(node);
        } catch (IllegalArgumentException e) {
            throw new DataError(file, line.number(), "-", e.getMessage());
        }
        if (rec.eval() == null) { notTaken++; return; }
        String subject = meta(rec, "subject");
        Task task = null;
        for (Task t : tasks) if (t.takes(rec.source(), subject != null ? subject : rec.department())) task = t;
        if (task == null) { notTaken++; return; }
        Item item = item(task, rec, file, line.number(), root, subject);
        if (!keys.add(item.key())) throw new DataError(file, line.number(), "id", "duplicate id '" + rec.id() + "' in " + task.display());
        all.computeIfAbsent(task, k -> new ArrayList<>()).add(item);
    }

    private Item item(Task task, MediRecord rec, String file, long line, Path root, String subject) {
        Turn first = null;
        for (Turn t : rec.turns()) if (t.role() == Role.PATIENT) { first = t; break; }
        if (first == null) throw new DataError(file, line, "turns", "an evaluation record needs a patient turn (the question)");
        Map<String, String> options = rec.eval().options();
        String text = first.text(), question = meta(rec, "question"), context = meta(rec, "context");
        if (question == null) {
            question = withoutOptions(text, options);
            if (context == null && task == Task.PUBMEDQA) {
                int cut = question.lastIndexOf("\n\n"); // the importer writes context, a blank line, the question
                if (cut >= 0) { context = question.substring(0, cut); question = question.substring(cut + 2); }
            }
        }
        List<Item.Image> images = new ArrayList<>();
        for (int i = 0; i < first.images().size(); i++) {
            ImageRef ref = rec.image(first.images().get(i));
            Path img;
            try {
                img = DatasetPaths.resolveInside(root, ref.path());
            } catch (IllegalArgumentException e) {
                throw new DataError(file, line, "images[" + i + "].path", e.getMessage());
            }
            images.add(new Item.Image(ref.id(), img, data.relativize(img).toString().replace('\\', '/'), ref.modality()));
        }
        try {
            return new Item(task, rec.id(), file + ":" + line, question, context, options, rec.eval().answer(), rec.eval().answerType(),
                    subject, images, rec.split());
        } catch (IllegalArgumentException e) {
            throw new DataError(file, line, "eval", e.getMessage());
        }
    }

    /** The question without the option lines the MCQ importer appends ({@code "\nA. text"} per option). */
    static String withoutOptions(String text, Map<String, String> options) {
        if (options.isEmpty()) return text;
        StringBuilder suffix = new StringBuilder();
        options.forEach((k, v) -> suffix.append('\n').append(k).append(". ").append(v));
        return text.endsWith(suffix.toString()) ? text.substring(0, text.length() - suffix.length()) : text;
    }

    private static String meta(MediRecord rec, String key) {
        Object v = rec.meta().get(key);
        return v instanceof String s && !s.isBlank() ? s : null;
    }

    /** What a run skipped or could not use, with the first messages kept for the summary. */
    public static final class Problems {
        /** How many messages of each kind the summary keeps (the counts are exact). */
        public static final int KEPT = 20;
        private final java.io.PrintStream log;
        private long malformed, missingImages;
        private final Map<Task, Long> missingByTask = new EnumMap<>(Task.class);
        private final List<String> malformedMessages = new ArrayList<>(), missingImageMessages = new ArrayList<>();

        public Problems(java.io.PrintStream log) { this.log = log; }

        synchronized void malformed(DataError e) {
            malformed++;
            if (malformedMessages.size() < KEPT) malformedMessages.add(e.getMessage());
            if (log != null) log.println("skipped: " + e.getMessage());
        }

        synchronized void missingImage(Item it, Item.Image im) {
            missingImages++;
            missingByTask.merge(it.task(), 1L, Long::sum);
            String m = it.where() + ": " + it.task().display() + " " + it.id() + ": image " + im.rel() + " is missing";
            if (missingImageMessages.size() < KEPT) missingImageMessages.add(m);
            if (log != null) log.println("skipped: " + m);
        }

        public synchronized long malformed() { return malformed; }

        public synchronized long missingImages() { return missingImages; }

        public synchronized List<String> malformedMessages() { return List.copyOf(malformedMessages); }

        public synchronized List<String> missingImageMessages() { return List.copyOf(missingImageMessages); }

        public synchronized long missingImages(Task t) { return missingByTask.getOrDefault(t, 0L); }
    }
}
