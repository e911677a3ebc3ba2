package ai.pulsemind.judge;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Position debiasing, single-order mode, failures as data, juries and the cache, on judges whose answers are known. */
class JudgingTest {
    static List<JudgeRequest> pairs(int n) {
        List<JudgeRequest> out = new ArrayList<>();
        for (int i = 0; i < n; i++) out.add(ScriptedJudge.pair("p" + i, "x".repeat(5 + i), "y".repeat(5 + (i * 7) % 11)));
        return out;
    }

    @Test
    void bothOrdersAreAskedAndAgreeingVerdictsStand() {
        Set<String> shown = ConcurrentHashMap.newKeySet();
        ScriptedJudge j = new ScriptedJudge("longer", r -> { shown.add(r.a().doctorText() + "|" + r.b().doctorText()); return ScriptedJudge.longer(r); });
        try (Judging judging = Judging.of(j, Judging.Config.BOTH_ORDERS, VerdictCache.NONE)) {
            List<JudgeRequest> ps = pairs(12);
            List<Judgment> js = judging.compare(ps);
            assertEquals(24, j.calls.get());
            for (int i = 0; i < ps.size(); i++) {
                JudgeRequest p = ps.get(i);
                Judgment g = js.get(i);
                assertEquals(p.id(), g.id());
                assertTrue(shown.contains(p.a().doctorText() + "|" + p.b().doctorText()) && shown.contains(p.b().doctorText() + "|" + p.a().doctorText()));
                assertEquals(ScriptedJudge.longer(p) instanceof Outcome.Ok<Verdicts> ok ? ok.value().verdicts() : null, g.verdicts());
                for (Dimension d : Dimension.values()) assertFalse(g.flipped(d));
                // the raw b-first verdicts are kept as given: positions exchanged
                assertEquals(g.forward().raw().flip().verdicts(), g.swapped().raw().verdicts());
            }
            Diagnostics diag = Diagnostics.of(ps, js);
            assertEquals(0.0, diag.pooled().flipRate());
            assertEquals(1.0, diag.pooled().longerWinRate());
        }
    }

    @Test
    void positionBiasBecomesTiesAndIsMeasured() {
        try (Judging judging = Judging.of(new ScriptedJudge("first", ScriptedJudge::first), Judging.Config.BOTH_ORDERS, VerdictCache.NONE)) {
            List<JudgeRequest> ps = pairs(6);
            List<Judgment> js = judging.compare(ps);
            for (Judgment g : js) for (Dimension d : Dimension.values()) {
                assertEquals(Verdict.TIE, g.verdict(d));
                assertTrue(g.flipped(d));
                assertTrue(g.rationales().get(d).contains("orders disagree"), g.rationales().get(d));
            }
            Diagnostics diag = Diagnostics.of(ps, js);
            assertEquals(1.0, diag.pooled().flipRate());
            assertEquals(1.0, diag.pooled().tieRate());
            assertEquals(6 * 4, diag.pooled().flipPairs());
        }
        // the paper's single-order mode keeps the bias and asks once
        ScriptedJudge once = new ScriptedJudge("first", ScriptedJudge::first);
        try (Judging judging = Judging.of(once, Judging.Config.SINGLE_ORDER, VerdictCache.NONE)) {
            List<Judgment> js = judging.compare(pairs(6));
            assertEquals(6, once.calls.get());
            for (Judgment g : js) {
                assertNull(g.swapped());
                assertEquals(Verdict.A, g.verdict(Dimension.ACCURACY));
            }
        }
    }

    @Test
    void failuresAreCountedNotThrown() {
        ScriptedJudge flaky = new ScriptedJudge("flaky", r -> r.id().equals("p1") && r.a().doctorText().startsWith("y")
                ? Outcome.failed("HTTP 500 from http://judge") : ScriptedJudge.longer(r));
        Judge broken = new ScriptedJudge("broken", r -> { throw new IllegalStateException("bug in the judge"); });
        try (Judging a = Judging.of(flaky, Judging.Config.BOTH_ORDERS, VerdictCache.NONE);
             Judging b = Judging.of(broken, Judging.Config.BOTH_ORDERS, VerdictCache.NONE)) {
            List<Judgment> js = a.compare(pairs(3));
            assertTrue(js.get(0).ok() && js.get(2).ok());
            assertFalse(js.get(1).ok());
            assertEquals("b-first order: HTTP 500 from http://judge", js.get(1).error());
            assertTrue(js.get(1).forward().ok(), "the order that answered is kept");
            assertEquals(1, a.stats().failed());
            List<Judgment> all = b.compare(pairs(2));
            for (Judgment g : all) {
                assertFalse(g.ok());
                assertTrue(g.error().contains("bug in the judge"), g.error());
            }
        }
    }

    @Test
    void juryTakesTheStrictMajorityAndKeepsEachMember() {
        ScriptedJudge longer = new ScriptedJudge("longer", ScriptedJudge::longer),
                longer2 = new ScriptedJudge("longer2", ScriptedJudge::longer),
                shorter = new ScriptedJudge("shorter", r -> Outcome.ok(((Outcome.Ok<Verdicts>) ScriptedJudge.longer(r)).value().flip()));
        try (Judging jury = Judging.jury(List.of(longer, longer2, shorter), Judging.Config.BOTH_ORDERS, VerdictCache.NONE)) {
            JudgeRequest p = ScriptedJudge.pair("j", "long answer", "short");
            Judgment g = jury.compare(List.of(p)).getFirst();
            assertEquals(Verdict.A, g.verdict(Dimension.USEFULNESS));
            assertEquals(3, g.members().size());
            assertEquals(Verdict.B, g.members().get(2).verdict(Dimension.USEFULNESS));
            assertTrue(g.rationales().get(Dimension.USEFULNESS).startsWith("votes A 2, tie 0, B 1"), g.rationales().get(Dimension.USEFULNESS));
        }
        // a split (A, B, tie) is a tie; a failed member is left out, naming it
        Judgment split = Jury.combine("s", "jury", List.of(single("x", Verdict.A), single("y", Verdict.B), single("z", Verdict.TIE)));
        assertEquals(Verdict.TIE, split.verdict(Dimension.ACCURACY));
        Judgment oneFailed = Jury.combine("s", "jury", List.of(single("x", Verdict.A), Judgment.failed("s", "y", "down"), single("z", Verdict.A)));
        assertEquals(Verdict.A, oneFailed.verdict(Dimension.ACCURACY));
        assertTrue(oneFailed.rationales().get(Dimension.ACCURACY).contains("1 failed"));
        Judgment allFailed = Jury.combine("s", "jury", List.of(Judgment.failed("s", "x", "down"), Judgment.failed("s", "y", "down")));
        assertFalse(allFailed.ok());
    }

    static Judgment single(String judge, Verdict v) {
        Judgment.Order o = new Judgment.Order(Verdicts.all(v), null, false);
        return Judgment.ofOrders("s", judge, o, null);
    }

    @Test
    void aSecondRunIsServedFromTheCache(@TempDir Path tmp) {
        ScriptedJudge j1 = new ScriptedJudge("longer", ScriptedJudge::longer);
        List<JudgeRequest> ps = pairs(10);
        List<Judgment> first;
        try (Judging judging = Judging.of(j1, Judging.Config.BOTH_ORDERS, SqliteVerdictCache.open(tmp.resolve("c.sqlite")))) {
            first = judging.compare(ps);
            assertEquals(20, judging.stats().judged());
        }
        ScriptedJudge j2 = new ScriptedJudge("longer", ScriptedJudge::longer);
        try (Judging judging = Judging.of(j2, Judging.Config.BOTH_ORDERS, SqliteVerdictCache.open(tmp.resolve("c.sqlite")))) {
            List<Judgment> again = judging.compare(ps);
            assertEquals(0, j2.calls.get(), "no judge calls on a rerun");
            assertEquals(20, judging.stats().cacheHits());
            for (int i = 0; i < ps.size(); i++) {
                assertEquals(first.get(i).verdicts(), again.get(i).verdicts());
                assertTrue(again.get(i).cached());
            }
        }
    }

    @Test
    void theSameCallTwiceInABatchIsAskedOnce() {
        ScriptedJudge j = new ScriptedJudge("longer", ScriptedJudge::longer);
        try (Judging judging = Judging.of(j, Judging.Config.BOTH_ORDERS, VerdictCache.NONE)) {
            // two identical samples against the same counterpart, and a sample identical to its counterpart
            List<JudgeRequest> ps = List.of(ScriptedJudge.pair("g0", "the same sample", "counterpart"), ScriptedJudge.pair("g1", "the same sample", "counterpart"),
                    ScriptedJudge.pair("g2", "echo", "echo"));
            List<Judgment> js = judging.compare(ps);
            assertEquals(3, j.calls.get(), "g0 both orders, g2 once: its two orders are the same call");
            assertEquals(new Judging.Stats(6, 0, 3, 0, 0), judging.stats());
            assertEquals(js.get(0).verdicts(), js.get(1).verdicts());
            assertEquals(Verdict.A, js.get(1).verdict(Dimension.ACCURACY));
            assertEquals(Verdict.TIE, js.get(2).verdict(Dimension.ACCURACY));
        }
        ScriptedJudge down = new ScriptedJudge("down", r -> Outcome.failed("HTTP 503"));
        try (Judging judging = Judging.of(down, Judging.Config.SINGLE_ORDER, VerdictCache.NONE)) {
            List<Judgment> js = judging.compare(List.of(ScriptedJudge.pair("a", "x", "y"), ScriptedJudge.pair("b", "x", "y")));
            assertEquals(1, down.calls.get());
            assertTrue(js.stream().noneMatch(Judgment::ok) && js.get(1).error().equals("HTTP 503"), js.toString());
            assertEquals(2, judging.stats().failed(), "each pair that waited on the failed call is a failure");
        }
    }

    @Test
    void absoluteScoresThroughTheSameMachinery(@TempDir Path tmp) {
        ScriptedJudge j = new ScriptedJudge("len", ScriptedJudge::longer);
        List<ScoreRequest> rs = List.of(new ScoreRequest("s1", ai.pulsemind.data.Conversation.EMPTY, Reference.ofText("r"), new Answer.Reply("short")),
                new ScoreRequest("s2", ai.pulsemind.data.Conversation.EMPTY, Reference.ofText("r"), new Answer.Reply("a much longer answer here")));
        try (Judging judging = Judging.of(j, Judging.Config.BOTH_ORDERS, SqliteVerdictCache.open(tmp.resolve("s.sqlite")))) {
            List<ScoreJudgment> s = judging.score(rs);
            assertEquals(1, s.get(0).score(Dimension.ACCURACY));
            assertEquals(3, s.get(1).score(Dimension.ACCURACY));
            assertEquals(2, j.calls.get());
            judging.score(rs);
            assertEquals(2, j.calls.get(), "cached");
        }
        ScoreJudgment med = Jury.combineScores("m", "jury", List.of(score(2), score(5), score(3), score(4)));
        assertEquals(3, med.score(Dimension.LANGUAGE), "lower median of 2,3,4,5");
    }

    static ScoreJudgment score(int s) {
        EnumMap<Dimension, Integer> m = new EnumMap<>(Dimension.class);
        for (Dimension d : Dimension.values()) m.put(d, s);
        return new ScoreJudgment("m", "x", new Scores(m, Map.of()), false, List.of(), null);
    }

    @Test
    void dimensionsAreTheDatasetsDimensions() {
        List<String> keys = new ArrayList<>();
        for (Dimension d : Dimension.values()) keys.add(d.key());
        assertEquals(ai.pulsemind.data.Quality.DIMENSIONS, keys);
        assertEquals(Dimension.LANGUAGE, Dimension.parse("语言质量"));
        assertEquals(Dimension.LANGUAGE, Dimension.parse("Language Quality"));
        assertNull(Dimension.parse("style"));
        assertNotNull(JudgeJson.verdicts(JudgeJson.verdicts(Verdicts.all(Verdict.B))));
    }
}
