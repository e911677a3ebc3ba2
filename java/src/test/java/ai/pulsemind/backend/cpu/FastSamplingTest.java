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

    /**
     * Rows at the edges of the fast paths: banned ids (−∞) inside a flat row, so the whole-row Gumbel draw must
     * skip them; a +∞ logit; an all −∞ row; a single finite id; ties at the maximum; lengths around the vector
     * width. Every one must give the reference's id.
     */
    @Test
    void edgeRowsGiveTheReferencesIds() {
        Random rnd = new Random(63);
        int vl = MicroKernel.VL;
        try (Arena arena = Arena.ofConfined()) {
            for (int vocab : new int[] {1, vl - 1, vl, vl + 3, 4 * vl + 1, 5000}) {
                for (int kind = 0; kind < 5; kind++) {
                    float[] row = new float[vocab];
                    for (int i = 0; i < vocab; i++) row[i] = (float) (rnd.nextGaussian() * 0.3);
                    switch (kind) {
                        case 0 -> { for (int i = 0; i < vocab; i += 3) row[i] = Float.NEGATIVE_INFINITY; }
                        case 1 -> row[vocab / 2] = Float.POSITIVE_INFINITY;
                        case 2 -> java.util.Arrays.fill(row, Float.NEGATIVE_INFINITY);
                        case 3 -> { java.util.Arrays.fill(row, Float.NEGATIVE_INFINITY); row[vocab - 1] = 2f; }
                        default -> { row[vocab - 1] = 5f; row[vocab / 3] = 5f; }
                    }
                    MemorySegment seg = arena.allocate(4L * vocab);
                    MemorySegment.copy(row, 0, seg, Mem.F, 0, vocab);
                    for (SamplingParams p : PARAMS)
                        for (int t = 0; t < 3; t++) {
                            SampleRow sr = new SampleRow(p, rnd.nextLong(), rnd.nextInt(8), rnd.nextInt(1 << 20));
                            assertEquals(RefSampling.sampleRow(row, null, sr), FastSampling.sampleRow(seg, 0, vocab, null, sr),
                                    "V=" + vocab + " row kind " + kind + " " + sr);
                        }
                }
            }
        }
    }

    /** The vector Philox (one block per long lane) gives the scalar reference's words for every block. */
    @Test
    void philoxRowEqualsTheScalarPhilox() {
        Random rnd = new Random(64);
        for (int trial = 0; trial < 20; trial++) {
            long seed = rnd.nextLong(), step = trial == 0 ? (1L << 40) + 7 : rnd.nextInt(1 << 20);
            int stream = trial == 1 ? Integer.MAX_VALUE : rnd.nextInt(16), blocks = 37 + rnd.nextInt(200);
            int[] bits = new int[4 * blocks], word = new int[4];
            int done = FastSampling.philoxRow(bits, blocks, seed, stream, step);
            assertTrue(done > blocks - MicroKernel.VL && done <= blocks, done + " of " + blocks + " blocks");
            for (int b = 0; b < done; b++) {
                RefSampling.philox(new int[] {b, stream, (int) step, (int) (step >>> 32)}, new int[] {(int) seed, (int) (seed >>> 32)}, word);
                for (int w = 0; w < 4; w++) assertEquals(word[w], bits[4 * b + w], "block " + b + " word " + w);
            }
        }
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
