package ai.pulsemind.backend;

import java.util.Arrays;

/**
 * How rotary angles are built for a head dim {@code D}: rotation pair {@code j} (of {@code D/2}, in the
 * rotate-half layout Qwen uses) turns by {@code positions[axis[j]][n] * invFreq[j]}.
 *
 * <p>One table op and one rotation op then serve the three rotaries Qwen2.5-VL uses:
 * <ul>
 *   <li>1-D text RoPE: one axis, {@code invFreq[j] = theta^(-2j/D)};</li>
 *   <li>M-RoPE: three axes (temporal, height, width), frequency {@code j} takes its axis from {@code mrope_section}
 *       (e.g. [16, 24, 24] for D = 128);</li>
 *   <li>the vision tower's 2-D rotary: two axes (row, column), the first D/4 frequencies read the row, the rest the
 *       column, {@code invFreq} over D/2 as in {@code VisionRotaryEmbedding(D/2)}.</li>
 * </ul>
 *
 * @param headDim D, even
 * @param axes    A, the number of position rows the table op reads
 * @param axis    (D/2) which position row each frequency reads
 * @param invFreq (D/2) inverse frequency per rotation pair
 */
public record RopeSpec(int headDim, int axes, int[] axis, float[] invFreq) {
    public RopeSpec {
        if (headDim <= 0 || headDim % 2 != 0) throw new IllegalArgumentException("rotary head dim must be even and > 0, got " + headDim);
        if (axis.length != headDim / 2 || invFreq.length != headDim / 2)
            throw new IllegalArgumentException("rotary tables need D/2 = " + headDim / 2 + " entries, got "
                    + axis.length + " and " + invFreq.length);
        for (int a : axis) if (a < 0 || a >= axes) throw new IllegalArgumentException("axis " + a + " not in [0, " + axes + ")");
        axis = axis.clone();
        invFreq = invFreq.clone();
    }

    /** Plain 1-D RoPE. */
    public static RopeSpec text(int headDim, double theta) {
        int h = headDim / 2;
        float[] f = new float[h];
        for (int j = 0; j < h; j++) f[j] = (float) (1.0 / Math.pow(theta, (2.0 * j) / headDim));
        return new RopeSpec(headDim, 1, new int[h], f);
    }

    /** Qwen2-VL multimodal RoPE; {@code section} sums to D/2 and assigns frequencies to (t, h, w). */
    public static RopeSpec mrope(int headDim, double theta, int[] section) {
        int h = headDim / 2;
        if (Arrays.stream(section).sum() != h)
            throw new IllegalArgumentException("mrope_section " + Arrays.toString(section) + " must sum to D/2 = " + h);
        RopeSpec base = text(headDim, theta);
        int[] axis = new int[h];
        int j = 0;
        for (int s = 0; s < section.length; s++) for (int k = 0; k < section[s]; k++) axis[j++] = s;
        return new RopeSpec(headDim, section.length, axis, base.invFreq);
    }

    /** The vision tower's 2-D rotary over (row, col) patch positions. */
    public static RopeSpec vision2d(int headDim, double theta) {
        int h = headDim / 2, q = headDim / 4;
        if (headDim % 4 != 0) throw new IllegalArgumentException("2-D rotary needs D divisible by 4, got " + headDim);
        float[] f = new float[h];
        int[] axis = new int[h];
        for (int k = 0; k < q; k++) {
            // VisionRotaryEmbedding(dim = D/2): inv_freq[k] = theta^(-2k / (D/2))
            float inv = (float) (1.0 / Math.pow(theta, (2.0 * k) / h));
            f[k] = inv;
            f[q + k] = inv;
            axis[q + k] = 1;
        }
        return new RopeSpec(headDim, 2, axis, f);
    }

    @Override public boolean equals(Object o) {
        return o instanceof RopeSpec r && r.headDim == headDim && r.axes == axes && Arrays.equals(r.axis, axis)
                && Arrays.equals(r.invFreq, invFreq);
    }

    @Override public int hashCode() { return 31 * Arrays.hashCode(axis) + Arrays.hashCode(invFreq); }

    @Override public String toString() { return "RopeSpec[D=" + headDim + ", axes=" + axes + "]"; }
}
