package ai.pulsemind.backend.conformance;

import ai.pulsemind.tensor.DType;
import ai.pulsemind.tensor.Shape;
import ai.pulsemind.tensor.Tensor;

import java.util.List;
import java.util.Random;

import static ai.pulsemind.backend.conformance.Target.REF;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;

/**
 * Elementwise ops, activations and reductions over lengths around the vector widths, the 16-byte packs and the CPU's
 * parallel chunk (32768), ragged tails, views that start one element in (no 16-byte alignment), extreme magnitudes,
 * and broadcast shapes.
 */
final class ElementwiseCases extends OpCases {
    /** 1, odd tails, around the CPU vector (16) and pack widths, one parallel chunk and more, above a million. */
    static final int[] LENGTHS = {1, 3, 7, 17, 33, 63, 65, 129, 1000, 4099, 70_001, (1 << 20) + 3};

    @Override
    List<Case> cases() {
        return List.of(new Case("add, mul with broadcast", ElementwiseCases::binary),
                new Case("scale, axpy (unaligned views, mixed dtypes)", ElementwiseCases::scaleAxpy),
                new Case("silu, gelu, swiglu and backwards", ElementwiseCases::activations),
                new Case("sum, sumRows (repeatable)", ElementwiseCases::sums));
    }

    private static void binary(Target t) {
        Random rnd = new Random(1);
        // (rows, cols): b is (cols), a row broadcast, or (rows, cols)
        int[][] shapes = {{1, 1}, {3, 17}, {300, 17}, {1, 129}, {300, 129}, {1000, 1}, {125, 8}, {1, 4099}, {4099, 1},
                {1, (1 << 20) + 3}, {1 << 17, 8}};
        for (DType dt : t.dtypes("add")) {
            for (int[] s : shapes) {
                int rows = s[0], cols = s[1];
                try (Tensor a = Target.rand(rnd, dt, -2, 2, rows, cols); Tensor row = Target.rand(rnd, dt, -2, 2, cols);
                     Tensor full = Target.rand(rnd, dt, -2, 2, rows, cols); Tensor ga = t.up(a, dt)) {
                    for (Tensor b : new Tensor[] {row, full}) {
                        try (Tensor gb = t.up(b, dt); Tensor out = t.poisoned(dt, rows, cols); Tensor ref = hostF32(rows, cols)) {
                            String label = rows + "x" + cols + " b=" + b.shape();
                            t.backend().add(ga, gb, out);
                            REF.add(a, b, ref);
                            t.check("add", label, out, ref);
                            t.backend().mul(ga, gb, out);
                            REF.mul(a, b, ref);
                            t.check("mul", label, out, ref);
                        }
                    }
                }
            }
        }
    }

    /** {@code t} seen as n elements starting one element in: 16-byte alignment is lost. */
    private static Tensor unaligned(Tensor t, int n) { return t.reshape(-1).narrow(0, 1, n); }

    private static void scaleAxpy(Target t) {
        Random rnd = new Random(2);
        for (DType dt : t.dtypes("scale")) {
            for (int n : LENGTHS) {
                try (Tensor x = Target.rand(rnd, dt, -2, 2, n + 1); Tensor y = Target.rand(rnd, dt, -2, 2, n + 1);
                     Tensor gx = t.up(x, dt); Tensor gy = t.up(y, dt); Tensor out = t.poisoned(dt, n + 1); Tensor ref = hostF32(n + 1)) {
                    t.backend().scale(gx, -1.5f, out);
                    REF.scale(x, -1.5f, ref);
                    t.check("scale", "n=" + (n + 1), out, ref);
                    t.backend().axpy(0.25f, unaligned(gx, n), unaligned(gy, n)); // offset by one element: the scalar path
                    REF.axpy(0.25f, unaligned(x, n), unaligned(y, n));
                    t.check("axpy", "unaligned n=" + n, gy, y);
                    t.backend().axpy(-0.3f, gx, gy);
                    REF.axpy(-0.3f, x, y);
                    t.check("axpy", "n=" + (n + 1), gy, y);
                }
            }
        }
        int n = 4099; // x and y each in any dtype the target's axpy takes (a bf16 gradient into f32, ...)
        for (DType xd : new DType[] {DType.F32, DType.BF16})
            for (DType yd : new DType[] {DType.F32, DType.BF16}) {
                if (!t.accepts("axpy", xd, yd)) continue;
                try (Tensor x = Target.rand(rnd, xd, -1, 1, n); Tensor y = Target.rand(rnd, yd, -1, 1, n);
                     Tensor gx = t.up(x, xd); Tensor gy = t.up(y, yd)) {
                    t.backend().axpy(0.5f, gx, gy);
                    REF.axpy(0.5f, x, y);
                    t.check("axpy", xd + " into " + yd, gy, y);
                }
            }
    }

    private static void activations(Target t) {
        Random rnd = new Random(6);
        for (DType dt : t.dtypes("silu")) {
            for (int n : LENGTHS) {
                // |x| ≤ 100: saturation and exp's limits; the large lengths at the model's range
                for (float mag : n > 200 ? new float[] {6f} : new float[] {1f, 6f, 100f}) {
                    try (Tensor x = Target.rand(rnd, dt, -mag, mag, n); Tensor u = Target.rand(rnd, dt, -2, 2, n);
                         Tensor g = Target.rand(rnd, dt, -1, 1, n); Tensor gx = t.up(x, dt); Tensor gu = t.up(u, dt);
                         Tensor gg = t.up(g, dt); Tensor o = t.poisoned(dt, n); Tensor o2 = t.poisoned(dt, n);
                         Tensor r = hostF32(n); Tensor r2 = hostF32(n)) {
                        String label = "n=" + n + " |x|<=" + mag;
                        t.backend().silu(gx, o); REF.silu(x, r); t.check("silu", label, o, r);
                        t.backend().siluBackward(gx, gg, o); REF.siluBackward(x, g, r); t.check("siluBackward", label, o, r);
                        for (boolean tanh : new boolean[] {false, true}) {
                            String suffix = tanh ? ".tanh" : "";
                            t.backend().gelu(gx, tanh, o); REF.gelu(x, tanh, r); t.check("gelu" + suffix, label, o, r);
                            t.backend().geluBackward(gx, tanh, gg, o); REF.geluBackward(x, tanh, g, r);
                            t.check("geluBackward" + suffix, label, o, r);
                        }
                        t.backend().swiglu(gx, gu, o); REF.swiglu(x, u, r); t.check("swiglu", label, o, r);
                        t.backend().swigluBackward(gx, gu, gg, o, o2); REF.swigluBackward(x, u, g, r, r2);
                        t.check("swigluBackward.dgate", label, o, r);
                        t.check("swigluBackward.dup", label, o2, r2);
                    }
                }
            }
        }
    }

    private static void sums(Target t) {
        Random rnd = new Random(4);
        int[][] shapes = {{1, 1}, {3, 7}, {65, 33}, {1000, 257}, {4096, 1024}};
        for (DType dt : t.dtypes("sum")) {
            for (int[] rc : shapes) {
                try (Tensor x = Target.rand(rnd, dt, -1, 1, rc); Tensor gx = t.up(x, dt); Tensor s = t.poisoned(DType.F32, 1);
                     Tensor rows = t.poisoned(DType.F32, rc[1]); Tensor rs = hostF32(1); Tensor rr = hostF32(rc[1])) {
                    String label = rc[0] + "x" + rc[1] + " " + dt;
                    t.backend().sum(gx, s);
                    REF.sum(x, rs);
                    t.check("sum", label, dt, Shape.of(rc), t.down(s), rs.toFloatArray());
                    t.backend().sumRows(gx, rows);
                    REF.sumRows(x, rr);
                    t.check("sumRows", label, dt, x.shape(), t.down(rows), rr.toFloatArray());
                }
            }
        }
        // a reduction repeats bit for bit
        try (Tensor x = Target.rand(rnd, DType.F32, -1, 1, 3000, 77); Tensor gx = t.up(x);
             Tensor a = t.poisoned(DType.F32, 77); Tensor b = t.poisoned(DType.F32, 77)) {
            t.backend().sumRows(gx, a);
            t.backend().sumRows(gx, b);
            assertArrayEquals(t.down(a), t.down(b), t + ": sumRows repeats bit for bit");
        }
    }
}
