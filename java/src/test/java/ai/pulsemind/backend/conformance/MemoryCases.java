package ai.pulsemind.backend.conformance;

import ai.pulsemind.tensor.DType;
import ai.pulsemind.tensor.Shape;
import ai.pulsemind.tensor.Tensor;

import java.util.List;
import java.util.Random;

import static ai.pulsemind.backend.conformance.Target.REF;

/** Fills, dtype conversions and strided copies in every direction: exact on every backend. */
final class MemoryCases extends OpCases {
    @Override
    List<Case> cases() {
        return List.of(new Case("fill every dtype", MemoryCases::fill),
                new Case("convert between every dtype", MemoryCases::convert),
                new Case("copy strided views in every direction", MemoryCases::stridedCopies));
    }

    private static void fill(Target t) {
        for (DType d : DType.values()) {
            try (Tensor g = t.backend().empty(d, Shape.of(1001)); Tensor h = Tensor.hostEmpty(d, Shape.of(1001))) {
                t.backend().fill(g, -3f);
                REF.fill(h, -3f);
                t.check("fill", null, d, g.shape(), t.down(g), h.toFloatArray());
            }
        }
    }

    private static void convert(Target t) {
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
                        try (Tensor gs = t.up(hs); Tensor gd = t.poisoned(to, n)) {
                            t.backend().convert(gs, gd);
                            t.check("convert", from + " to " + to, to, Shape.of(n), t.down(gd), hd.toFloatArray());
                        }
                    }
                }
            }
        }
        // rounding to bf16 is round-to-nearest-even on every backend, including halfway cases
        float[] halfway = {1.00390625f, 1.01171875f, -3.0078125f, 65504.5f, 1e-40f, Float.MAX_VALUE};
        try (Tensor h = Tensor.of(halfway, halfway.length); Tensor g = t.up(h);
             Tensor gb = t.poisoned(DType.BF16, halfway.length); Tensor hb = Tensor.hostEmpty(DType.BF16, h.shape())) {
            t.backend().convert(g, gb);
            REF.convert(h, hb);
            t.check("convert", "halfway to BF16", DType.BF16, h.shape(), t.down(gb), hb.toFloatArray());
        }
    }

    private static void stridedCopies(Target t) {
        Random rnd = new Random(8);
        for (DType dt : List.of(DType.F32, DType.BF16)) {
            try (Tensor x = Target.rand(rnd, dt, -1, 1, 5, 7, 9); Tensor gx = t.up(x, dt)) {
                Tensor hostT = x.transpose(0, 2);                          // (9, 7, 5) strided view on the host
                try (Tensor ref = Tensor.hostEmpty(DType.F32, hostT.shape()); Tensor d2d = t.poisoned(dt, 9, 7, 5)) {
                    REF.copy(hostT, ref);
                    t.backend().copy(gx.transpose(0, 2), d2d);            // target strided -> target contiguous
                    t.check("copy", "strided to contiguous", d2d, ref);
                    try (Tensor h2d = t.poisoned(dt, 9, 7, 5); Tensor hx = Tensor.hostEmpty(dt, x.shape())) {
                        REF.convert(x, hx);
                        t.backend().copy(hx.transpose(0, 2), h2d);        // host strided -> target
                        t.check("copy", "host strided to target", h2d, ref);
                    }
                    try (Tensor hOut = Tensor.hostZeros(dt, Shape.of(5, 7, 9)); Tensor back = Tensor.hostEmpty(DType.F32, x.shape())) {
                        t.backend().copy(d2d, hOut.transpose(0, 2));      // target contiguous -> host strided
                        REF.convert(hOut, back);
                        t.check("copy", "target to host strided", dt, x.shape(), back.toFloatArray(), x.toFloatArray());
                    }
                }
            }
        }
    }
}
