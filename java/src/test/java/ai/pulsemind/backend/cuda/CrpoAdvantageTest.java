package ai.pulsemind.backend.cuda;

import ai.pulsemind.backend.Backend;
import ai.pulsemind.backend.Backend.AdvantageScaling;
import ai.pulsemind.backend.cpu.ReferenceBackend;
import ai.pulsemind.tensor.DType;
import ai.pulsemind.tensor.Shape;
import ai.pulsemind.tensor.Tensor;
import org.junit.jupiter.api.Test;

import java.util.Random;

import static ai.pulsemind.backend.Backend.Crpo.LOSS;
import static ai.pulsemind.backend.Backend.Crpo.MISSING;
import static ai.pulsemind.backend.Backend.Crpo.TIE;
import static ai.pulsemind.backend.Backend.Crpo.WIN;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The CRPO reward/advantage op on the CPU reference (what the CUDA kernel is held to by the conformance suite, OptimCases),
 * against hand-computed cases, including zero-std groups, groups of one, missing comparisons and each scaling.
 */
class CrpoAdvantageTest {
    private final Backend ref = new ReferenceBackend();

    /** Runs the op; verdicts flat in (B, G, C, D) order. Returns {rewards, advantages}. */
    private float[][] run(int b, int g, int c, int d, int[] verdicts, float[] weights, float tie, AdvantageScaling s, float eps) {
        try (Tensor v = Tensor.ofInts(verdicts, b, g, c, d); Tensor w = Tensor.of(weights, d);
             Tensor r = ref.empty(DType.F32, Shape.of(b, g)); Tensor a = ref.empty(DType.F32, Shape.of(b, g))) {
            ref.crpoAdvantage(v, w, tie, s, eps, r, a);
            return new float[][] {r.toFloatArray(), a.toFloatArray()};
        }
    }

    // g0 beats c1 on d1 only... laid out as [g][c][d]
    private static final int[] TWO_SAMPLES = {
            WIN, WIN, /* g0 vs c0 */ LOSS, WIN, /* g0 vs c1 */
            TIE, LOSS, /* g1 vs c0 */ LOSS, LOSS /* g1 vs c1 */};

    @Test
    void rewardsAndGroupAdvantagesByHand() {
        float[][] out = run(1, 2, 2, 2, TWO_SAMPLES, new float[] {0.5f, 0.5f}, 0f, AdvantageScaling.GROUP, 0f);
        // R0 = 0.5·mean(1, 0) + 0.5·mean(1, 1) = 0.75; R1 = 0 (a tie scores 0, as in the paper)
        assertArrayEquals(new float[] {0.75f, 0f}, out[0], 1e-7f);
        // mean 0.375, unbiased std = 0.375·√2: advantages ±1/√2
        assertArrayEquals(new float[] {(float) (1 / Math.sqrt(2)), (float) (-1 / Math.sqrt(2))}, out[1], 1e-6f);
    }

    @Test
    void tieScoreCounts() {
        float[][] out = run(1, 2, 2, 2, TWO_SAMPLES, new float[] {0.5f, 0.5f}, 0.5f, AdvantageScaling.NONE, 1e-4f);
        // g1: d0 = mean(0.5, 0) = 0.25 → R1 = 0.125; NONE: advantages are the centred rewards
        assertArrayEquals(new float[] {0.75f, 0.125f}, out[0], 1e-7f);
        assertArrayEquals(new float[] {0.3125f, -0.3125f}, out[1], 1e-7f);
    }

    @Test
    void zeroStdGroupsGiveZeroAdvantageNotNaN() {
        int[] v = new int[3 * 2 * 4]; // G = 3 samples, C = 2, D = 4, all winning
        java.util.Arrays.fill(v, WIN);
        float[][] out = run(1, 3, 2, 4, v, new float[] {0.25f, 0.25f, 0.25f, 0.25f}, 0f, AdvantageScaling.GROUP, 1e-4f);
        assertArrayEquals(new float[] {1f, 1f, 1f}, out[0]);
        assertArrayEquals(new float[] {0f, 0f, 0f}, out[1]);
        float[][] single = run(2, 1, 1, 1, new int[] {WIN, LOSS}, new float[] {1f}, 0f, AdvantageScaling.GROUP, 1e-4f);
        assertArrayEquals(new float[] {1f, 0f}, single[0]);
        assertArrayEquals(new float[] {0f, 0f}, single[1], "a group of one has no signal");
    }

    @Test
    void missingComparisonsAreLeftOutOfTheMean() {
        // one sample, C = 2, D = 2: d0 has one valid win; d1 has no comparison at all → tie score 0.5
        int[] v = {MISSING, MISSING, WIN, MISSING};
        float[][] out = run(1, 1, 2, 2, v, new float[] {1f, 1f}, 0.5f, AdvantageScaling.NONE, 0f);
        assertArrayEquals(new float[] {1.5f}, out[0]);
    }

    @Test
    void batchScalingUsesTheStdOfAllRewards() {
        // group 0: R = [1, 0]; group 1: R = [0.5, 0.5] (C = 2, D = 1, weight 1)
        int[] v = {WIN, WIN, LOSS, LOSS, WIN, LOSS, LOSS, WIN};
        float[][] out = run(2, 2, 2, 1, v, new float[] {1f}, 0f, AdvantageScaling.BATCH, 0f);
        assertArrayEquals(new float[] {1f, 0f, 0.5f, 0.5f}, out[0]);
        double std = Math.sqrt((0.25 + 0.25) / 3); // rewards' mean 0.5, unbiased over 4
        assertArrayEquals(new float[] {(float) (0.5 / std), (float) (-0.5 / std), 0f, 0f}, out[1], 1e-6f);
    }

    @Test
    void matchesThePaperRewardWithUniformWeights() {
        // R_g = 1/(C·D) Σ_c Σ_d [win]: ties and losses score 0
        Random rnd = new Random(3);
        int b = 3, g = 4, c = 5, d = 4;
        int[] v = new int[b * g * c * d];
        for (int i = 0; i < v.length; i++) v[i] = rnd.nextInt(3); // LOSS, TIE, WIN
        float[][] out = run(b, g, c, d, v, new float[] {0.25f, 0.25f, 0.25f, 0.25f}, 0f, AdvantageScaling.GROUP, 1e-4f);
        for (int s = 0; s < b * g; s++) {
            int wins = 0;
            for (int k = 0; k < c * d; k++) wins += v[s * c * d + k] == WIN ? 1 : 0;
            assertEquals(wins / (double) (c * d), out[0][s], 1e-6, "sample " + s);
        }
        for (int p = 0; p < b; p++) {
            double sum = 0;
            for (int j = 0; j < g; j++) sum += out[1][p * g + j];
            assertEquals(0, sum, 1e-5, "advantages are centred within group " + p);
        }
    }

    @Test
    void rejectsUnknownVerdictsAndBadShapes() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> run(1, 1, 1, 1, new int[] {7}, new float[] {1f}, 0f, AdvantageScaling.GROUP, 0f));
        assertTrue(e.getMessage().contains("verdict 7 at flat index 0"), e.getMessage());
        try (Tensor v = Tensor.ofInts(new int[4], 1, 2, 1, 2); Tensor w = Tensor.of(new float[] {1f}, 1);
             Tensor r = ref.empty(DType.F32, Shape.of(1, 2)); Tensor a = ref.empty(DType.F32, Shape.of(1, 2))) {
            IllegalArgumentException s = assertThrows(IllegalArgumentException.class,
                    () -> ref.crpoAdvantage(v, w, 0f, AdvantageScaling.GROUP, 1e-4f, r, a));
            assertTrue(s.getMessage().contains("weights has shape [1], expected [2]"), s.getMessage());
        }
    }
}
