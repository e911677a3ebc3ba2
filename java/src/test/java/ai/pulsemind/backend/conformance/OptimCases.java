package ai.pulsemind.backend.conformance;

import ai.pulsemind.backend.AdamWParams;
import ai.pulsemind.tensor.DType;
import ai.pulsemind.tensor.Shape;
import ai.pulsemind.tensor.Tensor;

import java.util.List;
import java.util.Random;

import static ai.pulsemind.backend.conformance.Target.REF;

/**
 * The training-step ops: AdamW over lengths around the vector width and the parallel chunk, the first step and a
 * late one, with and without weight decay, the gradient in every dtype the target takes.
 */
final class OptimCases extends OpCases {
    @Override
    List<Case> cases() {
        return List.of(new Case("adamw", OptimCases::adamw));
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
}
