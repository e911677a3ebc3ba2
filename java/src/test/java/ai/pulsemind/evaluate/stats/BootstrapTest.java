package ai.pulsemind.evaluate.stats;

import org.junit.jupiter.api.Test;

import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.*;

class BootstrapTest {
    @Test
    void meanIntervalCoversTheTruthAtAboutTheNominalRate() {
        // 200 experiments of 100 Bernoulli(0.3) cases: a 95% interval should cover 0.3 in roughly 95% of them
        SplittableRandom rnd = new SplittableRandom(7);
        int covered = 0, experiments = 200;
        for (int e = 0; e < experiments; e++) {
            double[] x = new double[100];
            for (int i = 0; i < x.length; i++) x[i] = rnd.nextDouble() < 0.3 ? 1 : 0;
            Bootstrap.Interval iv = Bootstrap.mean(x, 500, 0.95, e);
            assertTrue(iv.low() <= iv.estimate() && iv.estimate() <= iv.high(), iv.toString());
            if (iv.low() <= 0.3 && 0.3 <= iv.high()) covered++;
        }
        double rate = covered / (double) experiments;
        assertTrue(rate > 0.88 && rate < 0.99, "coverage " + rate);
    }

    @Test
    void widthShrinksLikeOneOverRootN() {
        double[] small = new double[50], large = new double[800];
        for (int i = 0; i < small.length; i++) small[i] = i % 2;
        for (int i = 0; i < large.length; i++) large[i] = i % 2;
        double ws = Bootstrap.mean(small, 1).halfWidth(), wl = Bootstrap.mean(large, 1).halfWidth();
        // sqrt(800/50) = 4: the standard error of a proportion 0.5 is 0.0707 at n=50 and 0.0177 at n=800
        assertEquals(4, ws / wl, 0.8);
        assertEquals(1.96 * 0.0707, ws, 0.02);
    }

    @Test
    void deterministicForASeedAndRecordsIt() {
        double[] x = {1, 0, 0, 1, 1, 0.5, 0.25};
        Bootstrap.Interval a = Bootstrap.mean(x, 42), b = Bootstrap.mean(x, 42), c = Bootstrap.mean(x, 43);
        assertEquals(a, b);
        assertNotEquals(a, c, "another seed draws other resamples");
        assertEquals(42, a.seed());
        assertEquals(Bootstrap.DEFAULT_RESAMPLES, a.resamples());
    }

    @Test
    void undefinedResamplesAreLeftOutAndBadArgumentsRefused() {
        // a ratio whose denominator can be 0 in a resample
        double[] num = {1, 0, 1}, den = {1, 0, 0};
        Bootstrap.Interval iv = Bootstrap.percentile(3, idx -> {
            double n = 0, d = 0;
            for (int i : idx) { n += num[i]; d += den[i]; }
            return d == 0 ? Double.NaN : n / d;
        }, 300, 0.9, 3);
        assertFalse(Double.isNaN(iv.low()));
        assertThrows(IllegalArgumentException.class, () -> Bootstrap.mean(new double[0], 1));
        assertThrows(IllegalArgumentException.class, () -> Bootstrap.mean(num, 10, 1.0, 1));
    }

    @Test
    void separation() {
        var a = new Bootstrap.Interval(0.2, 0.1, 0.3, 0.95, 1, 0);
        var b = new Bootstrap.Interval(0.5, 0.35, 0.6, 0.95, 1, 0);
        var c = new Bootstrap.Interval(0.3, 0.25, 0.4, 0.95, 1, 0);
        assertTrue(a.separatedFrom(b));
        assertFalse(a.separatedFrom(c));
    }

    @Test
    void vectorFormDrawsTheSameResamplesAsTheScalarForm() {
        double[] x = {1, 0, 0, 1, 1, 0.5, 0.25, 0, 1, 1};
        double[] y = {3, 1, 4, 1, 5, 9, 2, 6, 5, 3};
        Bootstrap.Interval[] both = Bootstrap.percentiles(x.length, idx -> {
            double sx = 0, sy = 0;
            for (int i : idx) { sx += x[i]; sy += y[i]; }
            return new double[] {sx / idx.length, sy / idx.length};
        }, 700, 0.9, 11);
        assertEquals(Bootstrap.mean(x, 700, 0.9, 11), both[0]);
        assertEquals(Bootstrap.mean(y, 700, 0.9, 11), both[1]);
        assertThrows(IllegalArgumentException.class,
                () -> Bootstrap.percentiles(3, idx -> new double[idx[0] == idx[1] ? 1 : 2], 50, 0.9, 1),
                "a statistic whose length changes between resamples is refused");
    }
}
