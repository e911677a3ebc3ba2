package ai.pulsemind.backend.cpu;

import ai.pulsemind.backend.AdamWParams;
import ai.pulsemind.backend.RopeSpec;
import ai.pulsemind.tensor.Tensor;
import ai.pulsemind.testing.Rand;
import org.junit.jupiter.api.Test;

import static ai.pulsemind.backend.cpu.BackendPair.FAST;
import static ai.pulsemind.backend.cpu.BackendPair.REF;
import static ai.pulsemind.backend.cpu.BackendPair.copy;
import static ai.pulsemind.backend.cpu.BackendPair.f32;
import static ai.pulsemind.backend.cpu.BackendPair.scaled;

/** Elementwise ops, activations, rotary and AdamW: fast vs reference over odd lengths and extreme values. */
class FastElementwiseTest {
    private final Rand rnd = new Rand(5);
    /** Lengths around the vector width and the parallel chunk (32768), including 1 and a ragged tail. */
    private static final int[] LENGTHS = {1, 3, 17, 63, 65, 129, 70_001};

    @Test
    void addMulWithAndWithoutBroadcast() {
        for (int n : new int[] {1, 17, 129}) {
            for (int rows : new int[] {1, 3, 300}) {
                Tensor a = rnd.uniform(3, rows, n), b = rnd.uniform(3, n), full = rnd.uniform(3, rows, n);
                for (Tensor bb : new Tensor[] {b, full}) {
                    Tensor f = f32(rows, n), r = f32(rows, n);
                    FAST.add(a, bb, f); REF.add(a, bb, r);
                    Parity.check("elementwise", "add " + rows + "x" + n + " b=" + bb.shape(), f, r);
                    FAST.mul(a, bb, f); REF.mul(a, bb, r);
                    Parity.check("elementwise", "mul " + rows + "x" + n + " b=" + bb.shape(), f, r);
                }
            }
        }
    }

    @Test
    void scaleAndAxpy() {
        for (int n : LENGTHS) {
            Tensor x = rnd.uniform(2, n), y0 = rnd.uniform(2, n);
            Tensor f = f32(n), r = f32(n);
            FAST.scale(x, -1.7f, f); REF.scale(x, -1.7f, r);
            Parity.check("elementwise", "scale n=" + n, f, r);
            Tensor yf = copy(y0), yr = copy(y0);
            FAST.axpy(0.3f, x, yf); REF.axpy(0.3f, x, yr);
            Parity.check("elementwise", "axpy n=" + n, yf, yr);
        }
    }

    @Test
    void activationsForwardAndBackward() {
        for (int n : new int[] {1, 17, 65, 70_001}) {
            for (float mag : n > 100 ? new float[] {8f} : new float[] {1f, 8f, 100f}) { // 100: saturation, exp limits
                Tensor x = scaled(rnd.uniform(1, n), mag), g = rnd.uniform(1, n), up = rnd.uniform(2, n);
                String tag = " n=" + n + " |x|<=" + mag;
                Tensor f = f32(n), r = f32(n), f2 = f32(n), r2 = f32(n);
                FAST.silu(x, f); REF.silu(x, r);
                Parity.check("activation", "silu" + tag, f, r);
                FAST.siluBackward(x, g, f); REF.siluBackward(x, g, r);
                Parity.check("activation", "siluBackward" + tag, f, r);
                for (boolean tanh : new boolean[] {false, true}) {
                    FAST.gelu(x, tanh, f); REF.gelu(x, tanh, r);
                    Parity.check("gelu", "gelu tanh=" + tanh + tag, f, r);
                    FAST.geluBackward(x, tanh, g, f); REF.geluBackward(x, tanh, g, r);
                    Parity.check("gelu", "geluBackward tanh=" + tanh + tag, f, r);
                }
                FAST.swiglu(x, up, f); REF.swiglu(x, up, r);
                Parity.check("activation", "swiglu" + tag, f, r);
                FAST.swigluBackward(x, up, g, f, f2); REF.swigluBackward(x, up, g, r, r2);
                Parity.check("activation", "swigluBackward dgate" + tag, f, r);
                Parity.check("activation", "swigluBackward dup" + tag, f2, r2);
            }
        }
    }

    @Test
    void ropeForwardBackwardAndInPlace() {
        for (int d : new int[] {2, 16, 34, 64, 80, 128}) {
            for (int heads : new int[] {1, 3}) {
                int n = 37;
                RopeSpec spec = RopeSpec.text(d, 10000);
                Tensor pos = rnd.ints(4000, 1, n), cos = f32(n, d / 2), sin = f32(n, d / 2);
                REF.ropeTable(spec, pos, cos, sin);
                Tensor x = rnd.uniform(2, n, heads, d), f = f32(n, heads, d), r = f32(n, heads, d);
                FAST.rope(x, cos, sin, f); REF.rope(x, cos, sin, r);
                Parity.check("elementwise", "rope d=" + d + " H=" + heads, f, r);
                FAST.ropeBackward(x, cos, sin, f); REF.ropeBackward(x, cos, sin, r);
                Parity.check("elementwise", "ropeBackward d=" + d + " H=" + heads, f, r);
                Tensor inPlace = copy(x);
                FAST.rope(inPlace, cos, sin, inPlace);
                REF.rope(x, cos, sin, r);
                Parity.check("elementwise", "rope in place d=" + d, inPlace, r);
            }
        }
    }

    @Test
    void adamwStep() {
        for (int n : LENGTHS) {
            Tensor p = rnd.uniform(1, n), g = rnd.uniform(1, n), m = rnd.uniform(0.1f, n), v = scaled(rnd.uniform(1, n), 0f);
            REF.mul(p, p, v); // v ≥ 0, as a second moment is
            for (AdamWParams hp : new AdamWParams[] {new AdamWParams(1e-3f, 0.9f, 0.999f, 1e-8f, 0.1f, 1),
                                                     new AdamWParams(3e-4f, 0.8f, 0.95f, 1e-6f, 0f, 1000)}) {
                Tensor pf = copy(p), mf = copy(m), vf = copy(v), pr = copy(p), mr = copy(m), vr = copy(v);
                FAST.adamw(pf, g, mf, vf, hp);
                REF.adamw(pr, g, mr, vr, hp);
                Parity.check("adamw", "adamw param n=" + n + " step=" + hp.step(), pf, pr);
                Parity.check("adamw", "adamw m n=" + n, mf, mr);
                Parity.check("adamw", "adamw v n=" + n, vf, vr);
            }
        }
    }
}
