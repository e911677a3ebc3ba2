package ai.pulsemind.backend.cuda;

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
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

/** Elementwise ops, activations, reductions, conversions, fills and copies: CUDA vs the CPU reference. */
@RequiresCuda
class ElementwiseGpuIT {
    /** Odd sizes (scalar tails), pack multiples, one above a million; the offset-1 views take the unaligned path. */
    static final int[] SIZES = {1, 7, 33, 1000, 4099, (1 << 20) + 3};
    static CudaBackend be;

    @BeforeAll static void open() { be = GpuParity.open(); }

    @AfterAll static void close() { be.close(); }

    enum Dt { F32, BF16; DType d() { return DType.valueOf(name()); } }

    /** {view} of n elements starting one element into a larger device tensor: 16-byte alignment is lost. */
    private static Tensor unaligned(Tensor t) { return t.reshape(-1).narrow(0, 1, (int) t.numel() - 1); }

    @ParameterizedTest
    @EnumSource(Dt.class)
    void binaryWithBroadcast(Dt dt) {
        Random rnd = new Random(1);
        for (int n : SIZES) {
            for (int nb : new int[] {n, 1, n % 8 == 0 ? 8 : 1}) {
                if (n % nb != 0) continue;
                // b broadcasts over the rows of a seen as (n / nb, nb): its shape is a suffix of a's (the SPI's rule)
                try (Tensor a = rand(rnd, dt.d(), -2, 2, n / nb, nb); Tensor b = rand(rnd, dt.d(), -2, 2, nb);
                     Tensor ga = up(be, a, dt.d()); Tensor gb = up(be, b, dt.d())) {
                    for (String op : new String[] {"add", "mul"}) {
                        try (Tensor out = poisoned(be, dt.d(), n / nb, nb); Tensor ref = Tensor.hostEmpty(DType.F32, Shape.of(n / nb, nb))) {
                            if (op.equals("add")) { be.add(ga, gb, out); REF.add(a, b, ref); }
                            else { be.mul(ga, gb, out); REF.mul(a, b, ref); }
                            check(op, be, out, ref);
                        }
                    }
                }
            }
        }
    }

    @ParameterizedTest
    @EnumSource(Dt.class)
    void scaleAndAxpyIncludingUnalignedViews(Dt dt) {
        Random rnd = new Random(2);
        for (int n : SIZES) {
            try (Tensor x = rand(rnd, dt.d(), -2, 2, n + 1); Tensor y = rand(rnd, dt.d(), -2, 2, n + 1);
                 Tensor gx = up(be, x, dt.d()); Tensor gy = up(be, y, dt.d()); Tensor out = poisoned(be, dt.d(), n + 1);
                 Tensor ref = Tensor.hostEmpty(DType.F32, Shape.of(n + 1))) {
                be.scale(gx, -1.5f, out);
                REF.scale(x, -1.5f, ref);
                check("scale", be, out, ref);
                be.axpy(0.25f, unaligned(gx), unaligned(gy)); // offset by one element: the scalar path
                REF.axpy(0.25f, x.reshape(-1).narrow(0, 1, n), y.reshape(-1).narrow(0, 1, n));
                check("axpy", be, gy, y);
            }
        }
    }

    @Test
    void axpyMixesDtypes() {
        Random rnd = new Random(3);
        int n = 4099;
        for (DType xd : new DType[] {DType.F32, DType.BF16}) {
            for (DType yd : new DType[] {DType.F32, DType.BF16}) {
                try (Tensor x = rand(rnd, xd, -1, 1, n); Tensor y = rand(rnd, yd, -1, 1, n); Tensor gx = up(be, x, xd);
                     Tensor gy = up(be, y, yd)) {
                    be.axpy(0.5f, gx, gy);
                    REF.axpy(0.5f, x, y);
                    check("axpy", be, gy, y);
                }
            }
        }
    }

    @ParameterizedTest
    @EnumSource(Dt.class)
    void sumAndSumRows(Dt dt) {
        Random rnd = new Random(4);
        for (int[] rc : new int[][] {{1, 1}, {3, 7}, {65, 33}, {1000, 257}, {4096, 1024}}) {
            try (Tensor x = rand(rnd, dt.d(), -1, 1, rc); Tensor gx = up(be, x, dt.d());
                 Tensor s = poisoned(be, DType.F32, 1); Tensor rows = poisoned(be, DType.F32, rc[1]);
                 Tensor rs = Tensor.hostEmpty(DType.F32, Shape.of(1)); Tensor rr = Tensor.hostEmpty(DType.F32, Shape.of(rc[1]))) {
                be.sum(gx, s);
                REF.sum(x, rs);
                check("sum", DType.F32 == dt.d() ? DType.F32 : DType.BF16, Shape.of(rc), down(be, s), rs.toFloatArray());
                be.sumRows(gx, rows);
                REF.sumRows(x, rr);
                check("sumRows", dt.d(), x.shape(), down(be, rows), rr.toFloatArray());
            }
        }
    }

    @Test
    void reductionsRepeatBitForBit() {
        try (Tensor x = rand(new Random(5), DType.F32, -1, 1, 3000, 77); Tensor gx = be.upload(x);
             Tensor a = be.empty(DType.F32, Shape.of(77)); Tensor b = be.empty(DType.F32, Shape.of(77))) {
            be.sumRows(gx, a);
            be.sumRows(gx, b);
            assertArrayEquals(down(be, a), down(be, b));
        }
    }

    @ParameterizedTest
    @EnumSource(Dt.class)
    void activationsForwardAndBackward(Dt dt) {
        Random rnd = new Random(6);
        for (int n : SIZES) {
            try (Tensor x = rand(rnd, dt.d(), -6, 6, n); Tensor u = rand(rnd, dt.d(), -2, 2, n); Tensor g = rand(rnd, dt.d(), -1, 1, n);
                 Tensor gx = up(be, x, dt.d()); Tensor gu = up(be, u, dt.d()); Tensor gg = up(be, g, dt.d())) {
                Shape s = Shape.of(n);
                try (Tensor o = poisoned(be, dt.d(), n); Tensor o2 = poisoned(be, dt.d(), n);
                     Tensor r = Tensor.hostEmpty(DType.F32, s); Tensor r2 = Tensor.hostEmpty(DType.F32, s)) {
                    be.silu(gx, o); REF.silu(x, r); check("silu", be, o, r);
                    be.siluBackward(gx, gg, o); REF.siluBackward(x, g, r); check("siluBackward", be, o, r);
                    for (boolean tanh : new boolean[] {false, true}) {
                        be.gelu(gx, tanh, o); REF.gelu(x, tanh, r); check(tanh ? "gelu.tanh" : "gelu", be, o, r);
                        be.geluBackward(gx, tanh, gg, o); REF.geluBackward(x, tanh, g, r);
                        check(tanh ? "geluBackward.tanh" : "geluBackward", be, o, r);
                    }
                    be.swiglu(gx, gu, o); REF.swiglu(x, u, r); check("swiglu", be, o, r);
                    be.swigluBackward(gx, gu, gg, o, o2); REF.swigluBackward(x, u, g, r, r2);
                    check("swigluBackward.dgate", be, o, r);
                    check("swigluBackward.dup", be, o2, r2);
                }
            }
        }
    }

    @Test
    void conversionsBetweenEveryDtype() {
        Random rnd = new Random(7);
        int n = 4099;
        float[] v = new float[n];
        for (int i = 0; i < n; i++) v[i] = Math.round((rnd.nextFloat() - 0.5f) * 2000) / 4f; // exact in every dtype
        try (Tensor src = Tensor.of(v, n)) {
            for (DType from : DType.values()) {
                for (DType to : DType.values()) {
                    try (Tensor hs = Tensor.hostEmpty(from, src.shape()); Tensor hd = Tensor.hostEmpty(to, src.shape())) {
                        REF.convert(src, hs);
                        REF.convert(hs, hd);
                        try (Tensor gs = be.upload(hs); Tensor gd = poisoned(be, to, n)) {
                            be.convert(gs, gd);
                            check("convert", to, Shape.of(n), down(be, gd), hd.toFloatArray());
                        }
                    }
                }
            }
        }
        // rounding to bf16 is round-to-nearest-even on both sides, including halfway cases
        float[] halfway = {1.00390625f, 1.01171875f, -3.0078125f, 65504.5f, 1e-40f, Float.MAX_VALUE};
        try (Tensor h = Tensor.of(halfway, halfway.length); Tensor g = be.upload(h);
             Tensor gb = be.empty(DType.BF16, h.shape()); Tensor hb = Tensor.hostEmpty(DType.BF16, h.shape())) {
            be.convert(g, gb);
            REF.convert(h, hb);
            check("convert", DType.BF16, h.shape(), down(be, gb), hb.toFloatArray());
        }
    }

    @Test
    void fillEveryDtype() {
        for (DType d : DType.values()) {
            try (Tensor t = be.empty(d, Shape.of(1001)); Tensor h = Tensor.hostEmpty(d, Shape.of(1001))) {
                be.fill(t, -3f);
                REF.fill(h, -3f);
                check("fill", d, t.shape(), down(be, t), h.toFloatArray());
            }
        }
    }

    @ParameterizedTest
    @EnumSource(Dt.class)
    void stridedCopiesEveryDirection(Dt dt) {
        Random rnd = new Random(8);
        try (Tensor x = rand(rnd, dt.d(), -1, 1, 5, 7, 9); Tensor gx = up(be, x, dt.d())) {
            Tensor hostT = x.transpose(0, 2);                          // (9, 7, 5) strided view on the host
            try (Tensor ref = Tensor.hostEmpty(DType.F32, hostT.shape()); Tensor d2d = poisoned(be, dt.d(), 9, 7, 5)) {
                REF.copy(hostT, ref);
                be.copy(gx.transpose(0, 2), d2d);                      // device strided -> device contiguous
                check("copy", be, d2d, ref);
                try (Tensor h2d = poisoned(be, dt.d(), 9, 7, 5)) {   // host strided -> device
                    try (Tensor hx = Tensor.hostEmpty(dt.d(), x.shape())) {
                        REF.convert(x, hx);
                        be.copy(hx.transpose(0, 2), h2d);
                    }
                    check("copy", be, h2d, ref);
                }
                try (Tensor hOut = Tensor.hostZeros(dt.d(), Shape.of(5, 7, 9))) { // device contiguous -> host strided
                    be.copy(d2d, hOut.transpose(0, 2));
                    try (Tensor back = Tensor.hostEmpty(DType.F32, x.shape())) {
                        REF.convert(hOut, back);
                        check("copy", dt.d(), x.shape(), back.toFloatArray(), x.toFloatArray());
                    }
                }
            }
        }
    }
}
