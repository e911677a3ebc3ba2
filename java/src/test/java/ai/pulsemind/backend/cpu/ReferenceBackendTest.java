package ai.pulsemind.backend.cpu;

import ai.pulsemind.backend.AdamWParams;
import ai.pulsemind.backend.AttentionSpec;
import ai.pulsemind.backend.PatchSpec;
import ai.pulsemind.backend.RopeSpec;
import ai.pulsemind.tensor.DType;
import ai.pulsemind.tensor.Shape;
import ai.pulsemind.tensor.Tensor;
import ai.pulsemind.testing.Rand;
import org.junit.jupiter.api.Test;

import static ai.pulsemind.testing.Close.assertClose;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The reference backend's forwards against values computed independently here (closed forms, hand-worked
 * numbers, dense formulas written another way). Backwards are covered by the finite-difference checks.
 */
class ReferenceBackendTest {
    private final ReferenceBackend be = new ReferenceBackend();
    private final Rand rnd = new Rand(3);

    private Tensor f32(int... dims) { return be.empty(DType.F32, Shape.of(dims)); }

    @Test
    void matmulHandWorkedWithTransposesAndBeta() {
        Tensor a = Tensor.of(new float[] {1, 2, 3, 4, 5, 6}, 2, 3), b = Tensor.of(new float[] {7, 8, 9, 10, 11, 12}, 3, 2);
        Tensor c = f32(2, 2);
        be.matmul(a, false, b, false, c, 1f, 0f);
        assertArrayEquals(new float[] {58, 64, 139, 154}, c.toFloatArray());
        Tensor at = Tensor.of(new float[] {1, 4, 2, 5, 3, 6}, 3, 2), bt = Tensor.of(new float[] {7, 9, 11, 8, 10, 12}, 2, 3);
        be.matmul(at, true, bt, true, c, 2f, 1f); // c = 2·A·B + c
        assertArrayEquals(new float[] {174, 192, 417, 462}, c.toFloatArray());
    }

    @Test
    void betaZeroIgnoresNaNInOutput() {
        Tensor a = rnd.uniform(1, 2, 2), c = f32(2, 2);
        be.fill(c, Float.NaN);
        be.matmul(a, false, a, false, c, 1f, 0f);
        for (float v : c.toFloatArray()) assertTrue(Float.isFinite(v));
    }

    @Test
    void activationsMatchKnownValues() {
        assertEquals(0.5204998778130465, ScalarMath.erf(0.5), 1e-15);
        assertEquals(-0.9999779095030014, ScalarMath.erf(-3.0), 1e-15);
        assertEquals(0.9953222650189527, ScalarMath.erf(2.0), 1e-15);
        assertEquals(0.8413447460685429, ScalarMath.gelu(1.0, false), 1e-15);
        assertEquals(0.8411919906082768, ScalarMath.gelu(1.0, true), 1e-15);
        assertEquals(0.7310585786300049, ScalarMath.silu(1.0), 1e-15);
    }

    @Test
    void rmsnormAndLayernormClosedForm() {
        Tensor x = Tensor.of(new float[] {1, 2, 3, 4}, 1, 4), w = Tensor.of(new float[] {1, 1, 2, 1}, 4);
        Tensor out = f32(1, 4), rstd = f32(1), mean = f32(1);
        be.rmsnorm(x, w, 0f, out, rstd);
        double r = 1 / Math.sqrt(7.5);
        assertClose("rmsnorm", out.toFloatArray(), new double[] {r, 2 * r, 6 * r, 4 * r}, 1e-7, 1e-6);
        be.layernorm(x, w, Tensor.of(new float[] {0, 0, 0, 1}, 4), 0f, out, mean, rstd);
        double s = 1 / Math.sqrt(1.25);
        assertClose("layernorm", out.toFloatArray(), new double[] {-1.5 * s, -0.5 * s, 2 * 0.5 * s, 1.5 * s + 1}, 1e-6, 1e-6);
        assertEquals(2.5f, mean.item());
    }

    @Test
    void softmaxIsStableForLargeLogits() {
        Tensor x = Tensor.of(new float[] {1000, 1000, -1000, 3e38f}, 2, 2), y = f32(2, 2);
        be.softmax(x, y);
        assertArrayEquals(new float[] {0.5f, 0.5f, 0f, 1f}, y.toFloatArray());
    }

    @Test
    void ropeTablesFollowTheQwenFormulas() {
        int d = 8;
        double theta = 10000;
        Tensor pos = Tensor.ofInts(new int[] {3, 5, 7, 11, 13, 17}, 3, 2); // (t, h, w) rows for 2 tokens
        Tensor cos = f32(2, 4), sin = f32(2, 4);
        be.ropeTable(RopeSpec.mrope(d, theta, new int[] {1, 2, 1}), pos, cos, sin);
        int[] axisOf = {0, 1, 1, 2};
        for (int n = 0; n < 2; n++)
            for (int j = 0; j < 4; j++) {
                double angle = pos.getFloat(axisOf[j] * 2 + n) * Math.pow(theta, -2.0 * j / d);
                assertEquals(Math.cos(angle), cos.getFloat(n * 4 + j), 2e-6);
                assertEquals(Math.sin(angle), sin.getFloat(n * 4 + j), 2e-6);
            }
        // vision: VisionRotaryEmbedding(D/2) frequencies, row positions for the first D/4 pairs, columns after
        Tensor hw = Tensor.ofInts(new int[] {2, 9}, 2, 1);
        Tensor c1 = f32(1, 4), s1 = f32(1, 4);
        be.ropeTable(RopeSpec.vision2d(d, theta), hw, c1, s1);
        double[] want = {2, 2 * Math.pow(theta, -0.5), 9, 9 * Math.pow(theta, -0.5)};
        for (int j = 0; j < 4; j++) assertEquals(Math.cos(want[j]), c1.getFloat(j), 2e-6);
    }

    @Test
    void ropeRotatesPairsAndPreservesNorm() {
        Tensor x = Tensor.of(new float[] {1, 2, 3, 4}, 1, 1, 4), cos = Tensor.of(new float[] {0, 1}, 1, 2),
                sin = Tensor.of(new float[] {1, 0}, 1, 2), out = f32(1, 1, 4);
        be.rope(x, cos, sin, out); // pair (1, 3) turns by 90°, pair (2, 4) by 0°
        assertArrayEquals(new float[] {-3, 2, 1, 4}, out.toFloatArray());
    }

    /** Dense softmax(q·kᵀ·scale)·v for one head and one segment, written directly. */
    private static double[][] dense(float[][] q, float[][] k, float[][] v, float scale, boolean causal) {
        int lq = q.length, lk = k.length, d = v[0].length;
        double[][] out = new double[lq][d];
        for (int i = 0; i < lq; i++) {
            double[] s = new double[lk];
            double mx = -1e300, z = 0;
            for (int j = 0; j < lk; j++) {
                for (int c = 0; c < q[0].length; c++) s[j] += q[i][c] * k[j][c] * scale;
                if (causal && j > i + lk - lq) s[j] = Double.NEGATIVE_INFINITY;
                mx = Math.max(mx, s[j]);
            }
            for (int j = 0; j < lk; j++) z += Math.exp(s[j] - mx);
            for (int j = 0; j < lk; j++) for (int c = 0; c < d; c++) out[i][c] += Math.exp(s[j] - mx) / z * v[j][c];
        }
        return out;
    }

    @Test
    void attentionMatchesDenseFormulaPerSegmentAndGroupedHead() {
        int hq = 4, hkv = 2, d = 3;
        AttentionSpec spec = new AttentionSpec(new int[] {0, 2, 5}, new int[] {0, 4, 7}, true, 0.7f);
        Tensor q = rnd.uniform(2, 5, hq, d), k = rnd.uniform(2, 7, hkv, d), v = rnd.uniform(2, 7, hkv, d);
        Tensor out = f32(5, hq, d), lse = f32(hq, 5);
        be.attention(q, k, v, spec, out, lse);
        for (int s = 0; s < 2; s++) {
            int q0 = spec.cuSeqlensQ()[s], lq = spec.cuSeqlensQ()[s + 1] - q0, k0 = spec.cuSeqlensK()[s], lk = spec.cuSeqlensK()[s + 1] - k0;
            for (int h = 0; h < hq; h++) {
                int kh = h / 2;
                float[][] qs = new float[lq][d], ks = new float[lk][d], vs = new float[lk][d];
                for (int i = 0; i < lq; i++) for (int c = 0; c < d; c++) qs[i][c] = q.getFloat(((q0 + i) * hq + h) * d + c);
                for (int j = 0; j < lk; j++) for (int c = 0; c < d; c++) {
                    ks[j][c] = k.getFloat(((k0 + j) * hkv + kh) * d + c);
                    vs[j][c] = v.getFloat(((k0 + j) * hkv + kh) * d + c);
                }
                double[][] want = dense(qs, ks, vs, 0.7f, true);
                for (int i = 0; i < lq; i++) for (int c = 0; c < d; c++)
                    assertEquals(want[i][c], out.getFloat(((q0 + i) * hq + h) * d + c), 1e-5, "segment " + s + " head " + h);
            }
        }
    }

    @Test
    void decodeEqualsPackedAttentionOverTheCachePrefix() {
        int b = 2, hq = 4, hkv = 2, d = 3, lmax = 6;
        int[] len = {4, 6};
        Tensor q = rnd.uniform(1, b, hq, d), kc = rnd.uniform(1, b, lmax, hkv, d), vc = rnd.uniform(1, b, lmax, hkv, d);
        Tensor out = f32(b, hq, d);
        be.attentionDecode(q, kc, vc, len, 0.6f, out);
        // the same as packed attention with one query per segment over the valid cache rows
        Tensor kp = f32(10, hkv, d), vp = f32(10, hkv, d);
        be.copy(kc.narrow(0, 0, 1).reshape(lmax, hkv, d).narrow(0, 0, 4), kp.narrow(0, 0, 4));
        be.copy(kc.narrow(0, 1, 1).reshape(lmax, hkv, d), kp.narrow(0, 4, 6));
        be.copy(vc.narrow(0, 0, 1).reshape(lmax, hkv, d).narrow(0, 0, 4), vp.narrow(0, 0, 4));
        be.copy(vc.narrow(0, 1, 1).reshape(lmax, hkv, d), vp.narrow(0, 4, 6));
        Tensor ref = f32(b, hq, d), lse = f32(hq, b);
        be.attention(q, kp, vp, new AttentionSpec(new int[] {0, 1, 2}, new int[] {0, 4, 10}, true, 0.6f), ref, lse);
        assertClose("decode", out, ref, 1e-6, 1e-6);
    }

    @Test
    void logprobMatchesMaterialisedLogSoftmax() {
        Tensor h = rnd.uniform(1, 3, 5), w = rnd.uniform(1, 7, 5), t = Tensor.ofInts(new int[] {6, 0, -1}, 3);
        Tensor logits = f32(3, 7), logp = f32(3), lse = f32(3);
        be.matmul(h, false, w, true, logits, 0.5f, 0f); // temperature 2
        be.logprob(h, w, t, 2f, logp, lse);
        for (int r = 0; r < 3; r++) {
            double mx = -1e300, z = 0;
            for (int v = 0; v < 7; v++) mx = Math.max(mx, logits.getFloat(r * 7 + v));
            for (int v = 0; v < 7; v++) z += Math.exp(logits.getFloat(r * 7 + v) - mx);
            double l = mx + Math.log(z);
            assertEquals(l, lse.getFloat(r), 1e-5);
            int target = (int) t.getLong(r);
            assertEquals(target < 0 ? 0 : logits.getFloat(r * 7 + target) - l, logp.getFloat(r), 1e-5);
        }
    }

    @Test
    void patchesFollowQwenReshapeTranspose() {
        int t = 2, ch = 3, hgt = 8, wid = 4, tp = 2, p = 2, m = 2;
        Tensor frames = rnd.uniform(1, t, ch, hgt, wid);
        PatchSpec spec = new PatchSpec(tp, p, m);
        int gt = t / tp, gh = hgt / p, gw = wid / p, cols = ch * tp * p * p;
        Tensor patches = f32(gt * gh * gw, cols);
        be.extractPatches(frames, spec, patches);
        // transformers: reshape(gt, tp, C, gh/m, m, p, gw/m, m, p).transpose(0, 3, 6, 4, 7, 2, 1, 5, 8)
        int row = 0;
        for (int a = 0; a < gt; a++) for (int bh = 0; bh < gh / m; bh++) for (int bw = 0; bw < gw / m; bw++)
            for (int mh = 0; mh < m; mh++) for (int mw = 0; mw < m; mw++, row++) {
                int col = 0;
                for (int c = 0; c < ch; c++) for (int tt = 0; tt < tp; tt++) for (int ph = 0; ph < p; ph++)
                    for (int pw = 0; pw < p; pw++, col++) {
                        int y = (bh * m + mh) * p + ph, x = (bw * m + mw) * p + pw;
                        float want = frames.getFloat((((long) (a * tp + tt) * ch + c) * hgt + y) * wid + x);
                        assertEquals(want, patches.getFloat((long) row * cols + col));
                    }
            }
        Tensor back = f32(t, ch, hgt, wid);
        be.foldPatches(patches, spec, back);
        assertArrayEquals(frames.toFloatArray(), back.toFloatArray());
    }

    @Test
    void adamwOneStepByHand() {
        Tensor p = Tensor.of(new float[] {1f}, 1), g = Tensor.of(new float[] {0.5f}, 1), m = f32(1), v = f32(1);
        be.fill(m, 0);
        be.fill(v, 0);
        be.adamw(p, g, m, v, new AdamWParams(0.1f, 0.9f, 0.999f, 1e-8f, 0.01f, 1));
        // step 1: mhat = g, vhat = g², update = lr·g/|g| = 0.1; decay 1·(1 − 0.1·0.01)
        assertEquals(0.999 - 0.1, p.item(), 1e-6);
        // the moments use the betas as the floats they are: 1 − 0.999f = 0.00099998713...
        assertEquals((1 - (double) 0.9f) * 0.5, m.item(), 1e-9);
        assertEquals((1 - (double) 0.999f) * 0.25, v.item(), 1e-12);
    }

    @Test
    void gatherScatterAndStridedCopy() {
        Tensor table = Tensor.of(new float[] {0, 1, 10, 11, 20, 21}, 3, 2), idx = Tensor.ofInts(new int[] {2, 0, 2}, 3);
        Tensor out = f32(3, 2);
        be.gatherRows(table, idx, out);
        assertArrayEquals(new float[] {20, 21, 0, 1, 20, 21}, out.toFloatArray());
        Tensor acc = be.zeros(DType.F32, Shape.of(3, 2));
        be.scatterAddRows(out, idx, acc);
        assertArrayEquals(new float[] {0, 1, 0, 0, 40, 42}, acc.toFloatArray());
        Tensor tr = f32(2, 3);
        be.copy(table.transpose(0, 1), tr);
        assertArrayEquals(new float[] {0, 10, 20, 1, 11, 21}, tr.toFloatArray());
        assertThrows(IndexOutOfBoundsException.class, () -> be.gatherRows(table, Tensor.ofInts(new int[] {3}, 1), f32(1, 2)));
    }

    @Test
    void conversionsRoundToNearestEven() {
        Tensor x = Tensor.of(new float[] {1f, 1.00390625f, 1.01171875f, -2.5f, 65504f}, 5);
        Tensor bf = be.empty(DType.BF16, x.shape()), back = f32(5), h = be.empty(DType.F16, x.shape());
        be.convert(x, bf);
        be.convert(bf, back);
        // 1 + 2^-8 is a tie between 1 and 1 + 2^-7: even mantissa wins (1); 1 + 3·2^-8 rounds up to 1 + 2^-6
        assertArrayEquals(new float[] {1f, 1f, 1.015625f, -2.5f, 65536f}, back.toFloatArray());
        be.convert(x, h);
        be.convert(h, back);
        assertEquals(65504f, back.getFloat(4));
    }

    @Test
    void errorsNameTheOpAndShapes() {
        var e = assertThrows(IllegalArgumentException.class,
                () -> be.matmul(f32(2, 3), false, f32(4, 5), false, f32(2, 5), 1, 0));
        assertTrue(e.getMessage().contains("matmul") && e.getMessage().contains("[2, 3]") && e.getMessage().contains("[4, 5]"), e.getMessage());
        var d = assertThrows(IllegalArgumentException.class, () -> be.silu(be.empty(DType.BF16, Shape.of(2)), be.empty(DType.BF16, Shape.of(2))));
        assertTrue(d.getMessage().contains("BF16"), d.getMessage());
        Tensor t = f32(2);
        t.close();
        var c = assertThrows(IllegalStateException.class, () -> be.fill(t, 1));
        assertTrue(c.getMessage().contains("after close"), c.getMessage());
    }
}
