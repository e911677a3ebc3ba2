package ai.pulsemind.backend.cpu;

import ai.pulsemind.backend.AttentionSpec;

import java.lang.foreign.MemorySegment;

import static ai.pulsemind.backend.cpu.Mem.f;

/**
 * Reference packed attention, one query at a time with the full score row in double. See
 * {@link ai.pulsemind.backend.Backend#attention} for layouts.
 */
final class RefAttention {
    private RefAttention() {}

    /** Number of keys query {@code i} (0-based in its segment) may see: causal is aligned bottom-right. */
    static int visible(boolean causal, int i, int lq, int lk) { return causal ? Math.min(lk, i + lk - lq + 1) : lk; }

    static void forward(MemorySegment q, MemorySegment k, MemorySegment v, AttentionSpec spec,
                        MemorySegment out, MemorySegment lse, int hq, int hkv, int d) {
        int group = hq / hkv, nq = spec.totalQ();
        for (int s = 0; s < spec.segments(); s++) {
            int q0 = spec.cuSeqlensQ()[s], lq = spec.cuSeqlensQ()[s + 1] - q0;
            int k0 = spec.cuSeqlensK()[s], lk = spec.cuSeqlensK()[s + 1] - k0;
            for (int h = 0; h < hq; h++) {
                int kh = h / group;
                for (int i = 0; i < lq; i++) {
                    int nvis = visible(spec.causal(), i, lq, lk);
                    long qo = ((long) (q0 + i) * hq + h) * d;
                    double[] p = scores(q, qo, k, k0, kh, hkv, d, nvis, spec.scale());
                    double mx = Double.NEGATIVE_INFINITY;
                    for (double x : p) mx = Math.max(mx, x);
                    double sum = 0;
                    for (int j = 0; j < nvis; j++) sum += p[j] = Math.exp(p[j] - mx);
                    for (int c = 0; c < d; c++) {
                        double acc = 0;
                        for (int j = 0; j < nvis; j++) acc += p[j] * f(v, ((long) (k0 + j) * hkv + kh) * d + c);
                        f(out, qo + c, nvis == 0 ? 0f : (float) (acc / sum));
                    }
                    f(lse, (long) h * nq + q0 + i, nvis == 0 ? Float.NEGATIVE_INFINITY : (float) (mx + Math.log(sum)));
                }
            }
        }
    }

    private static double[] scores(MemorySegment q, long qo, MemorySegment k, int k0, int kh, int hkv, int d,
                                   int nvis, float scale) {
        double[] sc = new double[nvis];
        for (int j = 0; j < nvis; j++) {
            long ko = ((long) (k0 + j) * hkv + kh) * d;
            double dot = 0;
            for (int c = 0; c < d; c++) dot += (double) f(q, qo + c) * f(k, ko + c);
            sc[j] = dot * scale;
        }
        return sc;
    }

    /**
     * With P = softmax(S) recomputed from lse: dV += Pᵀ dO, dP = dO Vᵀ, dS = P ∘ (dP − rowsum(dO ∘ O)),
     * dQ = scale · dS K, dK += scale · dSᵀ Q. K/V gradients sum over the query heads that share them.
     */
    static void backward(MemorySegment q, MemorySegment k, MemorySegment v, MemorySegment out, MemorySegment lse,
                         MemorySegment dout, AttentionSpec spec, MemorySegment dq, MemorySegment dk, MemorySegment dv,
                         int hq, int hkv, int d) {
        int group = hq / hkv, nq = spec.totalQ(), nk = spec.totalK();
        double[] dkAcc = new double[nk * hkv * d], dvAcc = new double[nk * hkv * d];
        for (int s = 0; s < spec.segments(); s++) {
            int q0 = spec.cuSeqlensQ()[s], lq = spec.cuSeqlensQ()[s + 1] - q0;
            int k0 = spec.cuSeqlensK()[s], lk = spec.cuSeqlensK()[s + 1] - k0;
            for (int h = 0; h < hq; h++) {
                int kh = h / group;
                for (int i = 0; i < lq; i++) {
                    int nvis = visible(spec.causal(), i, lq, lk);
                    long qo = ((long) (q0 + i) * hq + h) * d;
                    double l = f(lse, (long) h * nq + q0 + i);
                    double[] p = scores(q, qo, k, k0, kh, hkv, d, nvis, spec.scale());
                    for (int j = 0; j < nvis; j++) p[j] = Math.exp(p[j] - l);
                    double di = 0; // rowsum(dO ∘ O)
                    for (int c = 0; c < d; c++) di += (double) f(dout, qo + c) * f(out, qo + c);
                    double[] dqRow = new double[d];
                    for (int j = 0; j < nvis; j++) {
                        long ko = ((long) (k0 + j) * hkv + kh) * d;
                        double dp = 0;
                        for (int c = 0; c < d; c++) {
                            dp += (double) f(dout, qo + c) * f(v, ko + c);
                            dvAcc[(int) ko + c] += p[j] * f(dout, qo + c);
                        }
                        double ds = p[j] * (dp - di) * spec.scale();
                        for (int c = 0; c < d; c++) {
                            dqRow[c] += ds * f(k, ko + c);
                            dkAcc[(int) ko + c] += ds * f(q, qo + c);
                        }
                    }
                    for (int c = 0; c < d; c++) f(dq, qo + c, (float) dqRow[c]);
                }
            }
        }
        for (int i = 0; i < dkAcc.length; i++) {
            f(dk, i, (float) dkAcc[i]);
            f(dv, i, (float) dvAcc[i]);
        }
    }

    /** Decode: query b over cache row b's first lengths[b] keys; caches (B, Lmax, Hkv, D). */
    static void decode(MemorySegment q, MemorySegment k, MemorySegment v, int[] slots, int[] lengths, float scale,
                       MemorySegment out, int hq, int hkv, int d, int lmax) {
        int group = hq / hkv;
        for (int b = 0; b < lengths.length; b++) {
            for (int h = 0; h < hq; h++) {
                long qo = ((long) b * hq + h) * d;
                int kh = h / group, n = lengths[b];
                long slot = slots[b];
                double[] s = new double[n];
                double mx = Double.NEGATIVE_INFINITY;
                for (int j = 0; j < n; j++) {
                    long ko = ((slot * lmax + j) * hkv + kh) * d;
                    double dot = 0;
                    for (int c = 0; c < d; c++) dot += (double) f(q, qo + c) * f(k, ko + c);
                    s[j] = dot * scale;
                    mx = Math.max(mx, s[j]);
                }
                double z = 0;
                for (int j = 0; j < n; j++) z += s[j] = Math.exp(s[j] - mx);
                for (int c = 0; c < d; c++) {
                    double acc = 0;
                    for (int j = 0; j < n; j++) acc += s[j] * f(v, ((slot * lmax + j) * hkv + kh) * d + c);
                    f(out, qo + c, (float) (acc / z));
                }
            }
        }
    }
}
