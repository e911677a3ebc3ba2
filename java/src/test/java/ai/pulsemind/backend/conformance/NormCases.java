package ai.pulsemind.backend.conformance;

import ai.pulsemind.tensor.DType;
import ai.pulsemind.tensor.Tensor;

import java.util.List;
import java.util.Random;

import static ai.pulsemind.backend.conformance.Target.REF;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;

/**
 * RMSNorm, LayerNorm and softmax, forward and backward, over (R, C) shapes that take every path: one element, odd
 * widths (scalar tails), widths around the vector and the 16-byte pack, two of the CPU's parallel row blocks (260
 * rows: dw partials), a model width, and a width whose backward accumulators need more than 48 KiB of shared memory
 * on CUDA; magnitudes up to 1e3 (RMSNorm) and 1e4 (softmax, all mass on the row max); LayerNorm rows offset by 20
 * (a one-pass variance would lose them); parameter gradients accumulated onto existing values, or frozen (null).
 * Backwards get the reference forward's saved statistics, so each is judged on its own.
 */
final class NormCases extends OpCases {
    static final int[][] SHAPES = {{1, 1}, {3, 7}, {3, 17}, {5, 65}, {17, 65}, {2, 129}, {260, 129}, {64, 1024},
            {300, 256}, {5, 3584}, {2, 12000}};

    @Override
    List<Case> cases() {
        return List.of(new Case("rmsnorm and backward", NormCases::rmsnorm), new Case("layernorm and backward", NormCases::layernorm),
                new Case("softmax and backward", NormCases::softmax));
    }

    private static void rmsnorm(Target t) {
        Random rnd = new Random(11);
        for (DType dt : t.dtypes("rmsnorm")) {
            for (int[] rc : SHAPES) {
                for (float mag : new float[] {2f, 1e3f}) {
                    int r = rc[0], c = rc[1];
                    String label = r + "x" + c + " |x|<=" + mag;
                    try (Tensor x = Target.rand(rnd, dt, -mag, mag, r, c); Tensor w = Target.rand(rnd, dt, 0.5f, 1.5f, c);
                         Tensor dout = Target.rand(rnd, dt, -1, 1, r, c); Tensor dw0 = Target.rand(rnd, DType.F32, -1, 1, c);
                         Tensor gx = t.up(x, dt); Tensor gw = t.up(w, dt); Tensor gd = t.up(dout, dt); Tensor gdw = t.up(dw0);
                         Tensor out = t.poisoned(dt, r, c); Tensor rstd = t.poisoned(DType.F32, r); Tensor dx = t.poisoned(dt, r, c);
                         Tensor ro = hostF32(r, c); Tensor rr = hostF32(r); Tensor rdx = hostF32(r, c)) {
                        t.backend().rmsnorm(gx, gw, 1e-6f, out, rstd);
                        REF.rmsnorm(x, w, 1e-6f, ro, rr);
                        t.check("rmsnorm", label, out, ro);
                        t.check("rmsnorm.rstd", label, rstd, rr);
                        try (Tensor grr = t.up(rr)) {
                            t.backend().rmsnormBackward(gx, gw, grr, gd, dx, gdw); // dw accumulates onto dw0
                            REF.rmsnormBackward(x, w, rr, dout, rdx, dw0);
                            t.check("rmsnormBackward.dx", label, dx, rdx);
                            t.check("rmsnormBackward.dw", label, dt, dw0.shape(), t.down(gdw), dw0.toFloatArray());
                            t.backend().fill(dx, Float.NaN);
                            t.backend().rmsnormBackward(gx, gw, grr, gd, dx, null); // a frozen weight
                            t.check("rmsnormBackward.dx", label + " frozen w", dx, rdx);
                        }
                    }
                }
            }
        }
        // the parameter gradient repeats bit for bit
        try (Tensor x = Target.rand(rnd, DType.F32, -2, 2, 700, 96); Tensor w = Target.rand(rnd, DType.F32, 0.5f, 1.5f, 96);
             Tensor gx = t.up(x); Tensor gw = t.up(w); Tensor out = t.poisoned(DType.F32, 700, 96);
             Tensor rstd = t.poisoned(DType.F32, 700); Tensor dx = t.poisoned(DType.F32, 700, 96);
             Tensor dw1 = t.backend().zeros(DType.F32, w.shape()); Tensor dw2 = t.backend().zeros(DType.F32, w.shape())) {
            t.backend().rmsnorm(gx, gw, 1e-6f, out, rstd);
            t.backend().rmsnormBackward(gx, gw, rstd, gx, dx, dw1);
            t.backend().rmsnormBackward(gx, gw, rstd, gx, dx, dw2);
            assertArrayEquals(t.down(dw1), t.down(dw2), t + ": rmsnormBackward dw repeats bit for bit");
        }
    }

    private static void layernorm(Target t) {
        Random rnd = new Random(12);
        for (DType dt : t.dtypes("layernorm")) {
            for (int[] rc : SHAPES) {
                for (float offset : new float[] {0.5f, 20f}) {
                    int r = rc[0], c = rc[1];
                    String label = r + "x" + c + " mean~" + offset;
                    try (Tensor x = Target.rand(rnd, dt, offset - 2.5f, offset + 2.5f, r, c); Tensor w = Target.rand(rnd, dt, 0.5f, 1.5f, c);
                         Tensor b = Target.rand(rnd, dt, -1, 1, c); Tensor dout = Target.rand(rnd, dt, -1, 1, r, c);
                         Tensor dw0 = Target.rand(rnd, DType.F32, -1, 1, c); Tensor db0 = Target.rand(rnd, DType.F32, -1, 1, c);
                         Tensor gx = t.up(x, dt); Tensor gw = t.up(w, dt); Tensor gb = t.up(b, dt); Tensor gd = t.up(dout, dt);
                         Tensor gdw = t.up(dw0); Tensor gdb = t.up(db0);
                         Tensor out = t.poisoned(dt, r, c); Tensor mean = t.poisoned(DType.F32, r); Tensor rstd = t.poisoned(DType.F32, r);
                         Tensor dx = t.poisoned(dt, r, c); Tensor ro = hostF32(r, c); Tensor rm = hostF32(r); Tensor rr = hostF32(r);
                         Tensor rdx = hostF32(r, c)) {
                        t.backend().layernorm(gx, gw, gb, 1e-5f, out, mean, rstd);
                        REF.layernorm(x, w, b, 1e-5f, ro, rm, rr);
                        t.check("layernorm", label, out, ro);
                        t.check("layernorm.mean", label, mean, rm);
                        t.check("layernorm.rstd", label, rstd, rr);
                        try (Tensor grm = t.up(rm); Tensor grr = t.up(rr)) {
                            t.backend().layernormBackward(gx, gw, grm, grr, gd, dx, gdw, gdb);
                            REF.layernormBackward(x, w, rm, rr, dout, rdx, dw0, db0);
                        }
                        t.check("layernormBackward.dx", label, dx, rdx);
                        t.check("layernormBackward.dw", label, dt, dw0.shape(), t.down(gdw), dw0.toFloatArray());
                        t.check("layernormBackward.db", label, dt, db0.shape(), t.down(gdb), db0.toFloatArray());
                    }
                }
            }
        }
    }

    private static void softmax(Target t) {
        Random rnd = new Random(13);
        int[][] shapes = {{1, 1}, {3, 7}, {3, 17}, {5, 65}, {17, 65}, {2, 129}, {260, 129}, {64, 1024}, {4, 151936}};
        for (DType dt : t.dtypes("softmax")) {
            for (int[] rc : shapes) {
                // 1e4: all mass on the row max, exp underflows to 0 elsewhere
                for (float mag : rc[1] > 1024 ? new float[] {8f} : new float[] {1f, 8f, 50f, 1e4f}) {
                    int r = rc[0], c = rc[1];
                    String label = r + "x" + c + " |x|<=" + mag;
                    try (Tensor x = Target.rand(rnd, dt, -mag, mag, r, c); Tensor dy = Target.rand(rnd, dt, -1, 1, r, c);
                         Tensor gx = t.up(x, dt); Tensor gdy = t.up(dy, dt); Tensor y = t.poisoned(dt, r, c);
                         Tensor dx = t.poisoned(dt, r, c); Tensor ry = hostF32(r, c); Tensor rdx = hostF32(r, c)) {
                        t.backend().softmax(gx, y);
                        REF.softmax(x, ry);
                        t.check("softmax", label, y, ry);
                        roundTo(dt, ry); // the backward takes the forward's output as the target stores it
                        try (Tensor gy = t.up(ry, dt)) {
                            t.backend().softmaxBackward(gy, gdy, dx);
                            REF.softmaxBackward(ry, dy, rdx);
                        }
                        t.check("softmaxBackward", label, dx, rdx);
                    }
                }
            }
        }
        // masked entries (−∞) and zeros
        try (Tensor x = Tensor.of(new float[] {Float.NEGATIVE_INFINITY, 0f, 0f, Float.NEGATIVE_INFINITY, 3f, 0f, 0f, 0f, 0f, 0f}, 2, 5);
             Tensor gx = t.up(x); Tensor y = t.poisoned(DType.F32, 2, 5); Tensor ry = hostF32(2, 5)) {
            t.backend().softmax(gx, y);
            REF.softmax(x, ry);
            t.check("softmax", "with -inf and zeros", y, ry);
        }
    }
}
