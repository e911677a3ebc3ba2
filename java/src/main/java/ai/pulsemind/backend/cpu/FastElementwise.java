package ai.pulsemind.backend.cpu;

import ai.pulsemind.backend.AdamWParams;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorMask;

import java.lang.foreign.MemorySegment;
import java.nio.ByteOrder;

import static ai.pulsemind.backend.cpu.MicroKernel.S;
import static ai.pulsemind.backend.cpu.MicroKernel.VL;

/**
 * Vectorised elementwise ops over flat F32 segments, split into fixed chunks of {@link #CHUNK} elements run in
 * parallel (no element depends on another, so the result is independent of the split).
 *
 * <p>Each loop is written out rather than shared through a lambda: a shared loop sees many lambdas, its call
 * becomes megamorphic, and the JIT then boxes every vector it passes.
 */
final class FastElementwise {
    /** Elements per parallel piece (128 KB of f32): below this an op runs inline. */
    static final int CHUNK = 1 << 15;
    static final ByteOrder NATIVE = ByteOrder.nativeOrder();

    private FastElementwise() {}

    /** A contiguous range of elements [from, to). */
    @FunctionalInterface
    interface Range {
        void run(long from, long to);
    }

    static void parallel(CpuPool pool, long n, Range body) {
        long pieces = (n + CHUNK - 1) / CHUNK;
        if (pieces <= 1) {
            body.run(0, n);
            return;
        }
        pool.run(Math.toIntExact(pieces), (t, w) -> body.run((long) t * CHUNK, Math.min(n, (long) (t + 1) * CHUNK)));
    }

    static FloatVector load(MemorySegment s, long i) { return FloatVector.fromMemorySegment(S, s, i * 4, NATIVE); }

    static FloatVector load(MemorySegment s, long i, VectorMask<Float> m) {
        return FloatVector.fromMemorySegment(S, s, i * 4, NATIVE, m);
    }

    static void store(FloatVector v, MemorySegment s, long i) { v.intoMemorySegment(s, i * 4, NATIVE); }

    static void store(FloatVector v, MemorySegment s, long i, VectorMask<Float> m) { v.intoMemorySegment(s, i * 4, NATIVE, m); }

    /** The mask of the last, partial vector of [i, to). */
    static VectorMask<Float> tail(long i, long to) { return S.indexInRange(0, (int) (to - i)); }

    // ------------------------------------------------------------------ arithmetic

    /** out = a + b[i % nb] (nb == n, or b broadcast along rows of nb). */
    static void add(CpuPool pool, MemorySegment a, MemorySegment b, MemorySegment out, long n, long nb) {
        if (nb == n) {
            parallel(pool, n, (from, to) -> {
                long i = from;
                for (; i + VL <= to; i += VL) store(load(a, i).add(load(b, i)), out, i);
                if (i < to) { VectorMask<Float> m = tail(i, to); store(load(a, i, m).add(load(b, i, m)), out, i, m); }
            });
            return;
        }
        rows(pool, n, nb, (r0, r1) -> {
            for (long r = r0; r < r1; r++) {
                long o = r * nb, j = 0;
                for (; j + VL <= nb; j += VL) store(load(a, o + j).add(load(b, j)), out, o + j);
                if (j < nb) { VectorMask<Float> m = tail(j, nb); store(load(a, o + j, m).add(load(b, j, m)), out, o + j, m); }
            }
        });
    }

    static void mul(CpuPool pool, MemorySegment a, MemorySegment b, MemorySegment out, long n, long nb) {
        if (nb == n) {
            parallel(pool, n, (from, to) -> {
                long i = from;
                for (; i + VL <= to; i += VL) store(load(a, i).mul(load(b, i)), out, i);
                if (i < to) { VectorMask<Float> m = tail(i, to); store(load(a, i, m).mul(load(b, i, m)), out, i, m); }
            });
            return;
        }
        rows(pool, n, nb, (r0, r1) -> {
            for (long r = r0; r < r1; r++) {
                long o = r * nb, j = 0;
                for (; j + VL <= nb; j += VL) store(load(a, o + j).mul(load(b, j)), out, o + j);
                if (j < nb) { VectorMask<Float> m = tail(j, nb); store(load(a, o + j, m).mul(load(b, j, m)), out, o + j, m); }
            }
        });
    }

    /** Runs {@code body} over rows of {@code width} elements, about {@link #CHUNK} elements per piece. */
    private static void rows(CpuPool pool, long n, long width, Range body) {
        long rows = n / width, per = Math.max(1, CHUNK / width), pieces = (rows + per - 1) / per;
        if (pieces <= 1) body.run(0, rows);
        else pool.run(Math.toIntExact(pieces), (t, w) -> body.run(t * per, Math.min(rows, (t + 1) * per)));
    }

    static void scale(CpuPool pool, MemorySegment x, float s, MemorySegment out, long n) {
        parallel(pool, n, (from, to) -> {
            long i = from;
            for (; i + VL <= to; i += VL) store(load(x, i).mul(s), out, i);
            if (i < to) { VectorMask<Float> m = tail(i, to); store(load(x, i, m).mul(s), out, i, m); }
        });
    }

    /** y += alpha·x, as one rounding of the product and one of the sum (the reference's order). */
    static void axpy(CpuPool pool, float alpha, MemorySegment x, MemorySegment y, long n) {
        parallel(pool, n, (from, to) -> {
            long i = from;
            for (; i + VL <= to; i += VL) store(load(x, i).mul(alpha).add(load(y, i)), y, i);
            if (i < to) { VectorMask<Float> m = tail(i, to); store(load(x, i, m).mul(alpha).add(load(y, i, m)), y, i, m); }
        });
    }

    // ------------------------------------------------------------------ activations

    static void silu(CpuPool pool, MemorySegment x, MemorySegment out, long n) {
        parallel(pool, n, (from, to) -> {
            long i = from;
            for (; i + VL <= to; i += VL) store(VecMath.silu(load(x, i)), out, i);
            if (i < to) { VectorMask<Float> m = tail(i, to); store(VecMath.silu(load(x, i, m)), out, i, m); }
        });
    }

    static void siluBackward(CpuPool pool, MemorySegment x, MemorySegment dout, MemorySegment dx, long n) {
        parallel(pool, n, (from, to) -> {
            long i = from;
            for (; i + VL <= to; i += VL) store(VecMath.siluGrad(load(x, i)).mul(load(dout, i)), dx, i);
            if (i < to) {
                VectorMask<Float> m = tail(i, to);
                store(VecMath.siluGrad(load(x, i, m)).mul(load(dout, i, m)), dx, i, m);
            }
        });
    }

    static void gelu(CpuPool pool, MemorySegment x, boolean tanh, MemorySegment out, long n) {
        parallel(pool, n, (from, to) -> {
            long i = from;
            for (; i + VL <= to; i += VL) store(VecMath.gelu(load(x, i), tanh), out, i);
            if (i < to) { VectorMask<Float> m = tail(i, to); store(VecMath.gelu(load(x, i, m), tanh), out, i, m); }
        });
    }

    static void geluBackward(CpuPool pool, MemorySegment x, boolean tanh, MemorySegment dout, MemorySegment dx, long n) {
        parallel(pool, n, (from, to) -> {
            long i = from;
            for (; i + VL <= to; i += VL) store(VecMath.geluGrad(load(x, i), tanh).mul(load(dout, i)), dx, i);
            if (i < to) {
                VectorMask<Float> m = tail(i, to);
                store(VecMath.geluGrad(load(x, i, m), tanh).mul(load(dout, i, m)), dx, i, m);
            }
        });
    }

    static void swiglu(CpuPool pool, MemorySegment gate, MemorySegment up, MemorySegment out, long n) {
        parallel(pool, n, (from, to) -> {
            long i = from;
            for (; i + VL <= to; i += VL) store(VecMath.silu(load(gate, i)).mul(load(up, i)), out, i);
            if (i < to) {
                VectorMask<Float> m = tail(i, to);
                store(VecMath.silu(load(gate, i, m)).mul(load(up, i, m)), out, i, m);
            }
        });
    }

    /** dgate = dout·up·silu'(gate), dup = dout·silu(gate). */
    static void swigluBackward(CpuPool pool, MemorySegment gate, MemorySegment up, MemorySegment dout,
                               MemorySegment dgate, MemorySegment dup, long n) {
        parallel(pool, n, (from, to) -> {
            long i = from;
            for (; i + VL <= to; i += VL) {
                FloatVector g = load(gate, i), u = load(up, i), d = load(dout, i);
                store(d.mul(u).mul(VecMath.siluGrad(g)), dgate, i);
                store(d.mul(VecMath.silu(g)), dup, i);
            }
            if (i < to) { // the same on the last, partial vector
                VectorMask<Float> m = tail(i, to);
                FloatVector g = load(gate, i, m), u = load(up, i, m), d = load(dout, i, m);
                store(d.mul(u).mul(VecMath.siluGrad(g)), dgate, i, m);
                store(d.mul(VecMath.silu(g)), dup, i, m);
            }
        });
    }

    // ------------------------------------------------------------------ rotary

    /**
     * Rotate-half rotary over x, out (N, H, D) with cos, sin (N, D/2); {@code sign} −1 for the backward.
     * out may alias x: each vector pair is loaded before it is stored.
     */
    static void rope(CpuPool pool, MemorySegment x, MemorySegment cos, MemorySegment sin, MemorySegment out,
                     long n, int heads, int d, float sign) {
        int half = d / 2;
        long per = Math.max(1, CHUNK / ((long) heads * d)), pieces = (n + per - 1) / per;
        CpuPool.Body body = (p, w) -> {
            for (long t = p * per; t < Math.min(n, (p + 1) * per); t++) {
                int j = 0;
                for (; j + VL <= half; j += VL) {
                    FloatVector c = load(cos, t * half + j), s = load(sin, t * half + j).mul(sign);
                    for (int h = 0; h < heads; h++) {
                        long o = (t * heads + h) * d + j;
                        FloatVector x1 = load(x, o), x2 = load(x, o + half);
                        store(x1.mul(c).sub(x2.mul(s)), out, o);
                        store(x2.mul(c).add(x1.mul(s)), out, o + half);
                    }
                }
                if (j < half) { // the same on the last, partial vector of each half
                    VectorMask<Float> m = S.indexInRange(j, half);
                    FloatVector c = load(cos, t * half + j, m), s = load(sin, t * half + j, m).mul(sign);
                    for (int h = 0; h < heads; h++) {
                        long o = (t * heads + h) * d + j;
                        FloatVector x1 = load(x, o, m), x2 = load(x, o + half, m);
                        store(x1.mul(c).sub(x2.mul(s)), out, o, m);
                        store(x2.mul(c).add(x1.mul(s)), out, o + half, m);
                    }
                }
            }
        };
        if (pieces <= 1) body.run(0, 0);
        else pool.run(Math.toIntExact(pieces), body);
    }

    // ------------------------------------------------------------------ optimiser

    /** AdamW in f32 with the bias corrections folded into two scalars computed in double; the gradient scaled first. */
    static void adamw(CpuPool pool, MemorySegment p, MemorySegment g, MemorySegment mo, MemorySegment vo,
                      AdamWParams hp, long n) {
        double bc1 = hp.biasCorrection1(), bc2 = hp.biasCorrection2();
        float b1 = hp.beta1(), b2 = hp.beta2(), ob1 = 1 - b1, ob2 = 1 - b2, eps = hp.eps(), gs = hp.gradScale();
        float step = (float) (hp.lr() / bc1), invSqrtBc2 = (float) (1 / Math.sqrt(bc2));
        float decay = (float) (1 - (double) hp.lr() * hp.weightDecay());
        parallel(pool, n, (from, to) -> {
            long i = from;
            for (; i + VL <= to; i += VL) {
                FloatVector gi = load(g, i).mul(gs);
                FloatVector mi = load(mo, i).mul(b1).add(gi.mul(ob1));
                FloatVector vi = load(vo, i).mul(b2).add(gi.mul(gi).mul(ob2));
                FloatVector pi = load(p, i).mul(decay).sub(mi.mul(step).div(vi.sqrt().mul(invSqrtBc2).add(eps)));
                store(mi, mo, i);
                store(vi, vo, i);
                store(pi, p, i);
            }
            if (i < to) { // the same on the last, partial vector
                VectorMask<Float> m = tail(i, to);
                FloatVector gi = load(g, i, m).mul(gs);
                FloatVector mi = load(mo, i, m).mul(b1).add(gi.mul(ob1));
                FloatVector vi = load(vo, i, m).mul(b2).add(gi.mul(gi).mul(ob2));
                FloatVector pi = load(p, i, m).mul(decay).sub(mi.mul(step).div(vi.sqrt().mul(invSqrtBc2).add(eps)));
                store(mi, mo, i, m);
                store(vi, vo, i, m);
                store(pi, p, i, m);
            }
        });
    }
}
