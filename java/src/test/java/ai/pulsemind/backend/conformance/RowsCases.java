package ai.pulsemind.backend.conformance;

import ai.pulsemind.backend.PatchSpec;
import ai.pulsemind.tensor.DType;
import ai.pulsemind.tensor.Shape;
import ai.pulsemind.tensor.Tensor;

import java.util.List;
import java.util.Random;

import static ai.pulsemind.backend.conformance.Target.REF;

/**
 * Row moves, exact on every backend: the embedding gather in any dtype and row width (16-byte rows and not),
 * its scatter-add backward with many repeated ids (rows added in n order, so f32 sums agree bit for bit), and the
 * vision patch permutation and its inverse (fold ∘ extract = identity).
 */
final class RowsCases extends OpCases {
    @Override
    List<Case> cases() {
        return List.of(new Case("gatherRows any dtype and width", RowsCases::gather), new Case("scatterAddRows", RowsCases::scatter),
                new Case("extractPatches, foldPatches", RowsCases::patches));
    }

    private static int[] ids(Random rnd, int n, int vocab) {
        int[] v = new int[n];
        for (int i = 0; i < n; i++) v[i] = rnd.nextInt(vocab);
        return v;
    }

    private static void gather(Target t) {
        Random rnd = new Random(21);
        for (DType dt : new DType[] {DType.F32, DType.BF16, DType.I32}) {
            if (!t.accepts("gatherRows", dt, DType.I32, dt)) continue;
            for (int c : new int[] {1, 3, 8, 64, 1000, 2048}) {
                int vocab = 97, n = 131;
                try (Tensor table = Target.rand(rnd, DType.BF16, -100, 100, vocab, c); Tensor ht = Tensor.hostEmpty(dt, table.shape());
                     Tensor idx = ints(ids(rnd, n, vocab), n)) {
                    REF.convert(table, ht);
                    try (Tensor gt = t.up(ht); Tensor gi = t.up(idx); Tensor out = t.poisoned(dt, n, c);
                         Tensor ref = Tensor.hostEmpty(dt, Shape.of(n, c))) {
                        t.backend().gatherRows(gt, gi, out);
                        REF.gatherRows(ht, idx, ref);
                        t.check("gatherRows", dt + " C=" + c, dt, out.shape(), t.down(out), ref.toFloatArray());
                    }
                }
            }
        }
    }

    private static void scatter(Target t) {
        Random rnd = new Random(22);
        for (DType dt : t.dtypes("scatterAddRows")) {
            for (int c : new int[] {1, 7, 256, 1030}) {
                int vocab = 50, n = 400; // many repeated ids: order matters for f32 sums
                try (Tensor src = Target.rand(rnd, dt, -1, 1, n, c); Tensor idx = ints(ids(rnd, n, vocab), n);
                     Tensor dst = Target.rand(rnd, DType.F32, -1, 1, vocab, c); Tensor gs = t.up(src, dt);
                     Tensor gi = t.up(idx); Tensor gd = t.up(dst)) {
                    t.backend().scatterAddRows(gs, gi, gd);
                    REF.scatterAddRows(src, idx, dst);
                    t.check("scatterAddRows", dt + " C=" + c, dt, dst.shape(), t.down(gd), dst.toFloatArray());
                }
            }
        }
    }

    private static void patches(Target t) {
        Random rnd = new Random(23);
        PatchSpec[] specs = {new PatchSpec(2, 14, 2), new PatchSpec(1, 4, 2), new PatchSpec(1, 3, 1)};
        int[][] frames = {{2, 3, 56, 84}, {3, 5, 16, 8}, {1, 2, 9, 6}};
        for (int s = 0; s < specs.length; s++) {
            PatchSpec sp = specs[s];
            int[] f = frames[s];
            int rows = f[0] / sp.temporalPatch() * (f[2] / sp.patch()) * (f[3] / sp.patch()), cols = sp.patchDim(f[1]);
            for (DType dt : t.dtypes("extractPatches")) {
                String label = sp + " " + dt;
                try (Tensor fr = Target.rand(rnd, dt, -1, 1, f); Tensor gf = t.up(fr, dt); Tensor p = t.poisoned(dt, rows, cols);
                     Tensor rp = hostF32(rows, cols); Tensor back = t.poisoned(dt, f); Tensor rb = Tensor.hostEmpty(DType.F32, fr.shape())) {
                    t.backend().extractPatches(gf, sp, p);
                    REF.extractPatches(fr, sp, rp);
                    t.check("patches", label + " extract", p, rp);
                    t.backend().foldPatches(p, sp, back);
                    REF.foldPatches(rp, sp, rb);
                    t.check("patches", label + " fold", back, rb);
                    t.check("patches", label + " fold∘extract", dt, fr.shape(), t.down(back), fr.toFloatArray());
                }
            }
        }
    }
}
