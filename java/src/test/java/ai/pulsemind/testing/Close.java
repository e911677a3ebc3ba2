package ai.pulsemind.testing;

import ai.pulsemind.tensor.Tensor;

import static org.junit.jupiter.api.Assertions.fail;

/**
 * Elementwise closeness, {@code |x − ref| ≤ atol + rtol·|ref|} (never relative-only). On failure the message
 * gives the count of mismatches, the maximum difference and the first mismatching indices with both values.
 */
public final class Close {
    private Close() {}

    public static void assertClose(String what, float[] got, float[] ref, double atol, double rtol) {
        if (got.length != ref.length) fail(what + ": length " + got.length + " vs reference " + ref.length);
        int bad = 0;
        double maxDiff = 0;
        StringBuilder first = new StringBuilder();
        for (int i = 0; i < got.length; i++) {
            double r = ref[i], g = got[i];
            boolean ok;
            double diff;
            if (Double.isNaN(r) || Double.isInfinite(r)) {
                ok = Double.compare(r, g) == 0;
                diff = ok ? 0 : Double.POSITIVE_INFINITY;
            } else {
                diff = Math.abs(g - r);
                ok = diff <= atol + rtol * Math.abs(r);
            }
            if (!(diff <= maxDiff)) maxDiff = Double.isNaN(diff) ? Double.POSITIVE_INFINITY : Math.max(maxDiff, diff);
            if (!ok) {
                if (bad < 5) first.append(String.format(" [%d] got %.8g ref %.8g;", i, g, r));
                bad++;
            }
        }
        if (bad > 0)
            fail(String.format("%s: %d of %d elements differ (atol %.1e, rtol %.1e), max |diff| %.3e, first:%s",
                    what, bad, got.length, atol, rtol, maxDiff, first));
    }

    public static void assertClose(String what, Tensor got, Tensor ref, double atol, double rtol) {
        if (!got.shape().equals(ref.shape())) fail(what + ": shape " + got.shape() + " vs reference " + ref.shape());
        assertClose(what, got.toFloatArray(), ref.toFloatArray(), atol, rtol);
    }

    public static void assertClose(String what, float[] got, double[] ref, double atol, double rtol) {
        float[] r = new float[ref.length];
        for (int i = 0; i < r.length; i++) r[i] = (float) ref[i];
        assertClose(what, got, r, atol, rtol);
    }
}
