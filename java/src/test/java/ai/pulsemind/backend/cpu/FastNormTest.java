package ai.pulsemind.backend.cpu;

import ai.pulsemind.tensor.Tensor;
import ai.pulsemind.testing.Rand;
import org.junit.jupiter.api.Test;

import static ai.pulsemind.backend.cpu.BackendPair.FAST;
import static ai.pulsemind.backend.cpu.BackendPair.REF;
import static ai.pulsemind.backend.cpu.BackendPair.copy;
import static ai.pulsemind.backend.cpu.BackendPair.f32;
import static ai.pulsemind.backend.cpu.BackendPair.scaled;

/** RMSNorm, LayerNorm, softmax (forward and backward) against the reference over odd shapes and extremes. */
class FastNormTest {
    private final Rand rnd = new Rand(9);
    /** Odd widths around the vector (16) and tail handling; 260x129 spans two parallel row blocks (dw partials). */
    private static final int[][] SHAPES = {{1, 1}, {3, 17}, {5, 65}, {2, 129}, {260, 129}};

    @Test
    void rmsnormForwardBackward() {
        for (int[] sh : SHAPES) {
            for (float mag : new float[] {1f, 1e3f}) {
                int rows = sh[0], c = sh[1];
                String tag = " " + rows + "x" + c + " |x|<=" + mag;
                Tensor x = scaled(rnd.uniform(1, rows, c), mag), w = rnd.uniform(2, c), dout = rnd.uniform(1, rows, c);
                Tensor of = f32(rows, c), or = f32(rows, c), sf = f32(rows), sr = f32(rows);
                FAST.rmsnorm(x, w, 1e-6f, of, sf); REF.rmsnorm(x, w, 1e-6f, or, sr);
                Parity.check("norm", "rmsnorm out" + tag, of, or);
                Parity.check("norm", "rmsnorm rstd" + tag, sf, sr);
                Tensor dw0 = rnd.uniform(1, c), dwf = copy(dw0), dwr = copy(dw0), dxf = f32(rows, c), dxr = f32(rows, c);
                FAST.rmsnormBackward(x, w, sr, dout, dxf, dwf); REF.rmsnormBackward(x, w, sr, dout, dxr, dwr);
                Parity.check("norm", "rmsnormBackward dx" + tag, dxf, dxr);
                Parity.check("normParamGrad", "rmsnormBackward dw (accumulated)" + tag, dwf, dwr);
                FAST.rmsnormBackward(x, w, sr, dout, dxf, null);
                Parity.check("norm", "rmsnormBackward dx, frozen w" + tag, dxf, dxr);
            }
        }
    }

    @Test
    void layernormForwardBackward() {
        for (int[] sh : SHAPES) {
            int rows = sh[0], c = sh[1];
            String tag = " " + rows + "x" + c;
            // An offset mean: the two-pass variance must not lose it.
            Tensor x = rnd.uniform(1, rows, c), shift = scaled(rnd.uniform(1, c), 0f);
            REF.fill(shift, 20f);
            REF.add(x, shift, x);
            Tensor w = rnd.uniform(2, c), b = rnd.uniform(1, c), dout = rnd.uniform(1, rows, c);
            Tensor of = f32(rows, c), or = f32(rows, c), mf = f32(rows), mr = f32(rows), sf = f32(rows), sr = f32(rows);
            FAST.layernorm(x, w, b, 1e-5f, of, mf, sf); REF.layernorm(x, w, b, 1e-5f, or, mr, sr);
            Parity.check("norm", "layernorm out" + tag, of, or);
            Parity.check("norm", "layernorm mean" + tag, mf, mr);
            Parity.check("norm", "layernorm rstd" + tag, sf, sr);
            Tensor dw0 = rnd.uniform(1, c), db0 = rnd.uniform(1, c);
            Tensor dwf = copy(dw0), dwr = copy(dw0), dbf = copy(db0), dbr = copy(db0), dxf = f32(rows, c), dxr = f32(rows, c);
            FAST.layernormBackward(x, w, mr, sr, dout, dxf, dwf, dbf);
            REF.layernormBackward(x, w, mr, sr, dout, dxr, dwr, dbr);
            Parity.check("norm", "layernormBackward dx" + tag, dxf, dxr);
            Parity.check("normParamGrad", "layernormBackward dw" + tag, dwf, dwr);
            Parity.check("normParamGrad", "layernormBackward db" + tag, dbf, dbr);
        }
    }

    @Test
    void softmaxForwardBackwardWithExtremes() {
        for (int[] sh : SHAPES) {
            for (float mag : new float[] {1f, 50f, 1e4f}) { // 1e4: all mass on the row max, exp underflows to 0
                int rows = sh[0], c = sh[1];
                String tag = " " + rows + "x" + c + " |x|<=" + mag;
                Tensor x = scaled(rnd.uniform(1, rows, c), mag), dy = rnd.uniform(1, rows, c);
                Tensor yf = f32(rows, c), yr = f32(rows, c);
                FAST.softmax(x, yf); REF.softmax(x, yr);
                Parity.check("norm", "softmax" + tag, yf, yr);
                Tensor dxf = f32(rows, c), dxr = f32(rows, c);
                FAST.softmaxBackward(yr, dy, dxf); REF.softmaxBackward(yr, dy, dxr);
                Parity.check("norm", "softmaxBackward" + tag, dxf, dxr);
            }
        }
        // Masked entries (−∞) and zeros.
        Tensor x = Tensor.of(new float[] {Float.NEGATIVE_INFINITY, 0f, 0f, Float.NEGATIVE_INFINITY, 3f,
                                          0f, 0f, 0f, 0f, 0f}, 2, 5);
        Tensor yf = f32(2, 5), yr = f32(2, 5);
        FAST.softmax(x, yf); REF.softmax(x, yr);
        Parity.check("norm", "softmax with -inf and zeros", yf, yr);
    }
}
