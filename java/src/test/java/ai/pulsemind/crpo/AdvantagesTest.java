package ai.pulsemind.crpo;

import ai.pulsemind.crpo.Advantages.Scaling;
import ai.pulsemind.crpo.Advantages.ZeroSpread;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Group-normalised advantages against hand-computed values, zero-spread handling and failed rewards. */
class AdvantagesTest {
    private static final double EPS = 1e-4;

    @Test
    void groupScalingDividesEachGroupByItsOwnUnbiasedStd() {
        // group 0: {1, 0, 0.5}: mean 0.5, std 0.5; group 1: {0.25, 0.75, 0.5}: mean 0.5, std 0.25
        double[] r = {1, 0, 0.5, 0.25, 0.75, 0.5};
        Advantages.Result a = Advantages.compute(r, 3, Scaling.GROUP, ZeroSpread.KEEP, EPS);
        assertArrayEquals(new double[] {0.5 / 0.5001, -0.5 / 0.5001, 0, -0.25 / 0.2501, 0.25 / 0.2501, 0}, a.advantages(), 1e-12);
        assertArrayEquals(new double[] {0.5, 0.25}, a.groupStd(), 1e-12);
        assertEquals(0, a.zeroSpread());
    }

    @Test
    void batchScalingCentresOnTheGroupAndDividesByTheBatchStd() {
        double[] r = {1, 0, 0.25, 0.75};
        // batch: mean 0.5, deviations .5 -.5 -.25 .25, var = (0.25+0.25+0.0625+0.0625)/3
        double std = Math.sqrt(0.625 / 3);
        Advantages.Result a = Advantages.compute(r, 2, Scaling.BATCH, ZeroSpread.KEEP, EPS);
        assertArrayEquals(new double[] {0.5 / (std + EPS), -0.5 / (std + EPS), -0.25 / (std + EPS), 0.25 / (std + EPS)}, a.advantages(), 1e-12);
        Advantages.Result n = Advantages.compute(r, 2, Scaling.NONE, ZeroSpread.KEEP, EPS);
        assertArrayEquals(new double[] {0.5, -0.5, -0.25, 0.25}, n.advantages(), 1e-12);
    }

    @Test
    void zeroSpreadGroupsAreCountedAndKeptWithZeroOrDropped() {
        Advantages.Result kept = Advantages.compute(new double[] {0.1 + 0.2, 0.3, 0.3, 0.3, 1, 0, 0.5, 0.5}, 4, Scaling.GROUP, ZeroSpread.KEEP, EPS);
        // 0.1 + 0.2 != 0.3 in doubles: a spread of one ulp is not "equal", so that group is not flat
        assertEquals(0, kept.zeroSpread());
        Advantages.Result k = Advantages.compute(new double[] {0.3, 0.3, 0.3, 0.3, 1, 0, 0.5, 0.5}, 4, Scaling.GROUP, ZeroSpread.KEEP, EPS);
        assertEquals(1, k.zeroSpread());
        assertEquals(0.5, k.fracZeroSpread());
        for (int j = 0; j < 4; j++) {
            assertEquals(0.0, k.advantages()[j]);
            assertTrue(k.keep()[j]);
        }
        Advantages.Result d = Advantages.compute(new double[] {0.3, 0.3, 0.3, 0.3, 1, 0, 0.5, 0.5}, 4, Scaling.GROUP, ZeroSpread.DROP, EPS);
        for (int j = 0; j < 4; j++) assertFalse(d.keep()[j]);
        for (int j = 4; j < 8; j++) assertTrue(d.keep()[j]);
        assertArrayEquals(k.advantages(), d.advantages());
    }

    @Test
    void failedRewardsAreLeftOutOfTheStatisticsAndDropped() {
        double[] r = {1, Double.NaN, 0};
        Advantages.Result a = Advantages.compute(r, 3, Scaling.GROUP, ZeroSpread.KEEP, EPS);
        double std = Math.sqrt(0.5); // of {1, 0}
        assertArrayEquals(new double[] {0.5 / (std + EPS), 0, -0.5 / (std + EPS)}, a.advantages(), 1e-12);
        assertFalse(a.keep()[1]);
        Advantages.Result one = Advantages.compute(new double[] {Double.NaN, 0.7}, 2, Scaling.GROUP, ZeroSpread.KEEP, EPS);
        assertEquals(1, one.zeroSpread()); // a single valid reward has no spread
        assertEquals(0.5, Advantages.mean(new double[] {1, Double.NaN, 0}));
    }

    @Test
    void badShapesAreRejected() {
        assertThrows(IllegalArgumentException.class, () -> Advantages.compute(new double[5], 2, Scaling.GROUP, ZeroSpread.KEEP, EPS));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Scaling.parse("seq"));
        assertTrue(e.getMessage().contains("--scale"));
    }
}
