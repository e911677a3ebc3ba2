package ai.pulsemind.backend.conformance;

import ai.pulsemind.backend.RopeSpec;
import ai.pulsemind.tensor.DType;
import ai.pulsemind.tensor.Tensor;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;

import static ai.pulsemind.backend.conformance.Target.REF;

/**
 * Rotary embeddings: the cos/sin tables of text, M-RoPE (three position axes) and the vision tower's 2-D layout at
 * large positions (range reduction), then the rotation forward, backward and in place, over head dims from 2 to 128
 * (the smallest, odd halves, the vision tower's 80) with one and three heads. The rotation gets the reference's
 * tables, so it is judged on its own.
 */
final class RopeCases extends OpCases {
    @Override
    List<Case> cases() {
        return List.of(new Case("ropeTable, rope, ropeBackward, in place", RopeCases::rope));
    }

    private static List<RopeSpec> specs() {
        List<RopeSpec> s = new ArrayList<>(List.of(RopeSpec.text(128, 1e6), RopeSpec.mrope(128, 1e6, new int[] {16, 24, 24}),
                RopeSpec.vision2d(80, 1e4), RopeSpec.text(6, 1e4)));
        for (int d : new int[] {2, 16, 34, 64}) s.add(RopeSpec.text(d, 10000));
        return s;
    }

    private static void rope(Target t) {
        Random rnd = new Random(14);
        for (RopeSpec spec : specs()) {
            int n = 37, d = spec.headDim(), half = d / 2;
            int[] pos = new int[spec.axes() * n];
            for (int i = 0; i < pos.length; i++) pos[i] = rnd.nextInt(32768); // large positions: range reduction
            String label = "D=" + d + " axes=" + spec.axes();
            try (Tensor hp = ints(pos, spec.axes(), n); Tensor gp = t.up(hp); Tensor cos = t.poisoned(DType.F32, n, half);
                 Tensor sin = t.poisoned(DType.F32, n, half); Tensor rc = hostF32(n, half); Tensor rs = hostF32(n, half)) {
                t.backend().ropeTable(spec, gp, cos, sin);
                REF.ropeTable(spec, hp, rc, rs);
                t.check("ropeTable.cos", label, cos, rc);
                t.check("ropeTable.sin", label, sin, rs);
                rotations(t, rnd, label, rc, rs);
            }
        }
    }

    private static void rotations(Target t, Random rnd, String label, Tensor rc, Tensor rs) {
        int n = rc.dim(0), d = 2 * rc.dim(1);
        for (DType dt : t.dtypes("rope")) {
            for (int heads : new int[] {1, 3}) {
                String l = label + " H=" + heads + " " + dt;
                try (Tensor x = Target.rand(rnd, dt, -2, 2, n, heads, d); Tensor gx = t.up(x, dt); Tensor gc = t.up(rc);
                     Tensor gs = t.up(rs); Tensor out = t.poisoned(dt, n, heads, d); Tensor ro = hostF32(n, heads, d)) {
                    t.backend().rope(gx, gc, gs, out);
                    REF.rope(x, rc, rs, ro);
                    t.check("rope", l, out, ro);
                    t.backend().ropeBackward(gx, gc, gs, out);
                    REF.ropeBackward(x, rc, rs, ro);
                    t.check("ropeBackward", l, out, ro);
                    t.backend().rope(gx, gc, gs, gx); // in place (out aliases x)
                    REF.rope(x, rc, rs, ro);
                    t.check("rope", l + " in place", gx, ro);
                }
            }
        }
    }
}
