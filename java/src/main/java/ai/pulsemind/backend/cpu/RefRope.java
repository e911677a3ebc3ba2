package ai.pulsemind.backend.cpu;

import ai.pulsemind.backend.RopeSpec;

import java.lang.foreign.MemorySegment;

import static ai.pulsemind.backend.cpu.Mem.f;

/** Reference rotary tables and the rotate-half rotation. */
final class RefRope {
    private RefRope() {}

    /**
     * positions (A, N) → cos, sin (N, D/2). The angle is a float product, as transformers computes it
     * ({@code inv_freq.float() @ position_ids.float()}), so large positions round the same way.
     */
    static void table(RopeSpec spec, MemorySegment pos, long n, MemorySegment cos, MemorySegment sin) {
        int half = spec.headDim() / 2;
        for (long t = 0; t < n; t++) {
            for (int j = 0; j < half; j++) {
                float p = Mem.i(pos, spec.axis()[j] * n + t);
                float angle = p * spec.invFreq()[j];
                f(cos, t * half + j, (float) Math.cos(angle));
                f(sin, t * half + j, (float) Math.sin(angle));
            }
        }
    }

    /** x (N, H, D), cos/sin (N, D/2); {@code sign} = -1 applies the inverse rotation (the backward). */
    static void rotate(MemorySegment x, MemorySegment cos, MemorySegment sin, MemorySegment out,
                       long n, int heads, int d, float sign) {
        int half = d / 2;
        for (long t = 0; t < n; t++) {
            for (int h = 0; h < heads; h++) {
                long o = (t * heads + h) * d;
                for (int j = 0; j < half; j++) {
                    float c = f(cos, t * half + j), s = sign * f(sin, t * half + j);
                    float x1 = f(x, o + j), x2 = f(x, o + j + half);
                    f(out, o + j, x1 * c - x2 * s);
                    f(out, o + j + half, x2 * c + x1 * s);
                }
            }
        }
    }
}
