package ai.pulsemind.evaluate.publicbench;

import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Closed questions by accuracy, open ones by recall and token F1, with hand-computed figures. */
class VqaScoringTest {
    @Test
    void closedYesNoTakesTheFirstYesOrNo() {
        VqaScoring.Scored s = VqaScoring.score("Yes, there is an aneurysm.", "yes", true);
        assertTrue(s.correct());
        assertEquals("yes_no_maybe", s.extraction().rule());
        assertFalse(VqaScoring.score("No. Yes it is unclear", "yes", true).correct());
        assertFalse(VqaScoring.score("I cannot tell", "no", true).correct());
        assertEquals("none", VqaScoring.score("", "no", true).extraction().rule());
    }

    @Test
    void chineseYesNo() {
        assertTrue(VqaScoring.score("不是，图中没有肝脏", "否", true).correct());
        assertFalse(VqaScoring.score("是的，有肝脏", "否", true).correct());
        assertTrue(VqaScoring.score("是的", "是", true).correct());
        assertTrue(VqaScoring.score("没有", "否", true).correct(), "没有 holds 有, but says no");
    }

    @Test
    void closedOtherAnswersExactOrContained() {
        assertEquals("exact", VqaScoring.score("Left.", "left", true).extraction().rule());
        assertEquals("contains", VqaScoring.score("On the left side", "left", true).extraction().rule());
        assertFalse(VqaScoring.score("leftmost", "left", true).correct(), "whole words only");
    }

    @Test
    void openRecallAndTokenF1() {
        // gold {right, lung}; reply {the, right, upper, lung} -> recall 1, precision 1/2, F1 2/3
        VqaScoring.Scored s = VqaScoring.score("The right upper lung", "right lung", false);
        assertEquals(1.0, s.recall(), 1e-12);
        assertEquals(2.0 / 3, s.f1(), 1e-12);
        assertTrue(s.correct());
        assertFalse(s.exact());
        VqaScoring.Scored half = VqaScoring.score("lung", "right lung", false);
        assertEquals(0.5, half.recall(), 1e-12);
        assertEquals(2 * 1.0 * 0.5 / 1.5, half.f1(), 1e-12);
        assertFalse(half.correct());
        assertTrue(VqaScoring.score("Right lung!", "right lung", false).exact());
        assertEquals(0.0, VqaScoring.score("", "right lung", false).recall());
    }

    @Test
    void chineseTokensAreCharacters() {
        assertEquals(List.of("脑", "部", "mri"), VqaScoring.tokens("脑部 MRI"));
        assertEquals(0.5, VqaScoring.score("脑", "脑部", false).recall(), 1e-12);
    }
}
