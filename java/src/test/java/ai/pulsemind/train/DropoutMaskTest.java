package ai.pulsemind.train;

import ai.pulsemind.nn.Dropout;
import ai.pulsemind.tensor.Shape;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * The dropout mask, filled in parallel pieces with an integer keep test, equals element for element the definition
 * it implements: element i of site s under key k is kept when {@code u = (mix(base + i·γ) >>> 11) · 2⁻⁵³ ≥ p}, for
 * drop rates whose {@code p · 2⁵³} is and is not an integer, over sizes that end inside a piece.
 */
class DropoutMaskTest {
    static final long GOLDEN = 0x9E3779B97F4A7C15L;

    static long mix(long z) {
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }

    @Test
    void parallelMaskEqualsTheDefinition() {
        for (float p : new float[] {0f, 0.1f, 0.25f, 0.5f, 0.9f}) {
            for (int n : new int[] {1, 31, 32768, 70001}) {
                long key = 12345L + n, site = 7;
                float[] got = Dropout.mask(Shape.of(n), p, key, (int) site).toFloatArray();
                long base = mix(key ^ mix(site + GOLDEN));
                float keep = 1f / (1f - p);
                int dropped = 0;
                for (int i = 0; i < n; i++) {
                    double u = (mix(base + i * GOLDEN) >>> 11) * 0x1.0p-53;
                    float want = u >= p ? keep : 0f;
                    if (want == 0) dropped++;
                    if (got[i] != want) assertEquals(want, got[i], "p " + p + ", n " + n + ", element " + i);
                }
                if (n > 30000) assertEquals(p, dropped / (double) n, 0.01, "drop rate, p " + p);
            }
        }
    }
}
