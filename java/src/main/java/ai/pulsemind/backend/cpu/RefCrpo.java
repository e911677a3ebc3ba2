package ai.pulsemind.backend.cpu;

import ai.pulsemind.backend.Backend.AdvantageScaling;
import ai.pulsemind.backend.Backend.Crpo;

import java.lang.foreign.MemorySegment;

import static ai.pulsemind.backend.cpu.Mem.f;

/** Reference CRPO rewards and advantages, in double; see {@link ai.pulsemind.backend.Backend#crpoAdvantage}. */
final class RefCrpo {
    private RefCrpo() {}

    /** verdicts (B, G, C, D) I32, weights (D) → rewards, advantages (B, G). */
    static void advantage(MemorySegment verdicts, MemorySegment weights, float tie, AdvantageScaling scaling, float eps,
                          MemorySegment rewards, MemorySegment adv, int b, int g, int c, int d) {
        double[] r = new double[b * g];
        for (int bg = 0; bg < b * g; bg++) {
            for (int k = 0; k < d; k++) {
                double s = 0;
                int valid = 0;
                for (int j = 0; j < c; j++) {
                    long at = ((long) bg * c + j) * d + k;
                    int v = Mem.i(verdicts, at);
                    switch (v) {
                        case Crpo.WIN -> s += 1;
                        case Crpo.TIE -> s += tie;
                        case Crpo.LOSS, Crpo.MISSING -> { }
                        default -> throw new IllegalArgumentException("crpoAdvantage: verdict " + v + " at flat index " + at
                                + " is not one of WIN 2, TIE 1, LOSS 0, MISSING -1");
                    }
                    if (v != Crpo.MISSING) valid++;
                }
                r[bg] += f(weights, k) * (valid > 0 ? s / valid : tie);
            }
            f(rewards, bg, (float) r[bg]);
        }
        for (int i = 0; i < b; i++) {
            double mean = 0, var = 0, lo = Double.POSITIVE_INFINITY, hi = Double.NEGATIVE_INFINITY;
            for (int j = 0; j < g; j++) {
                mean += r[i * g + j];
                lo = Math.min(lo, r[i * g + j]);
                hi = Math.max(hi, r[i * g + j]);
            }
            mean /= g;
            for (int j = 0; j < g; j++) var += (r[i * g + j] - mean) * (r[i * g + j] - mean);
            double std = g > 1 ? Math.sqrt(var / (g - 1)) : 0;
            for (int j = 0; j < g; j++) {
                // equal rewards: exactly no signal (the rounded mean could differ from them by an ulp)
                double a = lo == hi ? 0 : r[i * g + j] - mean;
                f(adv, i * g + j, (float) (scaling == AdvantageScaling.GROUP ? a / (std + eps) : a));
            }
        }
        if (scaling == AdvantageScaling.BATCH) {
            int n = b * g;
            double mean = 0, var = 0;
            for (double x : r) mean += x;
            mean /= n;
            for (double x : r) var += (x - mean) * (x - mean);
            double std = n > 1 ? Math.sqrt(var / (n - 1)) : 0;
            for (int i = 0; i < n; i++) f(adv, i, (float) (f(adv, i) / (std + eps)));
        }
    }
}
