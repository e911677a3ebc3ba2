package ai.pulsemind.judge.local;

import ai.pulsemind.data.Conversation;
import ai.pulsemind.judge.Answer;
import ai.pulsemind.judge.Dimension;
import ai.pulsemind.judge.JudgeOptions;
import ai.pulsemind.judge.JudgeRequest;
import ai.pulsemind.judge.JudgeSpecs;
import ai.pulsemind.judge.Judging;
import ai.pulsemind.judge.Judgment;
import ai.pulsemind.judge.Reference;
import ai.pulsemind.judge.TextGenerator;
import ai.pulsemind.judge.Verdict;
import ai.pulsemind.judge.VerdictCache;
import ai.pulsemind.judge.llm.Prompts;
import ai.pulsemind.model.io.OracleFixtures;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The local judge: the endpoint judge's prompts and parser over a {@link TextGenerator}, batched; and the real
 * engine adapter on the tiny checkpoint, whose random weights answer nonsense that is counted, never thrown.
 */
class LocalJudgeTest {
    static final String VERDICT = "{\"proactiveness\": \"A\", \"accuracy\": \"B\", \"usefulness\": \"tie\", \"language\": \"A\"}";

    /** Answers each prompt by a rule on its text; counts calls and prompts. */
    static final class Scripted implements TextGenerator {
        final AtomicInteger calls = new AtomicInteger(), prompts = new AtomicInteger();
        final List<Integer> sizes = new ArrayList<>();
        final java.util.function.Function<String, String> rule;

        Scripted(java.util.function.Function<String, String> rule) { this.rule = rule; }

        @Override public List<String> generate(List<Conversation> ps, int maxNewTokens) {
            calls.incrementAndGet();
            sizes.add(ps.size());
            List<String> out = new ArrayList<>();
            for (Conversation c : ps) {
                prompts.incrementAndGet();
                out.add(rule.apply(c.messages().getLast().text()));
            }
            return out;
        }

        @Override public String identity() { return "scripted"; }

        @Override public int batchSize() { return 3; }
    }

    static List<JudgeRequest> pairs(int n) {
        List<JudgeRequest> out = new ArrayList<>();
        Conversation ctx = Conversation.EMPTY.plus(Conversation.Speaker.USER, "I have had a rash for a week.");
        for (int i = 0; i < n; i++)
            out.add(new JudgeRequest("p" + i, ctx, Reference.ofText("Where is the rash? Does it itch?"),
                    new Answer.Reply("reply-" + i + "-a"), new Answer.Reply("reply-" + i + "-b")));
        return out;
    }

    @Test
    void promptsParserAndBatchesOverAGenerator() {
        Scripted gen = new Scripted(text -> text.contains("reply-1-") && !text.contains("(retry)") ? "I cannot decide." : "```json\n" + VERDICT + "\n```");
        try (Judging j = Judging.of(LocalJudge.create(gen, 64, Prompts.bundled()), Judging.Config.SINGLE_ORDER, VerdictCache.NONE)) {
            List<Judgment> js = j.compare(pairs(7));
            assertEquals(List.of(3, 3, 1, 1), gen.sizes, "batches of the generator's size, then the unreadable one asked again");
            assertEquals(8, gen.prompts.get());
            for (Judgment g : js) if (!g.id().equals("p1")) {
                assertTrue(g.ok(), g.error());
                assertEquals(Verdict.B, g.verdict(Dimension.ACCURACY));
            }
            Judgment twice = js.get(1);
            assertFalse(twice.ok());
            assertTrue(twice.error().startsWith("unparseable verdict") && twice.error().endsWith("(twice)"), twice.error());
            assertTrue(j.members().getFirst().identity().contains("local|scripted|greedy|max_new_tokens=64"), j.members().getFirst().identity());
        }
        Scripted broken = new Scripted(text -> { throw new IllegalStateException("context too long"); });
        try (Judging j = Judging.of(LocalJudge.create(broken, 64, Prompts.bundled()), Judging.Config.BOTH_ORDERS, VerdictCache.NONE)) {
            for (Judgment g : j.compare(pairs(2))) assertTrue(!g.ok() && g.error().contains("local model: context too long"), g.error());
        }
    }

    @Test
    void theEngineAdapterRunsTheTinyCheckpointGreedily(@TempDir Path tmp) throws Exception {
        String dir = OracleFixtures.path("tiny-untied-f32-sharded").toString();
        Path prompt = tmp.resolve("short.txt"); // a short prompt keeps the reference backend's prefill quick
        Files.writeString(prompt, "Which reply is better?\nA: {{answer_a}}\nB: {{answer_b}}\nJSON:");
        JudgeOptions o = new JudgeOptions(null, null, 1, 0, 16, Duration.ofSeconds(60), 1, prompt, null, "cpu", 2, 4);
        try (Judging j = JudgeSpecs.open("local:" + dir, o, Judging.Config.BOTH_ORDERS, VerdictCache.NONE)) {
            assertEquals("local", j.name());
            List<JudgeRequest> ps = pairs(2);
            List<Judgment> first = j.compare(ps), again = j.compare(ps);
            for (int i = 0; i < ps.size(); i++) {
                Judgment g = first.get(i);
                // random weights write no verdict JSON: each order is a counted failure quoting the text it wrote
                assertFalse(g.ok());
                for (Judgment.Order ord : List.of(g.forward(), g.swapped()))
                    assertTrue(ord.error().startsWith("unparseable verdict") && ord.error().endsWith("(twice)"), ord.error());
                assertEquals(g.forward().error(), again.get(i).forward().error(), "greedy: the same text every time");
            }
            assertEquals(2 * 2 * 2, j.stats().failed(), "pairs x orders x runs");
        }
    }
}
