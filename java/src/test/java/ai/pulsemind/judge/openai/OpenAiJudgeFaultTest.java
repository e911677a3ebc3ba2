package ai.pulsemind.judge.openai;

import ai.pulsemind.data.Conversation;
import ai.pulsemind.judge.Answer;
import ai.pulsemind.judge.Diagnostics;
import ai.pulsemind.judge.Dimension;
import ai.pulsemind.judge.JudgeRequest;
import ai.pulsemind.judge.Judging;
import ai.pulsemind.judge.Judgment;
import ai.pulsemind.judge.Reference;
import ai.pulsemind.judge.SqliteVerdictCache;
import ai.pulsemind.judge.Verdict;
import ai.pulsemind.judge.llm.Prompts;
import ai.pulsemind.remote.EndpointConfig;
import ai.pulsemind.remote.FakeOpenAiEndpoint;
import ai.pulsemind.remote.OpenAiClient;
import ai.pulsemind.remote.RetryBudget;
import ai.pulsemind.remote.RetryPolicy;
import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The endpoint judge against a real loopback server with 30% injected faults (500, 429 + Retry-After, hangs past
 * the timeout, malformed JSON, closed connections, cut bodies) and a model that now and then answers in prose:
 * every pair ends with verdicts or a counted failure, nothing hangs, the retry budget holds, both orders are asked,
 * and reruns are served from the cache.
 */
class OpenAiJudgeFaultTest {
    static final int PAIRS = 40;

    /** A fake judge model: the longer answer wins, except on language, where it always picks the first shown. */
    static String model(JsonNode request, AtomicInteger calls) {
        if (calls.incrementAndGet() % 8 == 0) return "Both answers are reasonable; I slightly prefer the first.";
        String u = FakeOpenAiEndpoint.userText(request);
        String a = between(u, "## Answer A\n", "## Answer B"), b = between(u, "## Answer B\n", "Reply with");
        String w = a.length() > b.length() ? "A" : a.length() < b.length() ? "B" : "tie";
        return "Here is my assessment.\n```json\n{\"proactiveness\": {\"winner\": \"" + w + "\", \"reason\": \"asks more\"},"
                + " \"accuracy\": {\"winner\": \"" + w + "\", \"reason\": \"r\"}, \"usefulness\": {\"winner\": \"" + w + "\", \"reason\": \"r\"},"
                + " \"language\": {\"winner\": \"A\", \"reason\": \"reads well\"}}\n```";
    }

    static String between(String s, String from, String to) {
        int i = s.indexOf(from), j = s.indexOf(to, i + 1);
        return i < 0 || j < 0 ? "" : s.substring(i + from.length(), j).strip();
    }

    static List<JudgeRequest> pairs() {
        List<JudgeRequest> out = new ArrayList<>();
        Conversation ctx = Conversation.EMPTY.plus(Conversation.Speaker.USER, "I have had a cough for two weeks.");
        for (int i = 0; i < PAIRS; i++)
            out.add(new JudgeRequest("p" + i, ctx, Reference.ofText("Any fever? Do you smoke?"),
                    new Answer.Reply("Reply " + i + ": do you smoke?" + " Please tell me more.".repeat(i % 3)),
                    new Answer.Reply("Other " + i + ": have you had a fever?" + " Any weight loss?".repeat(i % 4 + 1))));
        return out;
    }

    static Judging judging(FakeOpenAiEndpoint ep, Path cache, RetryBudget.Config budget) {
        EndpointConfig cfg = EndpointConfig.of(ep.baseUrl()).withConcurrency(8).withTimeouts(Duration.ofSeconds(2), Duration.ofMillis(400))
                .withRetry(new RetryPolicy(4, Duration.ofMillis(5), Duration.ofMillis(40), Duration.ofSeconds(1), budget));
        OpenAiClient client = OpenAiClient.create(cfg, Map.of());
        return Judging.of(OpenAiJudge.create(client, OpenAiJudge.Config.greedy("fake-judge"), Prompts.bundled()),
                Judging.Config.BOTH_ORDERS, SqliteVerdictCache.open(cache));
    }

    @Test
    void everyPairEndsWithVerdictsOrACountedFailure(@TempDir Path tmp) throws Exception {
        AtomicInteger calls = new AtomicInteger();
        var faults = new FakeOpenAiEndpoint.Options(0.3, List.of(FakeOpenAiEndpoint.Fault.values()), 5, 1500, 50, 20260501);
        Path cache = tmp.resolve("verdicts.sqlite");
        List<JudgeRequest> ps = pairs();
        RetryBudget.Config budget = new RetryBudget.Config(0.5, 10);
        try (FakeOpenAiEndpoint ep = FakeOpenAiEndpoint.start(faults, req -> model(req, calls))) {
            List<Judgment> first;
            long firstRequests;
            try (Judging j = judging(ep, cache, budget)) {
                first = assertTimeoutPreemptively(Duration.ofSeconds(120), () -> j.compare(ps));
                OpenAiClient.Stats cs = client(j);
                firstRequests = ep.chatRequests();
                // the budget: HTTP attempts ≤ requests + min + ratio × requests
                assertEquals(firstRequests, cs.attempts());
                assertTrue(cs.attempts() <= cs.requests() + (long) Math.floor(10 + 0.5 * cs.requests()), cs.toString());
                assertTrue(cs.requests() > 2 * PAIRS, "unreadable answers were asked once more: " + cs);
            }
            System.out.printf("fault run: %d chat requests, injected %s%n", firstRequests, injected(ep));
            assertEquals(Math.floor(0.3 * firstRequests), ep.injectedTotal(), 1.0, "30% of the requests got a fault");
            for (FakeOpenAiEndpoint.Fault f : FakeOpenAiEndpoint.Fault.values()) assertTrue(ep.injected(f) > 0, f + " was never injected");
            assertEquals(PAIRS, first.size());
            int ok = 0;
            for (int i = 0; i < PAIRS; i++) {
                Judgment g = first.get(i);
                assertEquals(ps.get(i).id(), g.id());
                if (!g.ok()) { assertNotNull(g.error()); continue; }
                ok++;
                assertEquals(Verdict.TIE, g.verdict(Dimension.LANGUAGE), "a position-biased dimension ends as a tie");
                assertTrue(g.flipped(Dimension.LANGUAGE));
                int cmp = Integer.compare(ps.get(i).a().doctorText().length(), ps.get(i).b().doctorText().length());
                Verdict longer = cmp > 0 ? Verdict.A : cmp < 0 ? Verdict.B : Verdict.TIE;
                assertEquals(longer, g.verdict(Dimension.ACCURACY), () -> ai.pulsemind.judge.JudgeJson.judgment(g).toString());
            }
            assertTrue(ok >= PAIRS / 2, ok + " of " + PAIRS + " pairs got verdicts");
            assertBothOrdersAsked(ep, ps);
            Diagnostics d = Diagnostics.of(ps, first);
            assertEquals(1.0, d.perDimension().get(Dimension.LANGUAGE).flipRate());
            assertEquals(0.0, d.perDimension().get(Dimension.ACCURACY).flipRate());

            // a rerun asks only what failed; one against a clean endpoint fills the rest; then nothing is asked
            try (FakeOpenAiEndpoint clean = FakeOpenAiEndpoint.start(FakeOpenAiEndpoint.Options.clean(0), req -> model(req, new AtomicInteger(1)));
                 Judging j = judging(clean, cache, budget)) {
                List<Judgment> second = j.compare(ps);
                long failedOrders = first.stream().mapToLong(g -> (g.forward() == null || !g.forward().ok() ? 1 : 0) + (g.swapped() == null || !g.swapped().ok() ? 1 : 0)).sum();
                assertEquals(failedOrders, clean.chatRequests(), "the rerun asked exactly the orders that had failed");
                assertTrue(second.stream().allMatch(Judgment::ok));
                for (int i = 0; i < PAIRS; i++) if (first.get(i).ok()) assertEquals(first.get(i).verdicts(), second.get(i).verdicts());
            }
            try (FakeOpenAiEndpoint clean = FakeOpenAiEndpoint.start(FakeOpenAiEndpoint.Options.clean(0), req -> "should not be asked");
                 Judging j = judging(clean, cache, budget)) {
                List<Judgment> third = j.compare(ps);
                assertEquals(0, clean.chatRequests(), "a full cache makes no requests");
                assertTrue(third.stream().allMatch(Judgment::cached));
            }
        }
    }

    static void assertBothOrdersAsked(FakeOpenAiEndpoint ep, List<JudgeRequest> ps) {
        Set<String> seen = new HashSet<>();
        for (JsonNode r : ep.requests()) {
            String u = FakeOpenAiEndpoint.userText(r);
            seen.add(between(u, "## Answer A\n", "## Answer B") + "\u0000" + between(u, "## Answer B\n", "Reply with"));
        }
        for (JudgeRequest p : ps) {
            assertTrue(seen.contains(p.a().doctorText() + "\u0000" + p.b().doctorText()), p.id() + " a-first was never asked");
            assertTrue(seen.contains(p.b().doctorText() + "\u0000" + p.a().doctorText()), p.id() + " b-first was never asked");
        }
    }

    static OpenAiClient.Stats client(Judging j) {
        return ((OpenAiJudge.EndpointCompleter) ((ai.pulsemind.judge.llm.PromptedJudge) j.members().getFirst()).completer()).client().stats();
    }

    static String injected(FakeOpenAiEndpoint ep) {
        StringBuilder sb = new StringBuilder();
        for (FakeOpenAiEndpoint.Fault f : FakeOpenAiEndpoint.Fault.values()) sb.append(f).append('=').append(ep.injected(f)).append(' ');
        return sb.toString().strip();
    }
}
