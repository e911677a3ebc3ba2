package ai.pulsemind.evaluate.stats;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.*;

class AbsoluteScoresTest {
    private static final Resampling R = new Resampling(400, 0.95, 2);

    /**
     * Hand-worked: X scores accuracy 4, 5 and language 3, 3; Y scores accuracy 4, 4 and language 5, 5.
     * Means: X 4.5 / 3 (overall 3.75), Y 4 / 5 (overall 4.5). Accuracy η²: grand mean 4.25, SS total =
     * 0.0625 + 0.5625 + 0.0625 + 0.0625 = 0.75, SS between = 2·0.0625 + 2·0.0625 = 0.25, η² = 1/3.
     */
    @Test
    void handWorkedMeansSpreadsAndEtaSquared() {
        List<AbsoluteScore> xs = List.of(
                AbsoluteScore.of("c1", "d", "X", "accuracy", 4), AbsoluteScore.of("c2", "d", "X", "accuracy", 5),
                AbsoluteScore.of("c1", "d", "X", "language", 3), AbsoluteScore.of("c2", "d", "X", "language", 3),
                AbsoluteScore.of("c1", "d", "Y", "accuracy", 4), AbsoluteScore.of("c2", "d", "Y", "accuracy", 4),
                AbsoluteScore.of("c1", "d", "Y", "language", 5), AbsoluteScore.of("c2", "d", "Y", "language", 5));
        AbsoluteScores.Result r = AbsoluteScores.analyze(xs, R);
        assertEquals(List.of("accuracy", "language"), r.dimensions());
        assertEquals(4.5, r.model("X").dimension("accuracy").mean().estimate(), 1e-12);
        assertEquals(3.75, r.model("X").overall().estimate(), 1e-12);
        assertEquals(4.5, r.model("Y").overall().estimate(), 1e-12);
        assertEquals(List.of(0L, 0L, 0L, 1L, 1L), r.model("X").dimension("accuracy").histogram());
        AbsoluteScores.Spread acc = r.spreads().getFirst();
        assertEquals("accuracy", acc.dimension());
        assertEquals(0.5, acc.range(), 1e-12);
        assertEquals(1 / 3.0, acc.etaSquared(), 1e-12);
        AbsoluteScores.Spread lang = r.spreads().get(1);
        assertEquals(1.0, lang.etaSquared(), 1e-12, "language scores are all explained by the model");
        assertEquals(1, lang.separation().separated(), "constant scores give point intervals 3 and 5");
        assertEquals("overall", r.spreads().getLast().dimension());
        assertEquals(r, AbsoluteScores.analyze(xs, R));
    }

    @Test
    void intervalsResampleCasesAndBadInputIsRefused() {
        List<AbsoluteScore> xs = new ArrayList<>();
        for (int c = 0; c < 200; c++) xs.add(AbsoluteScore.of("c" + c, "d", "X", "usefulness", 1 + c % 5));
        Bootstrap.Interval iv = AbsoluteScores.analyze(xs, R).model("X").dimension("usefulness").mean();
        assertEquals(3, iv.estimate(), 1e-12);
        // sd of 1..5 uniform is sqrt(2); 1.96 sqrt(2/200) = 0.196
        assertEquals(0.196, iv.halfWidth(), 0.04);
        assertEquals(2, iv.seed());
        assertThrows(IllegalArgumentException.class, () -> AbsoluteScore.of("c1", "d", "X", "accuracy", 6));
        var dup = assertThrows(IllegalArgumentException.class, () -> AbsoluteScores.analyze(List.of(
                AbsoluteScore.of("c1", "d", "X", "accuracy", 3), AbsoluteScore.of("c1", "d", "X", "accuracy", 4)), R));
        assertTrue(dup.getMessage().contains("c1"), dup.getMessage());
    }
}
