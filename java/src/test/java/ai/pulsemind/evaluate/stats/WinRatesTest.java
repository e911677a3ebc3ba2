package ai.pulsemind.evaluate.stats;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

import static ai.pulsemind.evaluate.stats.Outcome.LOSS;
import static ai.pulsemind.evaluate.stats.Outcome.TIE;
import static ai.pulsemind.evaluate.stats.Outcome.WIN;
import static org.junit.jupiter.api.Assertions.*;

class WinRatesTest {
    private static final Resampling R = new Resampling(500, 0.95, 5);

    private static PairwiseOutcome o(String c, String dep, String base, String dim, Outcome out) {
        return PairwiseOutcome.of(c, dep, "M", base, dim, out);
    }

    /**
     * Hand-worked: model M against baselines A and B on two dimensions, three cases.
     * A/accuracy: W W T -> 2/3 (tie-half 5/6); A/usefulness: W L L -> 1/3 (1/3);
     * B/accuracy: T T L -> 0 (1/3); B/usefulness: W W W -> 1 (1).
     * WR(A) = 1/2, WR(B) = 1/2, MWR = 1/2; tie-half: WR(A) = 7/12, WR(B) = 2/3, MWR = 5/8.
     */
    @Test
    void handWorkedRatesAndTheHeadline() {
        List<PairwiseOutcome> xs = List.of(
                o("c1", "derm", "A", "accuracy", WIN), o("c2", "derm", "A", "accuracy", WIN), o("c3", "cardio", "A", "accuracy", TIE),
                o("c1", "derm", "A", "usefulness", WIN), o("c2", "derm", "A", "usefulness", LOSS), o("c3", "cardio", "A", "usefulness", LOSS),
                o("c1", "derm", "B", "accuracy", TIE), o("c2", "derm", "B", "accuracy", TIE), o("c3", "cardio", "B", "accuracy", LOSS),
                o("c1", "derm", "B", "usefulness", WIN), o("c2", "derm", "B", "usefulness", WIN), o("c3", "cardio", "B", "usefulness", WIN));
        WinRates.Result r = WinRates.analyze(xs, R);
        WinRates.ModelRates m = r.model("M");
        assertEquals(3, r.cases());
        assertEquals(3, m.cases());
        assertEquals(new WinRates.Counts(6, 3, 3), m.counts());
        assertEquals(List.of("accuracy", "usefulness"), r.dimensions());
        assertEquals(4, m.cells().size());
        WinRates.Cell aAcc = m.cells().getFirst();
        assertEquals("A", aAcc.baseline());
        assertEquals("accuracy", aAcc.dimension());
        assertEquals(new WinRates.Counts(2, 1, 0), aAcc.counts());
        assertEquals(2 / 3.0, aAcc.rate().winRate().estimate(), 1e-12);
        assertEquals(5 / 6.0, aAcc.rate().winTieHalf().estimate(), 1e-12);
        assertEquals(0.5, m.baselines().get(0).rate().winRate().estimate(), 1e-12);
        assertEquals(7 / 12.0, m.baselines().get(0).rate().winTieHalf().estimate(), 1e-12);
        assertEquals(2 / 3.0, m.baselines().get(1).rate().winTieHalf().estimate(), 1e-12);
        assertEquals(1 / 3.0, m.dimensions().get(0).rate().winRate().estimate(), 1e-12); // (2/3 + 0) / 2
        assertEquals(2 / 3.0, m.dimensions().get(1).rate().winRate().estimate(), 1e-12); // (1/3 + 1) / 2
        assertEquals(0.5, m.meanWinRate().winRate().estimate(), 1e-12);
        assertEquals(5 / 8.0, m.meanWinRate().winTieHalf().estimate(), 1e-12);
        // department breakdown: derm is c1, c2 (MWR = (1 + 1/2 + 0 + 1) / 4), cardio is c3 (MWR = (0 + 0 + 0 + 1) / 4)
        assertEquals(List.of("derm", "cardio"), m.departments().stream().map(WinRates.ByDepartment::department).toList());
        assertEquals(2, m.departments().get(0).cases());
        assertEquals(0.625, m.departments().get(0).meanWinRate().winRate().estimate(), 1e-12);
        assertEquals(0.25, m.departments().get(1).meanWinRate().winRate().estimate(), 1e-12);
    }

    @Test
    void theHeadlineWeighsEveryBaselineAndDimensionTheSameNotEveryJudgment() {
        // 1 judgment against A (a win), 9 against B (all losses): pooled would be 0.1, the paper's mean is 0.5
        List<PairwiseOutcome> xs = new ArrayList<>();
        xs.add(o("c0", "d", "A", "accuracy", WIN));
        for (int i = 0; i < 9; i++) xs.add(o("c" + i, "d", "B", "accuracy", LOSS));
        WinRates.ModelRates m = WinRates.analyze(xs, R).model("M");
        assertEquals(0.1, m.counts().winRate(), 1e-12);
        assertEquals(0.5, m.meanWinRate().winRate().estimate(), 1e-12);
    }

    @Test
    void intervalsResampleCasesAreSeededAndCoverTheTruth() {
        // true win probability 0.6 on every cell; 300 cases x 2 baselines x 4 dimensions
        SplittableRandom rnd = new SplittableRandom(3);
        List<PairwiseOutcome> xs = new ArrayList<>();
        for (int c = 0; c < 300; c++)
            for (String b : List.of("A", "B"))
                for (String d : ai.pulsemind.data.Quality.DIMENSIONS)
                    xs.add(o("c" + c, c % 2 == 0 ? "even" : "odd", b, d, rnd.nextDouble() < 0.6 ? WIN : rnd.nextBoolean() ? TIE : LOSS));
        WinRates.Result a = WinRates.analyze(xs, R), b = WinRates.analyze(xs, R);
        assertEquals(a, b, "same outcomes and seed, same result");
        Bootstrap.Interval h = a.model("M").meanWinRate().winRate();
        assertEquals(5, h.seed());
        assertEquals(500, h.resamples());
        assertEquals(0.6, h.estimate(), 0.03, "within about 3 standard errors of the truth");
        assertTrue(h.low() < h.estimate() && h.estimate() < h.high(), h.toString());
        // 2400 judgments from 300 cases: the interval is about 1.96 * sqrt(0.24 / 2400) wide at least
        assertTrue(h.halfWidth() > 0.015 && h.halfWidth() < 0.05, h.toString());
        for (WinRates.Cell cell : a.model("M").cells()) {
            Bootstrap.Interval iv = cell.rate().winRate();
            assertTrue(iv.low() <= iv.estimate() && iv.estimate() <= iv.high(), cell.toString());
        }
        Bootstrap.Interval half = a.model("M").meanWinRate().winTieHalf();
        assertTrue(half.estimate() > h.estimate(), "ties add half a win each");
        assertNotEquals(a, WinRates.analyze(xs, new Resampling(500, 0.95, 6)));
    }

    @Test
    void everyModelAgainstEveryBaseline() {
        List<PairwiseOutcome> xs = List.of(
                PairwiseOutcome.of("c1", "d", "X", "A", "accuracy", WIN),
                PairwiseOutcome.of("c1", "d", "Y", "A", "accuracy", LOSS),
                PairwiseOutcome.of("c1", "d", "Y", "X", "accuracy", LOSS));
        WinRates.Result r = WinRates.analyze(xs, R);
        assertEquals(List.of("X", "Y"), r.models().stream().map(WinRates.ModelRates::model).toList());
        assertEquals(List.of("A"), r.model("X").baselines().stream().map(WinRates.ByBaseline::baseline).toList());
        assertEquals(List.of("A", "X"), r.model("Y").baselines().stream().map(WinRates.ByBaseline::baseline).toList());
        assertEquals(0.0, r.model("Y").meanWinRate().winRate().estimate());
        var e = assertThrows(IllegalArgumentException.class, () -> r.model("Z"));
        assertTrue(e.getMessage().contains("[X, Y]"), e.getMessage());
    }

    @Test
    void badInputIsRefusedWithTheCaseNamed() {
        var dup = assertThrows(IllegalArgumentException.class, () -> WinRates.analyze(List.of(
                o("c7", "d", "A", "accuracy", WIN), o("c7", "d", "A", "accuracy", LOSS)), R));
        assertTrue(dup.getMessage().contains("c7") && dup.getMessage().contains("two outcomes"), dup.getMessage());
        var mixed = assertThrows(IllegalArgumentException.class, () -> WinRates.analyze(List.of(
                o("c1", "d", "A", "accuracy", WIN), o("c2", "d", "A", "accuracy", WIN).atTurn(1)), R));
        assertTrue(mixed.getMessage().contains("mixed"), mixed.getMessage());
        var dep = assertThrows(IllegalArgumentException.class, () -> WinRates.analyze(List.of(
                o("c1", "derm", "A", "accuracy", WIN), o("c1", "cardio", "A", "usefulness", WIN)), R));
        assertTrue(dep.getMessage().contains("derm") && dep.getMessage().contains("cardio"), dep.getMessage());
        assertThrows(IllegalArgumentException.class, () -> PairwiseOutcome.of("c1", "d", "A", "A", "accuracy", WIN));
        assertThrows(IllegalArgumentException.class, () -> PairwiseOutcome.of("c1", " ", "M", "A", "accuracy", WIN));
        assertThrows(IllegalArgumentException.class, () -> WinRates.analyze(List.of(), R));
        assertEquals(LOSS, Outcome.parse(" Loss "));
        assertThrows(IllegalArgumentException.class, () -> Outcome.parse("draw"));
    }

    @Test
    void perTurnOutcomesPoolTheTurnsOfACase() {
        List<PairwiseOutcome> xs = List.of(
                o("c1", "d", "A", "accuracy", WIN).atTurn(0), o("c1", "d", "A", "accuracy", WIN).atTurn(1),
                o("c1", "d", "A", "accuracy", LOSS).atTurn(2).withLengths(120, 80), o("c2", "d", "A", "accuracy", LOSS).atTurn(0));
        WinRates.ModelRates m = WinRates.analyze(xs, R).model("M");
        assertEquals(0.5, m.meanWinRate().winRate().estimate(), 1e-12);
        assertEquals(2, m.cases());
    }
}
