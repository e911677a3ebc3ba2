package ai.pulsemind.model.generate;

import ai.pulsemind.backend.cpu.CpuBackend;
import ai.pulsemind.backend.cpu.ReferenceBackend;
import ai.pulsemind.data.EncodedImage;
import ai.pulsemind.model.qwen25vl.Prompt;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The engine's scheduling promises on a real (tiny) checkpoint on the reference backend, where results are exact:
 * a request gives the same ids and log-probs alone and batched with others (greedy and seeded sampling), admitted
 * while others run, in a reused slot, from many threads; cancellation frees the slot; bad input fails only itself.
 */
class EngineTest {
    static final ReferenceBackend REF = new ReferenceBackend();
    static EngineFixture fx;
    static List<Prompt> prompts;

    @BeforeAll static void open() {
        fx = new EngineFixture(REF);
        prompts = fx.prompts();
    }

    @AfterAll static void close() { fx.close(); }

    static GenerationConfig greedy(int n) { return GenerationConfig.greedy(n).withLogprobs(0); }

    static GenerationConfig sampled(int n, long seed) { return GenerationConfig.sampling(n, 0.9f, 0, 0.95f, seed).withLogprobs(0); }

    static void assertSame(Completion want, Completion got, String what) {
        assertArrayEquals(want.ids(), got.ids(), what + ": ids");
        assertArrayEquals(want.logprobs(), got.logprobs(), what + ": log-probs");
        assertEquals(want.text(), got.text(), what + ": text");
        assertEquals(want.finishReason(), got.finishReason(), what + ": finish reason");
    }

    @Test
    void batchedRequestsGiveWhatTheyGiveAloneGreedyAndSampled() {
        for (GenerationConfig g : List.of(greedy(12), sampled(12, 77))) {
            List<Completion> alone = new ArrayList<>();
            for (int i = 0; i < prompts.size(); i++) alone.add(fx.alone(prompts.get(i), g.withSeed(g.seed() + i), 0));
            try (Engine e = fx.engine(prompts.size())) {
                List<Engine.Handle> hs = new ArrayList<>();
                for (int i = 0; i < prompts.size(); i++) hs.add(e.submit(prompts.get(i), g.withSeed(g.seed() + i), 0, null));
                for (int i = 0; i < prompts.size(); i++) assertSame(alone.get(i), hs.get(i).join(), (g.greedy() ? "greedy" : "sampled") + " prompt " + i);
                assertEquals(prompts.size(), e.stats().peakBatch(), "all decoded together");
            }
            for (Completion c : alone) assertEquals(12, c.logprobs().length);
        }
    }

    @Test
    void submitAllAdmitsItsGroupInOnePrefillAndFailsOnlyItsBadRequest() {
        GenerationConfig g = sampled(6, 31);
        List<Completion> alone = new ArrayList<>();
        for (int i = 0; i < prompts.size(); i++) alone.add(fx.alone(prompts.get(i), g.withSeed(g.seed() + i), i));
        try (Engine e = fx.engine(prompts.size() + 1)) {
            List<Engine.Request> rs = new ArrayList<>();
            int[] at = new int[prompts.size()]; // where prompt i's request is in rs
            for (int i = 0; i < prompts.size(); i++) {
                at[i] = rs.size();
                rs.add(new Engine.Request(prompts.get(i), g.withSeed(g.seed() + i), i, null));
                if (i == 0) rs.add(new Engine.Request(Prompt.ofIds(), g, 0, null)); // refused at submission, alone
            }
            List<Engine.Handle> hs = e.submitAll(rs);
            assertEquals(rs.size(), hs.size(), "one handle per request, in order");
            assertTrue(assertThrows(IllegalArgumentException.class, hs.get(1)::join).getMessage().contains("empty prompt"));
            for (int i = 0; i < prompts.size(); i++) assertSame(alone.get(i), hs.get(at[i]).join(), "prompt " + i + " of the group");
            assertEquals(1, e.stats().prefills(), "the whole group in one prefill: " + e.stats());
            assertEquals(prompts.size(), e.stats().peakBatch());
        }
    }

    @Test
    void theSameSeedGivesTheSameIdsAndOtherSeedsOrStreamsDiffer() {
        Prompt p = prompts.get(0);
        Completion a = fx.alone(p, sampled(16, 5), 0), b = fx.alone(p, sampled(16, 5), 0);
        assertSame(a, b, "same seed");
        assertNotEquals(Arrays.toString(a.ids()), Arrays.toString(fx.alone(p, sampled(16, 6), 0).ids()), "another seed");
        assertNotEquals(Arrays.toString(a.ids()), Arrays.toString(fx.alone(p, sampled(16, 5), 1).ids()), "another stream");
    }

    @Test
    void aRequestAdmittedWhileAnotherRunsLeavesBothUnchanged() throws Exception {
        Completion longAlone = fx.alone(prompts.get(3), greedy(40), 0), shortAlone = fx.alone(prompts.get(1), sampled(6, 3), 0);
        try (Engine e = fx.engine(2)) {
            CountDownLatch started = new CountDownLatch(5);
            Engine.Handle a = e.submit(prompts.get(3), greedy(40), 0, t -> started.countDown());
            assertTrue(started.await(60, TimeUnit.SECONDS), "the first request is decoding");
            Engine.Handle b = e.submit(prompts.get(1), sampled(6, 3), 0, null);
            Completion cb = b.join();
            assertTrue(!a.result().isDone(), "the short request finished while the long one still ran");
            assertSame(shortAlone, cb, "admitted while running");
            assertSame(longAlone, a.join(), "running while another was admitted");
            assertEquals(2, e.stats().peakBatch());
            assertTrue(e.stats().prefills() >= 2, "two separate prefills: " + e.stats());
        }
    }

    @Test
    void slotsAreReusedAndMoreRequestsThanSlotsAllComplete() {
        List<Completion> want = new ArrayList<>();
        int n = 7;
        for (int i = 0; i < n; i++) want.add(fx.alone(prompts.get(i % prompts.size()), sampled(4 + i, 100 + i), 0));
        try (Engine e = fx.engine(2)) {
            List<Engine.Handle> hs = new ArrayList<>();
            for (int i = 0; i < n; i++) hs.add(e.submit(prompts.get(i % prompts.size()), sampled(4 + i, 100 + i), 0, null));
            for (int i = 0; i < n; i++) assertSame(want.get(i), hs.get(i).join(), "request " + i);
            assertEquals(2, e.stats().peakBatch(), "never more than the slots");
            assertEquals(n, e.stats().completed());
        }
    }

    @Test
    void cancellationEndsARequestAndFreesItsSlot() throws Exception {
        try (Engine e = fx.engine(1)) {
            Engine.Handle[] self = new Engine.Handle[1];
            CountDownLatch three = new CountDownLatch(3);
            self[0] = e.submit(prompts.get(0), greedy(100), 0, t -> three.countDown());
            assertTrue(three.await(60, TimeUnit.SECONDS));
            Engine.Handle waiting = e.submit(prompts.get(1), greedy(5), 0, null); // no free slot: it waits
            waiting.cancel();
            self[0].cancel();
            Completion c = self[0].join();
            assertEquals(Completion.FinishReason.CANCELLED, c.finishReason());
            assertTrue(c.ids().length >= 3 && c.ids().length < 100, "stopped early: " + c.ids().length);
            assertEquals(Completion.FinishReason.CANCELLED, waiting.join().finishReason());
            assertEquals(0, waiting.join().ids().length, "cancelled before it was admitted");
            // the slot is free again, and what runs in it is unaffected
            assertSame(fx.alone(prompts.get(2), greedy(6), 0), e.submit(prompts.get(2), greedy(6), 0, null).join(), "after cancellations");
            Engine.Handle viaFuture = e.submit(prompts.get(0), greedy(100), 0, null);
            viaFuture.result().cancel(true);
            assertSame(fx.alone(prompts.get(1), greedy(5), 0), e.submit(prompts.get(1), greedy(5), 0, null).join(), "after a cancelled future");
            assertTrue(e.stats().cancelled() >= 2);
        }
    }

    @Test
    void manyCallerThreadsGetTheirOwnResults() throws Exception {
        int threads = 6, each = 3;
        Completion[][] want = new Completion[threads][each];
        for (int t = 0; t < threads; t++)
            for (int k = 0; k < each; k++) want[t][k] = fx.alone(prompts.get((t + k) % prompts.size()), sampled(3 + k, t * 10 + k), t);
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        try (Engine e = fx.engine(3)) {
            List<Future<Completion[]>> fs = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                int tt = t;
                fs.add(pool.submit(() -> {
                    Completion[] got = new Completion[each];
                    for (int k = 0; k < each; k++)
                        got[k] = e.submit(prompts.get((tt + k) % prompts.size()), sampled(3 + k, tt * 10 + k), tt, null).join();
                    return got;
                }));
            }
            for (int t = 0; t < threads; t++) {
                Completion[] got = fs.get(t).get(120, TimeUnit.SECONDS);
                for (int k = 0; k < each; k++) assertSame(want[t][k], got[k], "thread " + t + " request " + k);
            }
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void badInputFailsOnlyItsOwnRequest() {
        Completion good = fx.alone(prompts.get(0), greedy(8), 0);
        Prompt p = prompts.get(2);
        EncodedImage im = p.images().getFirst();
        // a processed image of the wrong patch size: the vision tower refuses it inside the batched prefill
        EncodedImage wrong = new EncodedImage(new float[im.patches() * 3], im.patches(), 3, im.gridT(), im.gridH(), im.gridW());
        Prompt broken = new Prompt(p.ids(), List.of(wrong), p.positions(), p.nextPosition(), p.conversation());
        int[] tooLong = new int[600];
        try (Engine e = fx.engine(4)) {
            Engine.Handle bad = e.submit(broken, greedy(8), 0, null), ok = e.submit(prompts.get(0), greedy(8), 0, null);
            Engine.Handle empty = e.submit(Prompt.ofIds(), greedy(8), 0, null), longer = e.submit(Prompt.ofIds(tooLong), greedy(8), 0, null);
            assertSame(good, ok.join(), "the good request in the same prefill");
            IllegalArgumentException x = assertThrows(IllegalArgumentException.class, bad::join);
            assertTrue(x.getMessage().contains("vision") || x.getMessage().contains("matmul") || x.getMessage().contains("linear"), x.getMessage());
            assertTrue(assertThrows(IllegalArgumentException.class, empty::join).getMessage().contains("empty prompt"));
            String m = assertThrows(IllegalArgumentException.class, longer::join).getMessage();
            assertTrue(m.contains("600 tokens") && m.contains("512-token slots"), m);
            assertEquals(3, e.stats().failed());
        }
        assertTrue(assertThrows(IllegalArgumentException.class, () -> GenerationConfig.greedy(0)).getMessage().contains("maxNewTokens must be >= 1"));
        var img = assertThrows(IllegalArgumentException.class, () -> fx.cm.prompt(EngineFixture.withImage("images.json", "x")));
        assertTrue(img.getMessage().contains("images.json"), img.getMessage());
    }

    @Test
    void theFastCpuBackendGivesTheReferencesIdsAndLogprobsWithinRounding() {
        try (CpuBackend cpu = new CpuBackend(2); EngineFixture fast = new EngineFixture(cpu)) {
            List<Prompt> ps = fast.prompts();
            for (int i = 0; i < ps.size(); i++) {
                Completion want = fx.alone(prompts.get(i), sampled(10, i), 0);
                Completion alone = fast.alone(ps.get(i), sampled(10, i), 0);
                assertArrayEquals(want.ids(), alone.ids(), "prompt " + i);
                for (int k = 0; k < want.logprobs().length; k++)
                    assertEquals(want.logprobs()[k], alone.logprobs()[k], 2e-5, "prompt " + i + " token " + k);
            }
            try (Engine e = fast.engine(ps.size())) {
                List<Engine.Handle> hs = new ArrayList<>();
                for (int i = 0; i < ps.size(); i++) hs.add(e.submit(ps.get(i), sampled(10, i), 0, null));
                for (int i = 0; i < ps.size(); i++) {
                    Completion alone = fast.alone(ps.get(i), sampled(10, i), 0), mixed = hs.get(i).join();
                    assertArrayEquals(alone.ids(), mixed.ids(), "fast backend, prompt " + i);
                    for (int k = 0; k < alone.logprobs().length; k++)
                        assertEquals(alone.logprobs()[k], mixed.logprobs()[k], 1e-5, "fast backend, prompt " + i + " token " + k);
                }
            }
        }
    }
}
