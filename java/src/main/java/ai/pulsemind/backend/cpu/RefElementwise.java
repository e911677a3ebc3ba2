package ai.pulsemind.backend.cpu;

import java.lang.foreign.MemorySegment;

import static ai.pulsemind.backend.cpu.Mem.f;

/** Reference elementwise ops and reductions over flat F32 segments. */
final class RefElementwise {
    private RefElementwise() {}

    /** out[i] = a[i] op b[i % nb]: b broadcasts when its shape is a suffix of a's. */
    static void add(MemorySegment a, MemorySegment b, MemorySegment out, long n, long nb) {
        for (long i = 0; i < n; i++) f(out, i, f(a, i) + f(b, i % nb));
    }

    static void mul(MemorySegment a, MemorySegment b, MemorySegment out, long n, long nb) {
        for (long i = 0; i < n; i++) f(out, i, f(a, i) * f(b, i % nb));
    }

    static void scale(MemorySegment x, float s, MemorySegment out, long n) {
        for (long i = 0; i < n; i++) f(out, i, s * f(x, i));
    }

    static void axpy(float alpha, MemorySegment x, MemorySegment y, long n) {
        for (long i = 0; i < n; i++) f(y, i, f(y, i) + alpha * f(x, i));
    }

    static void sumRows(MemorySegment x, MemorySegment out, long rows, int cols) {
        for (int c = 0; c < cols; c++) {
            double acc = 0;
            for (long r = 0; r < rows; r++) acc += f(x, r * cols + c);
            f(out, c, (float) acc);
        }
    }

    static void sum(MemorySegment x, MemorySegment out, long n) {
        double acc = 0;
        for (long i = 0; i < n; i++) acc += f(x, i);
        f(out, 0, (float) acc);
    }

    static void argmax(MemorySegment x, MemorySegment out, long rows, int cols) {
        for (long r = 0; r < rows; r++) {
            int best = 0;
            float bv = f(x, r * cols);
            for (int c = 1; c < cols; c++) {
                float v = f(x, r * cols + c);
                if (v > bv) {
                    bv = v;
                    best = c;
                }
            }
            out.setAtIndex(Mem.I, r, best);
        }
    }

    static void silu(MemorySegment x, MemorySegment out, long n) {
        for (long i = 0; i < n; i++) f(out, i, (float) ScalarMath.silu(f(x, i)));
    }

    static void siluBackward(MemorySegment x, MemorySegment dout, MemorySegment dx, long n) {
        for (long i = 0; i < n; i++) f(dx, i, (float) (f(dout, i) * ScalarMath.siluGrad(f(x, i))));
    }

    static void gelu(MemorySegment x, boolean tanh, MemorySegment out, long n) {
        for (long i = 0; i < n; i++) f(out, i, (float) ScalarMath.gelu(f(x, i), tanh));
    }

    static void geluBackward(MemorySegment x, boolean tanh, MemorySegment dout, MemorySegment dx, long n) {
        for (long i = 0; i < n; i++) f(dx, i, (float) (f(dout, i) * ScalarMath.geluGrad(f(x, i), tanh)));
    }

    static void swiglu(MemorySegment gate, MemorySegment up, MemorySegment out, long n) {
        for (long i = 0; i < n; i++) f(out, i, (float) (ScalarMath.silu(f(gate, i)) * f(up, i)));
    }

    static void swigluBackward(MemorySegment gate, MemorySegment up, MemorySegment dout,
                               MemorySegment dgate, MemorySegment dup, long n) {
        for (long i = 0; i < n; i++) {
            double g = f(gate, i), u = f(up, i), d = f(dout, i);
            f(dgate, i, (float) (d * u * ScalarMath.siluGrad(g)));
            f(dup, i, (float) (d * ScalarMath.silu(g)));
        }
    }
}
