package ai.pulsemind.backend.cpu;

import jdk.incubator.vector.FloatVector;

import java.lang.foreign.MemorySegment;

import static ai.pulsemind.backend.cpu.FastElementwise.load;
import static ai.pulsemind.backend.cpu.MicroKernel.S;
import static ai.pulsemind.backend.cpu.MicroKernel.VL;
import static ai.pulsemind.backend.cpu.MicroKernel.roundUp;

/**
 * One decoding step against KV caches: a single query per sequence, so the work is bound by reading the cache.
 * A piece is one (sequence, K/V head): it streams that head's keys once, scoring every query head of its group
 * against each key, then streams the values once, accumulating every query head's output. Softmax per query
 * head in between, over the scores held in a scratch row. Each output has one writer and a fixed order.
 */
final class FastDecode {
    private static final int SLOT_Q = 18, SLOT_S = 19, SLOT_O = 20;

    private FastDecode() {}

    /** q, out (B, Hq, D); caches (S, Lmax, Hkv, D); query b sees the first lengths[b] cached keys of slot slots[b]. */
    static void decode(CpuPool pool, MemorySegment q, MemorySegment k, MemorySegment v, int[] slots, int[] lengths, float scale,
                       MemorySegment out, int hq, int hkv, int d, int lmax) {
        int group = hq / hkv, dp = roundUp(d, VL);
        pool.run(lengths.length * hkv, (t, w) -> {
            int b = t / hkv, g = t % hkv, n = lengths[b];
            float[] qs = pool.floats(w, SLOT_Q, group * dp), sc = pool.floats(w, SLOT_S, group * n);
            float[] acc = pool.floats(w, SLOT_O, group * dp);
            java.util.Arrays.fill(qs, 0, group * dp, 0f);
            java.util.Arrays.fill(acc, 0, group * dp, 0f);
            for (int hh = 0; hh < group; hh++) {
                long qo = ((long) b * hq + g * group + hh) * d;
                for (int c = 0; c < d; c++) qs[hh * dp + c] = scale * q.getAtIndex(Mem.F, qo + c);
            }
            long kv0 = ((long) slots[b] * lmax * hkv + g) * d, stride = (long) hkv * d;
            for (int j = 0; j < n; j++) scores(k, kv0 + j * stride, qs, group, d, dp, sc, j, n);
            float[] inv = new float[group];
            for (int hh = 0; hh < group; hh++) inv[hh] = 1f / softmaxInPlace(sc, hh * n, n);
            for (int j = 0; j < n; j++) accumulate(v, kv0 + j * stride, sc, j, n, group, d, dp, acc);
            for (int hh = 0; hh < group; hh++) {
                long oo = ((long) b * hq + g * group + hh) * d;
                for (int c = 0; c < d; c++) out.setAtIndex(Mem.F, oo + c, acc[hh * dp + c] * inv[hh]);
            }
        });
    }

    /** sc[hh·n + j] = q_hh · k_j for every query head of the group (the key row read once). */
    private static void scores(MemorySegment k, long ko, float[] qs, int group, int d, int dp, float[] sc, int j, int n) {
        for (int hh = 0; hh < group; hh++) {
            FloatVector s = FloatVector.zero(S);
            int c = 0;
            for (; c + VL <= d; c += VL) s = load(k, ko + c).fma(FloatVector.fromArray(S, qs, hh * dp + c), s);
            if (c < d) s = load(k, ko + c, S.indexInRange(c, d)).fma(FloatVector.fromArray(S, qs, hh * dp + c), s);
            sc[hh * n + j] = LaneSum.of(s);
        }
    }

    /** Row [o, o+n) of sc becomes exp(s − max); returns the sum. */
    private static float softmaxInPlace(float[] sc, int o, int n) {
        float max = Float.NEGATIVE_INFINITY;
        for (int j = 0; j < n; j++) max = Math.max(max, sc[o + j]);
        FloatVector acc = FloatVector.zero(S);
        int j = 0;
        for (; j + VL <= n; j += VL) {
            FloatVector e = VecMath.exp(FloatVector.fromArray(S, sc, o + j).sub(max));
            e.intoArray(sc, o + j);
            acc = acc.add(e);
        }
        float sum = LaneSum.of(acc);
        for (; j < n; j++) sum += sc[o + j] = (float) Math.exp(sc[o + j] - max);
        return sum;
    }

    /** acc[hh] += p[hh][j] · v_j for every query head of the group (the value row read once). */
    private static void accumulate(MemorySegment v, long vo, float[] sc, int j, int n, int group, int d, int dp,
                                   float[] acc) {
        int full = d / VL * VL;
        for (int hh = 0; hh < group; hh++) {
            FloatVector p = FloatVector.broadcast(S, sc[hh * n + j]);
            int at = hh * dp;
            for (int c = 0; c < full; c += VL) load(v, vo + c).fma(p, FloatVector.fromArray(S, acc, at + c)).intoArray(acc, at + c);
            if (full < d)
                load(v, vo + full, S.indexInRange(full, d)).fma(p, FloatVector.fromArray(S, acc, at + full)).intoArray(acc, at + full);
        }
    }
}
