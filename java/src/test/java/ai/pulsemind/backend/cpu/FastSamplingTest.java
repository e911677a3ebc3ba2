package ai.pulsemind.backend.cpu;

import ai.pulsemind.backend.SampleRow;
import ai.pulsemind.backend.SamplingParams;
import jdk.incubator.vector.FloatVector;
import org.junit.jupiter.api.Test;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The fast CPU sampler against {@link RefSampling}: the same ids over greedy, temperature, top-k, top-p, their
 * combination and the repetition penalty, on flat rows (most of the vocabulary in play: every exp and log counts)
 * and peaked ones, at a small and at Qwen's vocabulary, for many seeds, streams and steps. Its vector log is held
 * to Math.log within 2 ulp.
 */
class FastSamplingTest {
    static final SamplingParams[] PARAMS = {SamplingParams.greedy(1f), SamplingParams.greedy(1.3f), new SamplingParams(0.7f, 40, 1f, 1.2f),
            new SamplingParams(1f, 0, 0.9f, 1f), new SamplingParams(0.8f, 50, 0.8f, 1.5f), new SamplingParams(1.2f, 0, 1f, 1f),
            new SamplingParams(1f, 1, 1f, 1f), new SamplingParams(1f, 0, 1f, 1f), new SamplingParams(0.6f, 0, 0.5f, 1f)};

    @Test
    void idsEqualTheReferencesOverParamsSeedsStreamsAndSteps() {
        Random rnd = new Random(61);
        int draws = 0, same = 0;
        try (Arena arena = Arena.ofConfined()) {
            for (int vocab : new int[] {1000, 151_936}) {
                for (double spread : new double[] {0.3, 4}) { // flat (random weights) and peaked (a trained model)
                    float[] row = new float[vocab];
                    for (int i = 0; i < vocab; i++) row[i] = (float) (rnd.nextGaussian() * spread);
                    row[3] = Float.NaN;
                    MemorySegment seg = arena.allocate(4L * vocab);
                    MemorySegment.copy(row, 0, seg, Mem.F, 0, vocab);
                    int[] prev = new int[40];
                    for (int i = 0; i < prev.length; i++) prev[i] = i % 7 == 0 ? -1 : rnd.nextInt(vocab + 5);
                    int trials = vocab > 10_000 ? 4 : 40;
                    for (SamplingParams p : PARAMS)
                        for (int t = 0; t < trials; t++) {
                            SampleRow sr = new SampleRow(p, rnd.nextLong(), rnd.nextInt(8), rnd.nextInt(1 << 20));
                            int[] pv = t % 2 == 0 ? prev : null;
                            int want = RefSampling.sampleRow(row, pv, sr), got = FastSampling.sampleRow(seg, 0, vocab, pv, sr);
                            draws++;
                            if (want == got) same++;
                            else System.out.printf("[fast sampling] V=%d spread %.1f %s: ref %d fast %d%n", vocab, spread, sr, want, got);
                        }
                }
            }
        }
        // a near-tie of Gumbel scores within the last bit of exp/log may part them: about 1e-7 per draw
        assertTrue(draws - same <= 1, (draws - same) + " of " + draws + " draws differ from the reference");
        assertTrue(draws > 500);
    }

    @Test
    void vectorLogIsWithinTwoUlpOfMathLog() {
        Random rnd = new Random(62);
        int vl = MicroKernel.VL;
        float[] x = new float[vl], y = new float[vl];
        float worst = 0;
        for (int trial = 0; trial < 20_000; trial++) {
            for (int i = 0; i < vl; i++) x[i] = trial % 3 == 0 ? (float) Math.scalb(rnd.nextFloat() + 0.5, rnd.nextInt(60) - 30)
                    : (rnd.nextInt(1 << 23) + 0.5f) * 0x1p-23f;
            FastSampling.log(FloatVector.fromArray(MicroKernel.S, x, 0)).intoArray(y, 0);
            for (int i = 0; i < vl; i++) {
                float want = (float) Math.log(x[i]);
                float ulps = Math.abs(y[i] - want) / Math.ulp(want);
                worst = Math.max(worst, ulps);
                assertTrue(ulps <= 2, "log(" + x[i] + ") = " + y[i] + ", Math.log " + want);
            }
        }
        assertEquals(0, worst, 2);
    }
}
