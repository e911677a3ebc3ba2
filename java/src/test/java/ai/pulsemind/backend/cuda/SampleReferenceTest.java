package ai.pulsemind.backend.cuda;

import ai.pulsemind.backend.SampleRow;
import ai.pulsemind.backend.SamplingParams;
import ai.pulsemind.backend.cpu.RefSampling;
import ai.pulsemind.backend.cpu.ReferenceBackend;
import ai.pulsemind.tensor.DType;
import ai.pulsemind.tensor.Shape;
import ai.pulsemind.tensor.Tensor;
import org.junit.jupiter.api.Test;

import java.util.HashSet;
import java.util.Set;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The CPU twin of the device sampler ({@link RefSampling}, behind {@link ReferenceBackend#sample}): the generator
 * against published answers, the selection rules against their definitions, the draw against the softmax it
 * samples, and the purity that lets a GPU's ids be compared with it id for id (the conformance suite does, SamplingCases).
 */
class SampleReferenceTest {
    private final ReferenceBackend be = new ReferenceBackend();

    private static SamplingParams p(float t, int k, float topP, float pen) { return new SamplingParams(t, k, topP, pen); }

    private static int draw(float[] logits, SamplingParams p, long seed, long step, int row) {
        return RefSampling.sampleRow(logits, null, p, seed, step, row);
    }

    @Test
    void philoxMatchesRandom123KnownAnswers() {
        int[][][] kat = { // counter, key, output (Random123 kat_vectors, philox4x32 10 rounds)
                {{0, 0, 0, 0}, {0, 0}, {0x6627E8D5, 0xE169C58D, 0xBC57AC4C, 0x9B00DBD8}},
                {{-1, -1, -1, -1}, {-1, -1}, {0x408F276D, 0x41C83B0E, 0xA20BC7C6, 0x6D5451FD}},
                {{0x243F6A88, 0x85A308D3, 0x13198A2E, 0x03707344}, {0xA4093822, 0x299F31D0},
                        {0xD16CFE09, 0x94FDCCEB, 0x5001E420, 0x24126EA1}}};
        int[] out = new int[4];
        for (int[][] v : kat) {
            RefSampling.philox(v[0], v[1], out);
            assertArrayEquals(v[2], out);
        }
    }

    @Test
    void greedyIsTheArgmaxOfThePenalisedLogitsLowestIndexOnTies() {
        float[] x = {1f, 3f, -2f, 3f, Float.NaN, 2.9f};
        assertEquals(1, draw(x, SamplingParams.greedy(1f), 0, 0, 0));
        assertEquals(1, draw(x, p(0.7f, 1, 1f, 1f), 5, 9, 2), "top-k = 1 is greedy whatever the temperature");
        // penalty 2 on id 1 (3 -> 1.5), on 2 (-2 -> -4), repeats and out-of-range ids ignored: 3 wins
        assertEquals(3, RefSampling.sampleRow(x, new int[] {1, 1, 2, -1, 99}, SamplingParams.greedy(2f), 0, 0, 0));
        // penalising both 1 and 3 leaves 5 (2.9 > 1.5)
        assertEquals(5, RefSampling.sampleRow(x, new int[] {3, 1}, SamplingParams.greedy(2f), 0, 0, 0));
        float[] nan = {Float.NaN, Float.NaN};
        assertEquals(0, draw(nan, SamplingParams.greedy(1f), 0, 0, 0), "an all-NaN row stays in range");
        assertEquals(0, draw(nan, p(1f, 0, 0.9f, 1f), 0, 0, 0));
    }

    @Test
    void topKKeepsTheKLargestWithTiesAtTheThreshold() {
        float[] x = {5f, 4f, 4f, 4f, 1f, 0f};
        Set<Integer> seen = new HashSet<>();
        for (int step = 0; step < 2000; step++) seen.add(draw(x, p(3f, 2, 1f, 1f), 11, step, 0));
        assertEquals(Set.of(0, 1, 2, 3), seen, "k = 2 keeps 5 and every 4 tied with the 2nd largest");
        seen.clear();
        for (int step = 0; step < 2000; step++) seen.add(draw(x, p(3f, 0, 1f, 1f), 11, step, 0));
        assertEquals(Set.of(0, 1, 2, 3, 4, 5), seen, "no cut: every id is reachable at a high temperature");
    }

    @Test
    void topPKeepsTheSmallestTopSetReachingP() {
        double[] prob = {0.5, 0.3, 0.15, 0.05};
        float[] x = new float[4];
        for (int i = 0; i < 4; i++) x[i] = (float) Math.log(prob[i]);
        assertEquals(Set.of(0), reachable(x, 0.45f));
        assertEquals(Set.of(0, 1), reachable(x, 0.6f));
        assertEquals(Set.of(0, 1, 2), reachable(x, 0.9f));
        assertEquals(Set.of(0, 1, 2, 3), reachable(x, 0.97f));
        assertEquals(Set.of(0), reachable(x, 1e-6f), "a tiny p keeps the top token only");
        float[] tied = {2f, 1f, 1f, 1f, -3f}; // p reached inside the tie: the whole tie is kept
        assertEquals(Set.of(0, 1, 2, 3), reachable(tied, 0.5f));
    }

    private static Set<Integer> reachable(float[] x, float topP) {
        Set<Integer> s = new HashSet<>();
        for (int step = 0; step < 3000; step++) s.add(draw(x, p(1f, 0, topP, 1f), 3, step, 1));
        return s;
    }

    @Test
    void drawsFollowTheTemperedSoftmax() {
        float[] x = {1.0f, 0.2f, -0.5f, 2.0f, 0.0f};
        for (float t : new float[] {1f, 0.5f}) {
            int n = 40_000;
            int[] count = new int[x.length];
            for (int step = 0; step < n; step++) count[draw(x, p(t, 0, 1f, 1f), 1234, step, 7)]++;
            double z = 0;
            for (float v : x) z += Math.exp(v / t);
            for (int i = 0; i < x.length; i++) {
                double pr = Math.exp(x[i] / t) / z, sd = Math.sqrt(n * pr * (1 - pr));
                assertTrue(Math.abs(count[i] - n * pr) <= 5 * sd + 1,
                        "T=" + t + " id " + i + ": " + count[i] + " draws, expected " + n * pr + " ± " + sd);
            }
        }
    }

    @Test
    void idsArePureFunctionsOfSeedStepAndRow() {
        SplittableRandom r = new SplittableRandom(5);
        int v = 1000, b = 6;
        float[] row = new float[v];
        for (int i = 0; i < v; i++) row[i] = (float) r.nextGaussian();
        float[] all = new float[b * v];
        for (int i = 0; i < b; i++) System.arraycopy(row, 0, all, i * v, v); // every row the same logits
        SamplingParams sp = p(1f, 50, 0.95f, 1f);
        int[] once = sampleBatch(all, b, v, sp, 42, 3), again = sampleBatch(all, b, v, sp, 42, 3);
        assertArrayEquals(once, again, "same seed, step and rows: same ids");
        for (int i = 0; i < b; i++) assertEquals(draw(row, sp, 42, 3, i), once[i], "row " + i + " alone gives the batch's id");
        assertTrue(new HashSet<>(java.util.Arrays.stream(once).boxed().toList()).size() > 1, "rows draw independently");
        int[] otherStep = sampleBatch(all, b, v, sp, 42, 4), otherSeed = sampleBatch(all, b, v, sp, 43, 3);
        assertNotEquals(java.util.Arrays.toString(once), java.util.Arrays.toString(otherStep));
        assertNotEquals(java.util.Arrays.toString(once), java.util.Arrays.toString(otherSeed));
    }

    private int[] sampleBatch(float[] all, int b, int v, SamplingParams sp, long seed, long step) {
        try (Tensor logits = Tensor.of(all, b, v); Tensor out = be.empty(DType.I32, Shape.of(b))) {
            be.sample(logits, SampleRow.streams(sp, seed, step, logits.dim(0)), null, out);
            return out.toIntArray();
        }
    }

    @Test
    void negativeInfinityIsNeverDrawnAndPrevIdsPenaliseTheirRowOnly() {
        float[] x = {0f, Float.NEGATIVE_INFINITY, 0f, Float.NEGATIVE_INFINITY};
        for (int step = 0; step < 500; step++) {
            int id = draw(x, p(2f, 0, 1f, 1f), 9, step, 0);
            assertTrue(id == 0 || id == 2, "drew a -inf logit: " + id);
        }
        try (Tensor logits = Tensor.of(new float[] {1f, 1.5f, 1f, 1.5f}, 2, 2); Tensor prev = Tensor.ofInts(new int[] {1, -1, -1, -1}, 2, 2);
             Tensor out = be.empty(DType.I32, Shape.of(2))) {
            be.sample(logits, SampleRow.streams(SamplingParams.greedy(2f), 0, 0, logits.dim(0)), prev, out);
            assertArrayEquals(new int[] {0, 1}, out.toIntArray(), "row 0 penalises id 1 (1.5 -> 0.75); row 1 has no previous ids");
        }
    }

    @Test
    void badArgumentsFailWithTheOpName() {
        try (Tensor logits = Tensor.of(new float[] {1f, 2f}, 1, 2); Tensor out = be.empty(DType.I32, Shape.of(2));
             Tensor f = be.empty(DType.F32, Shape.of(1))) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> be.sample(logits, SampleRow.streams(SamplingParams.greedy(1f), 0, 0, logits.dim(0)), null, out));
            assertTrue(e.getMessage().startsWith("sample: out has shape"), e.getMessage());
            e = assertThrows(IllegalArgumentException.class, () -> be.sample(logits, SampleRow.streams(SamplingParams.greedy(1f), 0, 0, logits.dim(0)), null, f));
            assertTrue(e.getMessage().startsWith("sample: out must be I32"), e.getMessage());
        }
        assertThrows(IllegalArgumentException.class, () -> new SamplingParams(1f, -1, 1f, 1f));
        assertThrows(IllegalArgumentException.class, () -> new SamplingParams(1f, 0, 0f, 1f));
        assertThrows(IllegalArgumentException.class, () -> new SamplingParams(1f, 0, 1f, 0f));
    }
}
