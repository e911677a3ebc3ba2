package ai.pulsemind.backend.cuda;

import ai.pulsemind.backend.RopeSpec;
import ai.pulsemind.tensor.DType;
import ai.pulsemind.tensor.Shape;
import ai.pulsemind.tensor.Tensor;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.util.Random;

import static ai.pulsemind.backend.cuda.GpuParity.REF;
import static ai.pulsemind.backend.cuda.GpuParity.check;
import static ai.pulsemind.backend.cuda.GpuParity.down;
import static ai.pulsemind.backend.cuda.GpuParity.poisoned;
import static ai.pulsemind.backend.cuda.GpuParity.rand;
import static ai.pulsemind.backend.cuda.GpuParity.up;

/** RMSNorm, LayerNorm, softmax and rotary (tables and rotation), forward and backward: CUDA vs the reference. */
@RequiresCuda
class NormRopeGpuIT {
    /** (R, C): tiny, odd widths (scalar path), pack multiples, a model width, and a width whose backward
     *  accumulators need more than 48 KiB of shared memory (the opt-in path). */
    static final int[][] SHAPES = {{1, 1}, {3, 7}, {17, 65}, {64, 1024}, {5, 3584}, {300, 256}, {2, 12000}};
    static CudaBackend be;

    @BeforeAll static void open() { be = GpuParity.open(); }

    @AfterAll static void close() { be.close(); }

    enum Dt { F32, BF16; DType d() { return DType.valueOf(name()); } }

    @ParameterizedTest
    @EnumSource(Dt.class)
    void rmsnorm(Dt dt) {
        Random rnd = new Random(11);
        for (int[] rc : SHAPES) {
            int r = rc[0], c = rc[1];
            try (Tensor x = rand(rnd, dt.d(), -2, 2, r, c); Tensor w = rand(rnd, dt.d(), 0.5f, 1.5f, c); Tensor dout = rand(rnd, dt.d(), -1, 1, r, c);
                 Tensor gx = up(be, x, dt.d()); Tensor gw = up(be, w, dt.d()); Tensor gd = up(be, dout, dt.d());
                 Tensor out = poisoned(be, dt.d(), r, c); Tensor rstd = poisoned(be, DType.F32, r); Tensor dx = poisoned(be, dt.d(), r, c);
                 Tensor dw0 = rand(rnd, DType.F32, -1, 1, c); Tensor gdw = be.upload(dw0);
                 Tensor ro = Tensor.hostEmpty(DType.F32, x.shape()); Tensor rr = Tensor.hostEmpty(DType.F32, Shape.of(r));
                 Tensor rdx = Tensor.hostEmpty(DType.F32, x.shape())) {
                be.rmsnorm(gx, gw, 1e-6f, out, rstd);
                REF.rmsnorm(x, w, 1e-6f, ro, rr);
                check("rmsnorm", be, out, ro);
                check("rmsnorm.rstd", DType.F32, rr.shape(), down(be, rstd), rr.toFloatArray());
                be.rmsnormBackward(gx, gw, rstd, gd, dx, gdw); // dw accumulates onto dw0
                REF.rmsnormBackward(x, w, rr, dout, rdx, dw0);
                check("rmsnormBackward.dx", be, dx, rdx);
                check("rmsnormBackward.dw", dt.d(), dw0.shape(), down(be, gdw), dw0.toFloatArray());
            }
        }
    }

    @ParameterizedTest
    @EnumSource(Dt.class)
    void layernorm(Dt dt) {
        Random rnd = new Random(12);
        for (int[] rc : SHAPES) {
            int r = rc[0], c = rc[1];
            try (Tensor x = rand(rnd, dt.d(), -2, 3, r, c); Tensor w = rand(rnd, dt.d(), 0.5f, 1.5f, c); Tensor b = rand(rnd, dt.d(), -1, 1, c);
                 Tensor dout = rand(rnd, dt.d(), -1, 1, r, c);
                 Tensor gx = up(be, x, dt.d()); Tensor gw = up(be, w, dt.d()); Tensor gb = up(be, b, dt.d()); Tensor gd = up(be, dout, dt.d());
                 Tensor out = poisoned(be, dt.d(), r, c); Tensor mean = poisoned(be, DType.F32, r); Tensor rstd = poisoned(be, DType.F32, r);
                 Tensor dx = poisoned(be, dt.d(), r, c);
                 Tensor dw0 = rand(rnd, DType.F32, -1, 1, c); Tensor db0 = rand(rnd, DType.F32, -1, 1, c);
                 Tensor gdw = be.upload(dw0); Tensor gdb = be.upload(db0);
                 Tensor ro = Tensor.hostEmpty(DType.F32, x.shape()); Tensor rm = Tensor.hostEmpty(DType.F32, Shape.of(r));
                 Tensor rr = Tensor.hostEmpty(DType.F32, Shape.of(r)); Tensor rdx = Tensor.hostEmpty(DType.F32, x.shape())) {
                be.layernorm(gx, gw, gb, 1e-5f, out, mean, rstd);
                REF.layernorm(x, w, b, 1e-5f, ro, rm, rr);
                check("layernorm", be, out, ro);
                check("layernorm.mean", DType.F32, rm.shape(), down(be, mean), rm.toFloatArray());
                be.layernormBackward(gx, gw, mean, rstd, gd, dx, gdw, gdb);
                REF.layernormBackward(x, w, rm, rr, dout, rdx, dw0, db0);
                check("layernormBackward.dx", be, dx, rdx);
                check("layernormBackward.dw", dt.d(), dw0.shape(), down(be, gdw), dw0.toFloatArray());
                check("layernormBackward.db", dt.d(), db0.shape(), down(be, gdb), db0.toFloatArray());
            }
        }
    }

    @ParameterizedTest
    @EnumSource(Dt.class)
    void softmax(Dt dt) {
        Random rnd = new Random(13);
        for (int[] rc : new int[][] {{1, 1}, {3, 7}, {17, 65}, {64, 1024}, {4, 151936}}) {
            int r = rc[0], c = rc[1];
            try (Tensor x = rand(rnd, dt.d(), -8, 8, r, c); Tensor dy = rand(rnd, dt.d(), -1, 1, r, c);
                 Tensor gx = up(be, x, dt.d()); Tensor gdy = up(be, dy, dt.d());
                 Tensor y = poisoned(be, dt.d(), r, c); Tensor dx = poisoned(be, dt.d(), r, c);
                 Tensor ry = Tensor.hostEmpty(DType.F32, x.shape()); Tensor rdx = Tensor.hostEmpty(DType.F32, x.shape())) {
                be.softmax(gx, y);
                REF.softmax(x, ry);
                check("softmax", be, y, ry);
                // the backward takes the forward's output: feed both sides the GPU's (bf16-rounded) y
                try (Tensor yh = Tensor.hostEmpty(DType.F32, x.shape())) {
                    float[] yv = down(be, y);
                    yh.segment().copyFrom(java.lang.foreign.MemorySegment.ofArray(yv));
                    be.softmaxBackward(y, gdy, dx);
                    REF.softmaxBackward(yh, dy, rdx);
                }
                check("softmaxBackward", be, dx, rdx);
            }
        }
    }

    @ParameterizedTest
    @EnumSource(Dt.class)
    void rotaryTablesAndRotation(Dt dt) {
        Random rnd = new Random(14);
        RopeSpec[] specs = {RopeSpec.text(128, 1e6), RopeSpec.mrope(128, 1e6, new int[] {16, 24, 24}),
                RopeSpec.vision2d(80, 1e4), RopeSpec.text(6, 1e4)};
        for (RopeSpec spec : specs) {
            int n = 37, heads = 3, d = spec.headDim(), half = d / 2;
            int[] pos = new int[spec.axes() * n];
            for (int i = 0; i < pos.length; i++) pos[i] = rnd.nextInt(32768); // large positions: range reduction
            try (Tensor hp = Tensor.ofInts(pos, spec.axes(), n); Tensor gp = be.upload(hp);
                 Tensor cos = poisoned(be, DType.F32, n, half); Tensor sin = poisoned(be, DType.F32, n, half);
                 Tensor rc = Tensor.hostEmpty(DType.F32, Shape.of(n, half)); Tensor rs = Tensor.hostEmpty(DType.F32, Shape.of(n, half))) {
                be.ropeTable(spec, gp, cos, sin);
                REF.ropeTable(spec, hp, rc, rs);
                check("ropeTable.cos", DType.F32, rc.shape(), down(be, cos), rc.toFloatArray());
                check("ropeTable.sin", DType.F32, rs.shape(), down(be, sin), rs.toFloatArray());
                try (Tensor x = rand(rnd, dt.d(), -2, 2, n, heads, d); Tensor gx = up(be, x, dt.d());
                     Tensor out = poisoned(be, dt.d(), n, heads, d); Tensor ro = Tensor.hostEmpty(DType.F32, x.shape())) {
                    be.rope(gx, cos, sin, out);
                    REF.rope(x, rc, rs, ro);
                    check("rope", be, out, ro);
                    be.ropeBackward(gx, cos, sin, gx); // in place (out aliases x)
                    REF.ropeBackward(x, rc, rs, ro);
                    check("ropeBackward", be, gx, ro);
                }
            }
        }
    }

    @Test
    void normBackwardRepeatsBitForBit() {
        Random rnd = new Random(15);
        try (Tensor x = rand(rnd, DType.F32, -2, 2, 700, 96); Tensor w = rand(rnd, DType.F32, 0.5f, 1.5f, 96);
             Tensor gx = be.upload(x); Tensor gw = be.upload(w); Tensor out = be.empty(DType.F32, x.shape());
             Tensor rstd = be.empty(DType.F32, Shape.of(700)); Tensor dx = be.empty(DType.F32, x.shape());
             Tensor dw1 = be.zeros(DType.F32, Shape.of(96)); Tensor dw2 = be.zeros(DType.F32, Shape.of(96))) {
            be.rmsnorm(gx, gw, 1e-6f, out, rstd);
            be.rmsnormBackward(gx, gw, rstd, gx, dx, dw1);
            be.rmsnormBackward(gx, gw, rstd, gx, dx, dw2);
            org.junit.jupiter.api.Assertions.assertArrayEquals(down(be, dw1), down(be, dw2));
        }
    }
}
