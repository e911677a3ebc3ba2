package ai.pulsemind.judge;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Percent agreement and Cohen's κ against worked examples. */
class AgreementTest {
    static List<String> repeat(Object... countThenLabel) {
        List<String> out = new ArrayList<>();
        for (int i = 0; i < countThenLabel.length; i += 2) for (int k = 0; k < (int) countThenLabel[i]; k++) out.add((String) countThenLabel[i + 1]);
        return out;
    }

    @Test
    void theTextbookExample() {
        // 50 items: both yes 20, first yes second no 5, first no second yes 10, both no 15 → p_o 0.7, p_e 0.5, κ 0.4
        List<String> x = repeat(20, "yes", 5, "yes", 10, "no", 15, "no"), y = repeat(20, "yes", 5, "no", 10, "yes", 15, "no");
        Agreement a = Agreement.of(x, y);
        assertEquals(50, a.n());
        assertEquals(0.7, a.observed(), 1e-12);
        assertEquals(0.5, a.chance(), 1e-12);
        assertEquals(0.4, a.kappa(), 1e-12);
        assertEquals(List.of("yes", "no"), a.categories());
        assertEquals(20, a.confusion()[0][0]);
        assertEquals(5, a.confusion()[0][1]);
    }

    @Test
    void threeCategoriesMissingLabelsAndDegenerateCases() {
        List<Verdict> x = Arrays.asList(Verdict.A, Verdict.A, Verdict.B, Verdict.TIE, null, Verdict.B);
        List<Verdict> y = Arrays.asList(Verdict.A, Verdict.B, Verdict.B, Verdict.TIE, Verdict.A, Verdict.B);
        Agreement a = Agreement.of(x, y, List.of(Verdict.A, Verdict.TIE, Verdict.B));
        assertEquals(5, a.n());
        assertEquals(1, a.missing());
        assertEquals(0.8, a.observed(), 1e-12);
        // p_e = (2/5)(1/5) + (1/5)(1/5) + (2/5)(3/5) = 9/25
        assertEquals((0.8 - 9 / 25.0) / (1 - 9 / 25.0), a.kappa(), 1e-12);
        assertEquals(List.of("A", "TIE", "B"), a.categories());
        Agreement constant = Agreement.of(List.of(1, 1, 1), List.of(1, 1, 1));
        assertEquals(1.0, constant.observed());
        assertTrue(Double.isNaN(constant.kappa()), "no variation: κ undefined");
        assertEquals(-1.0, Agreement.of(List.of(1, 2), List.of(2, 1)).kappa(), 1e-12);
        assertThrows(IllegalArgumentException.class, () -> Agreement.of(List.of(1), List.of(1, 2)));
    }

    @Test
    void betweenJudgesByIdAndDimension() {
        Judgment a1 = Judgment.ofOrders("p1", "x", new Judgment.Order(Verdicts.all(Verdict.A), null, false), null);
        Judgment a2 = Judgment.ofOrders("p2", "x", new Judgment.Order(Verdicts.all(Verdict.B), null, false), null);
        Judgment b1 = Judgment.ofOrders("p1", "y", new Judgment.Order(Verdicts.all(Verdict.A), null, false), null);
        Judgment b2 = Judgment.failed("p2", "y", "down");
        Agreement pooled = Diagnostics.agreement(List.of(a1, a2), List.of(b2, b1), null);
        assertEquals(4, pooled.n());
        assertEquals(4, pooled.missing());
        assertEquals(1.0, pooled.observed());
        Agreement one = Diagnostics.agreement(List.of(a1, a2), List.of(b1), Dimension.ACCURACY);
        assertEquals(1, one.n());
    }
}
