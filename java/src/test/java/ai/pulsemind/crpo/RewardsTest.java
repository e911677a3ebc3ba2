package ai.pulsemind.crpo;

import ai.pulsemind.data.Conversation;
import ai.pulsemind.judge.Dimension;
import ai.pulsemind.judge.Judge;
import ai.pulsemind.judge.JudgeRequest;
import ai.pulsemind.judge.Judging;
import ai.pulsemind.judge.Outcome;
import ai.pulsemind.judge.Reference;
import ai.pulsemind.judge.ScoreRequest;
import ai.pulsemind.judge.Scores;
import ai.pulsemind.judge.Verdict;
import ai.pulsemind.judge.VerdictCache;
import ai.pulsemind.judge.Verdicts;
import org.junit.jupiter.api.Test;

import java.util.EnumMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Rewards from verdicts, against hand-computed values, with a judge whose verdicts are a known function of the
 * replies: on proactiveness and accuracy the reply with more '!' wins (equal: tie); on usefulness always a tie; on
 * language the shorter reply wins; a reply containing "FAIL" makes the judgement fail. Scores (GRPO): proactiveness
 * = 1 + number of '!' (at most 5), the others 3.
 */
class RewardsTest {
    static final class CountingJudge implements Judge {
        @Override public String identity() { return "counting-test-judge/1"; }

        @Override public String name() { return "counting"; }

        @Override public void compare(List<JudgeRequest> pairs, Sink<Verdicts> sink) {
            for (int i = 0; i < pairs.size(); i++) {
                String a = pairs.get(i).a().doctorText(), b = pairs.get(i).b().doctorText();
                if (a.contains("FAIL") || b.contains("FAIL")) {
                    sink.accept(i, Outcome.failed("the judge could not read the reply"));
                    continue;
                }
                Verdict bang = Integer.compare(bangs(a), bangs(b)) > 0 ? Verdict.A : bangs(a) == bangs(b) ? Verdict.TIE : Verdict.B;
                Verdict len = a.length() < b.length() ? Verdict.A : a.length() == b.length() ? Verdict.TIE : Verdict.B;
                Map<Dimension, Verdict> v = new EnumMap<>(Dimension.class);
                v.put(Dimension.PROACTIVENESS, bang);
                v.put(Dimension.ACCURACY, bang);
                v.put(Dimension.USEFULNESS, Verdict.TIE);
                v.put(Dimension.LANGUAGE, len);
                sink.accept(i, Outcome.ok(new Verdicts(v, Map.of())));
            }
        }

        @Override public void score(List<ScoreRequest> answers, Sink<Scores> sink) {
            for (int i = 0; i < answers.size(); i++) {
                String a = answers.get(i).answer().doctorText();
                if (a.contains("FAIL")) {
                    sink.accept(i, Outcome.failed("no score"));
                    continue;
                }
                Map<Dimension, Integer> s = new EnumMap<>(Dimension.class);
                for (Dimension d : Dimension.values()) s.put(d, 3);
                s.put(Dimension.PROACTIVENESS, Math.min(5, 1 + bangs(a)));
                sink.accept(i, Outcome.ok(new Scores(s, Map.of())));
            }
        }

        static int bangs(String s) { return (int) s.chars().filter(c -> c == '!').count(); }
    }

    static Judging judging() { return Judging.of(new CountingJudge(), Judging.Config.BOTH_ORDERS, VerdictCache.NONE); }

    static Rewards.Group group(List<String> samples) {
        Conversation c = new Conversation(List.of()).plus(Conversation.Speaker.USER, "I have a cough.");
        return new Rewards.Group("rec-1/t1", c, Reference.ofText("How long have you had it?"), samples,
                List.of(new Rewards.Opponent("cp-a", "!! abc"), new Rewards.Opponent("cp-b", "x")));
    }

    @Test
    void paperRewardIsTheMeanOfWinsOverCounterpartsAndDimensions() {
        // sample "!!! a" (len 5): vs "!! abc" (len 6): pro win, acc win, use tie, lang win; vs "x": win, win, tie, loss
        // → per dimension: pro 1, acc 1, use 0, lang 0.5 → R = 2.5 / 4
        // sample "" (len 0) vs "!! abc": loss loss tie win; vs "x": tie tie tie win → pro 0, acc 0, use 0, lang 1 → 0.25
        try (Judging j = judging()) {
            Rewards.Result r = Rewards.compute(List.of(group(List.of("!!! a", ""))), j, new Rewards.Settings(Rewards.Kind.CRPO, 0, null, false, false));
            assertArrayEquals(new double[] {2.5 / 4, 0.25}, r.rewards(), 1e-12);
            assertArrayEquals(new double[] {1, 1, 0, 0.5}, r.dimensions()[0], 1e-12);
            assertEquals(0, r.failures());
            assertEquals(4, r.judged());
            assertEquals(0.5, r.winRate(0), 1e-12); // proactiveness: 2 wins of 4 (win, win, loss, tie)
            assertEquals("win", ((Map<?, ?>) r.verdicts().get(0).get("cp-a")).get("proactiveness"));
            // a tie worth 0.5: sample 1: pro 0.25, acc 0.25, use 0.5, lang 1 → 2 / 4
            Rewards.Result t = Rewards.compute(List.of(group(List.of("!!! a", ""))), j, new Rewards.Settings(Rewards.Kind.CRPO, 0.5, null, false, false));
            assertEquals(0.5, t.rewards()[1], 1e-12);
            // weights 1, 0, 0, 1: sample 0 → (1 + 0.5) / 2
            Rewards.Result w = Rewards.compute(List.of(group(List.of("!!! a", ""))), j,
                    new Rewards.Settings(Rewards.Kind.CRPO, 0, new double[] {1, 0, 0, 1}, false, false));
            assertEquals(0.75, w.rewards()[0], 1e-12);
        }
    }

    @Test
    void failedJudgementsAreCountedAndLeftOutOfTheMean() {
        try (Judging j = judging()) {
            Rewards.Result r = Rewards.compute(List.of(group(List.of("!!! a", "FAIL"))), j, new Rewards.Settings(Rewards.Kind.CRPO, 0, null, false, false));
            assertEquals(2, r.failures());
            assertTrue(Double.isNaN(r.rewards()[1]));
            assertEquals(0, r.failedGroups());
            Rewards.Result all = Rewards.compute(List.of(group(List.of("FAIL 1", "FAIL 2"))), j, new Rewards.Settings(Rewards.Kind.CRPO, 0, null, false, false));
            assertEquals(1, all.failedGroups());
        }
    }

    @Test
    void intraGroupComparesTheSamplesWithEachOther() {
        // "!" (len 1) vs "!!" (len 2): pro B, acc B, use tie, lang A → sample 0: 0 0 0 1 → 0.25; sample 1: 1 1 0 0 → 0.5
        try (Judging j = judging()) {
            Rewards.Result r = Rewards.compute(List.of(group(List.of("!", "!!"))), j, new Rewards.Settings(Rewards.Kind.CRPO, 0, null, true, false));
            assertArrayEquals(new double[] {0.25, 0.5}, r.rewards(), 1e-12);
            assertEquals(1, r.judged());
            // normalised per dimension: pro z = (−0.5, 0.5)/(std 0.7071 + ε); use 0 for both; lang the opposite of pro
            Rewards.Result n = Rewards.compute(List.of(group(List.of("!", "!!"))), j, new Rewards.Settings(Rewards.Kind.CRPO, 0, null, true, true));
            double z = 0.5 / (Math.sqrt(0.5) + 1e-4);
            assertArrayEquals(new double[] {(-z - z + 0 + z) / 4, (z + z + 0 - z) / 4}, n.rewards(), 1e-12);
        }
    }

    @Test
    void grpoAblationUsesAbsoluteScores() {
        try (Judging j = judging()) {
            Rewards.Result r = Rewards.compute(List.of(group(List.of("!!", "", "FAIL"))), j, new Rewards.Settings(Rewards.Kind.GRPO, 0, null, false, false));
            // "!!": pro 3 → 0.5, others 3 → 0.5: R = 0.5; "": pro 1 → 0, others 0.5: R = 1.5 / 4
            assertEquals(0.5, r.rewards()[0], 1e-12);
            assertEquals(0.375, r.rewards()[1], 1e-12);
            assertTrue(Double.isNaN(r.rewards()[2]));
            assertEquals(1, r.failures());
        }
        assertThrows(IllegalArgumentException.class, () -> new Rewards.Settings(Rewards.Kind.CRPO, 0, new double[] {1, 1}, false, false));
    }
}
