package ai.pulsemind.backend.conformance;

import ai.pulsemind.backend.AdamWParams;
import ai.pulsemind.backend.Backend.AdvantageScaling;
import ai.pulsemind.backend.Backend.Crpo;
import ai.pulsemind.tensor.DType;
import ai.pulsemind.tensor.Shape;
import ai.pulsemind.tensor.Tensor;

import java.util.List;
import java.util.Random;

import static ai.pulsemind.backend.conformance.Target.REF;

/**
 * The training-step ops: AdamW over lengths around the vector width and the parallel chunk, the first step and a
 * late one, with and without weight decay, the gradient in every dtype the target takes; and the CRPO rewards and
 * group-normalised advantages over batch shapes with random verdicts (missing comparisons included), a zero-std
 * group, every scaling and two tie scores.
 */
final class OptimCases extends OpCases {
    @Override
    List<Case> cases() {
        return List.of(new Case("adamw", OptimCases::adamw), new Case("crpoAdvantage", OptimCases::crpo));
    }

    private static void adamw(Target t) {
        Random rnd = new Random(24);
        AdamWParams[] hps = {new AdamWParams(1e-3f, 0.9f, 0.999f, 1e-8f, 0.1f, 1), new AdamWParams(3e-4f, 0.8f, 0.95f, 1e-6f, 0f, 1000),
                new AdamWParams(1e-3f, 0.9f, 0.95f, 1e-8f, 0.1f, 7)};
        for (int n : new int[] {1, 3, 5, 17, 63, 65, 129, 4096, 70_001, 100_003}) {
            for (DType gd : new DType[] {DType.F32, DType.BF16}) {
                if (!t.accepts("adamw", DType.F32, gd, DType.F32, DType.F32)) continue;
                for (AdamWParams hp : hps) {
                    String label = "n=" + n + " grad " + gd + " step " + hp.step() + " wd " + hp.weightDecay();
                    try (Tensor p = Target.rand(rnd, DType.F32, -1, 1, n); Tensor g = Target.rand(rnd, gd, -1, 1, n);
                         Tensor m = Target.rand(rnd, DType.F32, -0.1f, 0.1f, n); Tensor v = Target.rand(rnd, DType.F32, 0, 0.01f, n);
                         Tensor gp = t.up(p); Tensor gg = t.up(g, gd); Tensor gm = t.up(m); Tensor gv = t.up(v)) {
                        t.backend().adamw(gp, gg, gm, gv, hp);
                        REF.adamw(p, g, m, v, hp);
                        t.check("adamw.param", label, gp, p);
                        t.check("adamw.m", label, gm, m);
                        t.check("adamw.v", label, gv, v);
                    }
                }
            }
        }
    }

    private static void crpo(Target t) {
        Random rnd = new Random(25);
        int[][] shapes = {{1, 1, 1, 1}, {1, 2, 2, 2}, {4, 8, 5, 4}, {64, 16, 5, 4}, {3, 7, 3, 2}};
        for (int[] s : shapes) {
            int[] v = new int[s[0] * s[1] * s[2] * s[3]];
            for (int i = 0; i < v.length; i++) v[i] = rnd.nextInt(4) - 1; // MISSING, LOSS, TIE, WIN
            if (s[0] == 64) for (int i = 0; i < s[1] * s[2] * s[3]; i++) v[i] = Crpo.WIN; // a zero-std group
            float[] w = new float[s[3]];
            for (int k = 0; k < w.length; k++) w[k] = 1f / s[3];
            for (AdvantageScaling sc : AdvantageScaling.values()) {
                for (float tie : new float[] {0f, 0.5f}) {
                    String label = java.util.Arrays.toString(s) + " " + sc + " tie " + tie;
                    try (Tensor hv = ints(v, s); Tensor hw = Tensor.of(w, s[3]); Tensor gv = t.up(hv); Tensor gw = t.up(hw);
                         Tensor r = t.poisoned(DType.F32, s[0], s[1]); Tensor a = t.poisoned(DType.F32, s[0], s[1]);
                         Tensor rr = Tensor.hostEmpty(DType.F32, Shape.of(s[0], s[1])); Tensor ra = Tensor.hostEmpty(DType.F32, Shape.of(s[0], s[1]))) {
                        t.backend().crpoAdvantage(gv, gw, tie, sc, 1e-4f, r, a);
                        REF.crpoAdvantage(hv, hw, tie, sc, 1e-4f, rr, ra);
                        t.check("crpoAdvantage.rewards", label, r, rr);
                        t.check("crpoAdvantage." + sc.name().toLowerCase(), label, a, ra);
                    }
                }
            }
        }
    }
}
