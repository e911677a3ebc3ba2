package ai.pulsemind.evaluate.publicbench;

import ai.pulsemind.evaluate.models.Replier;
import ai.pulsemind.data.Conversation;
import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The run loop on the sample questions with a replier that answers from a script (what a model would say is not the
 * point here: resumes, failures, summaries and scoring-only mode are). The real local model runs in
 * {@code PublicCommandTest}.
 */
class PublicBenchTest {
    /** Replies by the question's zero-shot text; throws for texts in {@code failOn}; stops the JVM's run after {@code stopAfter}. */
    static final class Scripted implements Replier {
        final Function<String, String> reply;
        final List<String> failOn = new ArrayList<>();
        int stopAfter = Integer.MAX_VALUE, asked;
        final List<Integer> batches = new ArrayList<>();

        Scripted(Function<String, String> reply) { this.reply = reply; }

        @Override public String name() { return "scripted"; }

        @Override
        public List<String> reply(List<Conversation> prompts, Decoding d) {
            batches.add(prompts.size());
            List<String> out = new ArrayList<>();
            for (Conversation c : prompts) {
                String q = c.last().text();
                if (failOn.stream().anyMatch(q::contains)) throw new IllegalStateException("cannot answer this one");
                out.add(reply.apply(q));
            }
            if (asked + prompts.size() > stopAfter) throw new Interrupted();
            asked += prompts.size();
            return out;
        }

        @Override public void close() {}
    }

    /** Stands for the process being killed: not a failure the run handles. */
    static final class Interrupted extends Error {}

    /** The right answer to every sample question, by its prompt text. */
    static Function<String, String> oracle(Path data) throws IOException {
        ItemReader.Result r = ItemReader.read(data, List.of(Task.values()), 0, false, new ItemReader.Problems(null));
        Map<String, String> gold = new HashMap<>();
        for (List<Item> items : r.items().values())
            for (Item it : items) gold.put(Prompts.text(it).replaceAll("<image \\d+>", ""), it.multipleChoice() ? "The answer is " + Prompts.target(it) + "." : it.answer());
        return q -> gold.getOrDefault(q, "no idea");
    }

    static PublicBenchConfig config(Path out, List<Task> tasks, int batch, Match match) {
        return new PublicBenchConfig(ai.pulsemind.evaluate.ModelSpec.parse("--model", "/models/none"), null, tasks,
                PublicFixtures.SAMPLES, out, 0, 0, 32, batch, match, 7, 500, "cpu", 0);
    }

    static List<JsonNode> lines(Path f) throws IOException {
        List<JsonNode> out = new ArrayList<>();
        for (String l : Files.readAllLines(f)) out.add(RunFiles.LINES.readTree(l));
        return out;
    }

    @Test
    void rightAnswersScoreOneOnEveryTaskWithIntervalsAndRules(@TempDir Path tmp) throws IOException {
        PublicBench.Outcome o = PublicBench.run(config(tmp, List.of(Task.values()), 4, Match.PULSEMIND), new Scripted(oracle(PublicFixtures.SAMPLES)), null, null);
        PublicSummary s = PublicSummary.read(tmp.resolve("summary.json"));
        assertEquals(Task.values().length, s.tasks().size());
        for (PublicSummary.TaskResult t : s.tasks()) {
            PublicSummary.Metric acc = t.metrics().getFirst();
            assertEquals("accuracy", acc.name());
            assertEquals(1.0, acc.estimate(), 1e-12, t.name());
            assertEquals(1.0, acc.low(), 1e-12);
            assertEquals(t.questions(), t.scored());
        }
        PublicSummary.TaskResult rad = s.tasks().get(Task.VQA_RAD.ordinal());
        assertEquals(List.of("accuracy", "closed_accuracy", "open_recall", "open_token_f1", "open_exact"), rad.metrics().stream().map(PublicSummary.Metric::name).toList());
        assertEquals(Map.of("overlap", 1L, "yes_no_maybe", 2L), rad.rules());
        assertEquals(Map.of("letter.answer_phrase", 4L), s.tasks().get(Task.MEDQA.ordinal()).rules());
        assertEquals(7, s.seed());
        assertEquals(o.asked(), Files.readAllLines(tmp.resolve("predictions.jsonl")).size());
        JsonNode cfg = RunFiles.LINES.readTree(tmp.resolve("config.json").toFile());
        assertEquals("lm-evaluation-harness medqa_4options (doc_to_text), generated", cfg.get("tasks").get(0).get("harness").asText());
        JsonNode p = lines(tmp.resolve("predictions.jsonl")).getFirst();
        for (String f : List.of("id", "task", "prompt", "raw_output", "extracted", "rule", "correct")) assertNotNull(p.get(f), f);
    }

    @Test
    void anInterruptedRunResumesWithoutAskingAgain(@TempDir Path tmp) throws IOException {
        List<Task> tasks = List.of(Task.MEDQA, Task.MEDMCQA, Task.PUBMEDQA);
        Scripted first = new Scripted(oracle(PublicFixtures.SAMPLES));
        first.stopAfter = 4;
        assertThrows(Interrupted.class, () -> PublicBench.run(config(tmp, tasks, 2, Match.PULSEMIND), first, null, null));
        assertEquals(4, Files.readAllLines(tmp.resolve("predictions.jsonl")).size(), "two batches were on disk");
        Files.writeString(tmp.resolve("predictions.jsonl"), "{\"id\":\"medmcqa-sample-mcq", StandardOpenOption.APPEND); // killed mid-line
        Scripted second = new Scripted(oracle(PublicFixtures.SAMPLES));
        PublicBench.Outcome o = PublicBench.run(config(tmp, tasks, 2, Match.PULSEMIND), second, null, null);
        assertEquals(4, o.reused());
        assertEquals(6, o.asked());
        assertEquals(6, second.asked);
        assertEquals(10, Files.readAllLines(tmp.resolve("predictions.jsonl")).size(), "the file is rewritten whole");
        // the same run again asks nothing; a new --match only re-scores the stored replies
        Scripted third = new Scripted(q -> { throw new AssertionError("asked again: " + q); });
        PublicBench.Outcome again = PublicBench.run(config(tmp, tasks, 2, Match.LM_EVAL), third, null, null);
        assertEquals(0, again.asked());
        assertEquals("lm-eval", again.summary().match());
        assertTrue(lines(tmp.resolve("predictions.jsonl")).stream().allMatch(n -> n.get("rule").asText().startsWith("lm-eval")));
        var e = assertThrows(IllegalArgumentException.class, () -> PublicBench.run(new PublicBenchConfig(
                ai.pulsemind.evaluate.ModelSpec.parse("--model", "/models/none"), null, tasks, PublicFixtures.SAMPLES, tmp, 0, 3, 32, 2,
                Match.PULSEMIND, 7, 500, "cpu", 0), third, null, null));
        assertTrue(e.getMessage().contains("--shots 0") && e.getMessage().contains("--shots 3"), e.getMessage());
    }

    @Test
    void aQuestionTheModelFailsOnIsCountedAndTheRunCompletes(@TempDir Path tmp) throws IOException {
        Scripted r = new Scripted(oracle(PublicFixtures.SAMPLES));
        r.failOn.add("wrist drop");
        PublicBench.Outcome o = PublicBench.run(config(tmp, List.of(Task.MEDMCQA), 3, Match.PULSEMIND), r, null, null);
        assertEquals(List.of(3, 1, 1, 1), r.batches, "the failed batch is retried one question at a time");
        assertEquals(1, o.summary().counts().failed());
        PublicSummary.TaskResult t = o.summary().tasks().getFirst();
        assertEquals(1, t.failed());
        assertEquals(2, t.scored());
        assertTrue(o.summary().problems().getFirst().contains("medmcqa-sample-mcqa-1: the model failed: cannot answer this one"),
                o.summary().problems().getFirst());
        Scripted retry = new Scripted(oracle(PublicFixtures.SAMPLES));
        assertEquals(1, PublicBench.run(config(tmp, List.of(Task.MEDMCQA), 3, Match.PULSEMIND), retry, null, null).asked(),
                "a resumed run asks the failed question again");
    }

    @Test
    void openAnswersGoToTheJudgeAndItsFailuresAreCounted(@TempDir Path tmp) throws IOException {
        OpenAnswerJudge judge = new OpenAnswerJudge() {
            @Override public String name() { return "contains-answer"; }

            @Override
            public Verdict judge(Item item, String reply) {
                if (item.id().equals("slake-1")) throw new IllegalStateException("judge endpoint down");
                return new Verdict(reply.toLowerCase().contains(item.answer().toLowerCase()), "reply names the answer");
            }
        };
        PublicBench.Outcome o = PublicBench.run(config(tmp, List.of(Task.PATHVQA, Task.SLAKE), 8, Match.PULSEMIND),
                new Scripted(oracle(PublicFixtures.SAMPLES)), judge, null);
        assertEquals(1, o.summary().counts().judgeFailures());
        PublicSummary.TaskResult path = o.summary().tasks().getFirst();
        PublicSummary.Metric judged = path.metrics().stream().filter(m -> m.name().equals("open_judge_accuracy")).findFirst().orElseThrow();
        assertEquals(1, judged.n());
        assertEquals(1.0, judged.estimate());
        assertFalse(o.summary().tasks().get(1).metrics().stream().anyMatch(m -> m.name().equals("open_judge_accuracy")),
                "SLAKE's one open question's judge failed: no judged answers");
    }

    @Test
    void scoringRecordedRepliesNamesWhatItCannotUse(@TempDir Path tmp) throws IOException {
        Path in = tmp.resolve("replies.jsonl");
        Files.writeString(in, String.join("\n",
                "{\"id\":\"medqa-1\",\"output\":\"B\"}",
                "{\"id\":\"medqa-2\",\"task\":\"MedQA\",\"response\":\"The answer is (A).\"}",
                "{\"id\":\"medqa-99\",\"output\":\"B\"}",
                "{\"id\":\"medqa-3\"}",
                "not json",
                "{\"id\":\"medqa-1\",\"output\":\"C\"}") + "\n");
        var cfg = new PublicBenchConfig(null, in, List.of(Task.MEDQA), PublicFixtures.SAMPLES, tmp.resolve("run"), 0, 0, 32, 1,
                Match.PULSEMIND, 0, 200, "cpu", 0);
        PublicSummary s = PublicBench.score(cfg, null, null).summary();
        assertEquals(1, s.counts().unknownPredictions());
        assertEquals(3, s.counts().malformed(), "no reply field, not JSON, a second reply");
        assertEquals(2, s.counts().missingPredictions(), "medqa-3 and medqa-4 have no reply");
        assertEquals(2, s.tasks().getFirst().scored());
        assertEquals(0.5, s.tasks().getFirst().metrics().getFirst().estimate(), 1e-12);
        assertTrue(s.problems().stream().anyMatch(m -> m.startsWith(in + ":4: raw_output: required")), s.problems().toString());
        assertTrue(s.problems().stream().anyMatch(m -> m.startsWith(in + ":3: id: no question 'medqa-99'")), s.problems().toString());
        var e = assertThrows(IllegalArgumentException.class, () -> PublicBench.run(config(tmp.resolve("run"), List.of(Task.MEDQA), 1,
                Match.PULSEMIND), new Scripted(q -> "A"), null, null));
        assertTrue(e.getMessage().contains("holds a scoring (--predictions) run"), e.getMessage());
    }
}
