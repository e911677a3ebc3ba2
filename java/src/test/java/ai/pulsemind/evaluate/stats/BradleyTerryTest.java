package ai.pulsemind.evaluate.stats;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.*;

class BradleyTerryTest {
    private static final Resampling R = new Resampling(300, 0.95, 9);

    /** {@code wins} outcomes WIN, {@code ties} TIE and {@code losses} LOSS of model a against baseline b, one case each. */
    private static void games(List<PairwiseOutcome> xs, String a, String b, int wins, int ties, int losses) {
        int[] n = {wins, ties, losses};
        for (Outcome o : Outcome.values())
            for (int k = 0; k < n[o.ordinal()]; k++)
                xs.add(PairwiseOutcome.of(a + "-" + b + "-" + o + k, "d", a, b, "accuracy", o));
    }

    @Test
    void twoPlayersHaveTheClosedForm() {
        List<PairwiseOutcome> xs = new ArrayList<>();
        games(xs, "A", "B", 3, 0, 1); // odds 3:1 -> 400 log10 3 = 190.85 points
        BradleyTerry.Ratings r = BradleyTerry.fit(xs, BradleyTerry.Config.anchoredAt("B"), R);
        assertEquals(1000, r.of("B").rating().estimate(), 1e-9);
        assertEquals(1000 + 400 * Math.log10(3), r.of("A").rating().estimate(), 1e-6);
        assertEquals(0.75, r.winProbability("A", "B"), 1e-9);
        assertEquals(List.of("A", "B"), r.ratings().stream().map(BradleyTerry.Rating::player).toList(), "highest first");
        assertEquals(3, r.of("A").wins());
        assertEquals(3, r.of("B").losses());
        assertEquals(BradleyTerry.TIES_AS_HALF, r.tieHandling());

        List<PairwiseOutcome> ties = new ArrayList<>();
        games(ties, "A", "B", 2, 1, 1); // A: 2 + 1/2 = 2.5 wins, B: 1.5 -> odds 5:3
        assertEquals(1000 + 400 * Math.log10(5 / 3.0),
                BradleyTerry.fit(ties, BradleyTerry.Config.anchoredAt("B"), R).of("A").rating().estimate(), 1e-6);
    }

    /**
     * Hand-worked: with strengths (4, 2, 1) the expected results of 3 A–B games are 2:1, of 3 B–C games 2:1 and of 5
     * A–C games 4:1. Data exactly equal to those expectations satisfy the likelihood equations
     * w_i = Σ_j n_ij π_i / (π_i + π_j) at (4, 2, 1) (A: 6 = 3·4/6 + 5·4/5), so the maximum is there:
     * anchored at C, A = 1000 + 400 log10 4 = 1240.82 and B = 1000 + 400 log10 2 = 1120.41. Two ties count as one
     * win, so A–B as 1 win, 2 ties, 0 losses gives the same ratings.
     */
    @Test
    void handWorkedThreePlayerExample() {
        for (boolean withTies : new boolean[] {false, true}) {
            List<PairwiseOutcome> xs = new ArrayList<>();
            if (withTies) games(xs, "A", "B", 1, 2, 0); else games(xs, "A", "B", 2, 0, 1);
            games(xs, "B", "C", 2, 0, 1);
            games(xs, "A", "C", 4, 0, 1);
            BradleyTerry.Ratings r = BradleyTerry.fit(xs, BradleyTerry.Config.anchoredAt("C"), R);
            assertEquals(1240.824, r.of("A").rating().estimate(), 1e-3, "ties " + withTies);
            assertEquals(1120.412, r.of("B").rating().estimate(), 1e-3, "ties " + withTies);
            assertEquals(1000, r.of("C").rating().estimate(), 1e-9);
            assertEquals(0, r.of("C").rating().halfWidth(), 1e-9, "the anchor is 1000 in every resample");
        }
    }

    @Test
    void mmAgreesWithANewtonReferenceOnAnUnbalancedTable() {
        // (P, P) doubled wins; uneven game counts, a missing pair (0-3), ties folded in as odd values
        long[][] half = {
                {0, 7, 12, 0},
                {5, 0, 9, 4},
                {3, 6, 0, 11},
                {0, 2, 8, 0}};
        double[] mm = BradleyTerry.strengths(half, BradleyTerry.Config.anchoredAt(null)).logStrength();
        double[] newton = newton(half);
        for (int i = 0; i < 4; i++) assertEquals(newton[i] - newton[0], mm[i] - mm[0], 1e-8, "player " + i);
    }

    /** Newton's method on the log-likelihood in θ = log π with θ_0 = 0: the plain reference. */
    private static double[] newton(long[][] half) {
        int p = half.length;
        double[] th = new double[p];
        for (int it = 0; it < 100; it++) {
            double[] g = new double[p];
            double[][] h = new double[p][p];
            for (int i = 0; i < p; i++)
                for (int j = 0; j < p; j++) {
                    if (i == j) continue;
                    double wij = half[i][j] / 2.0, n = (half[i][j] + half[j][i]) / 2.0;
                    double pij = 1 / (1 + Math.exp(th[j] - th[i]));
                    g[i] += wij - n * pij;
                    h[i][i] -= n * pij * (1 - pij);
                    h[i][j] += n * pij * (1 - pij);
                }
            // drop θ_0 (fixed) and solve the (P-1) system
            var m = new org.apache.commons.math3.linear.Array2DRowRealMatrix(p - 1, p - 1);
            var v = new org.apache.commons.math3.linear.ArrayRealVector(p - 1);
            for (int i = 1; i < p; i++) {
                v.setEntry(i - 1, -g[i]);
                for (int j = 1; j < p; j++) m.setEntry(i - 1, j - 1, h[i][j]);
            }
            var step = new org.apache.commons.math3.linear.LUDecomposition(m).getSolver().solve(v);
            for (int i = 1; i < p; i++) th[i] += step.getEntry(i - 1);
        }
        return th;
    }

    @Test
    void recoversKnownStrengthsFromSimulatedComparisons() {
        String[] names = {"m0", "m1", "m2", "m3", "m4"};
        double[] truth = {1000, 1100, 1200, 950, 1300}; // Elo scale, m0 is the anchor
        SplittableRandom rnd = new SplittableRandom(21);
        List<PairwiseOutcome> xs = new ArrayList<>();
        for (int c = 0; c < 400; c++)
            for (int i = 0; i < names.length; i++)
                for (int j = i + 1; j < names.length; j++) {
                    double p = 1 / (1 + Math.pow(10, (truth[j] - truth[i]) / 400));
                    double u = rnd.nextDouble();
                    // a tie band around the decision boundary keeps P(i ahead) = p with ties as half
                    Outcome o = u < p - 0.1 ? Outcome.WIN : u < p + 0.1 ? Outcome.TIE : Outcome.LOSS;
                    xs.add(PairwiseOutcome.of("c" + c, "d", names[i], names[j], "accuracy", o));
                }
        BradleyTerry.Ratings r = BradleyTerry.fit(xs, BradleyTerry.Config.anchoredAt("m0"), new Resampling(200, 0.95, 4));
        int covered = 0;
        for (int i = 0; i < names.length; i++) {
            Bootstrap.Interval iv = r.of(names[i]).rating();
            assertEquals(truth[i], iv.estimate(), 35, names[i] + " " + iv);
            if (iv.low() - 1e-9 <= truth[i] && truth[i] <= iv.high() + 1e-9) covered++;
        }
        assertTrue(covered >= 4, "intervals cover the truth for " + covered + " of 5");
        assertEquals(List.of("m4", "m2", "m1", "m0", "m3"), r.ratings().stream().map(BradleyTerry.Rating::player).toList());
        assertEquals(0, r.resamplesLeftOut());
        assertTrue(r.separation().fraction() > 0.6, r.separation().toString());
        assertEquals(r, BradleyTerry.fit(xs, BradleyTerry.Config.anchoredAt("m0"), new Resampling(200, 0.95, 4)), "deterministic");
    }

    @Test
    void aPlayerThatNeverLosesIsRefusedUnlessAPriorIsGiven() {
        List<PairwiseOutcome> xs = new ArrayList<>();
        games(xs, "A", "B", 5, 0, 0);
        games(xs, "B", "C", 3, 0, 2);
        var e = assertThrows(IllegalArgumentException.class, () -> BradleyTerry.fit(xs, BradleyTerry.Config.anchoredAt("C"), R));
        assertTrue(e.getMessage().contains("A") && e.getMessage().contains("prior"), e.getMessage());
        BradleyTerry.Ratings r = BradleyTerry.fit(xs, BradleyTerry.Config.anchoredAt("C").withPrior(1), R);
        assertTrue(r.of("A").rating().estimate() > r.of("B").rating().estimate());
        var anchor = assertThrows(IllegalArgumentException.class, () -> BradleyTerry.fit(xs, BradleyTerry.Config.anchoredAt("Z"), R));
        assertTrue(anchor.getMessage().contains("'Z'"), anchor.getMessage());
    }
}
