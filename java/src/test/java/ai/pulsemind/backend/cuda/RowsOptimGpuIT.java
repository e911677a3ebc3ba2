package ai.pulsemind.backend.cuda;

import ai.pulsemind.backend.AdamWParams;
import ai.pulsemind.backend.Backend.AdvantageScaling;
import ai.pulsemind.backend.Backend.Crpo;
import ai.pulsemind.backend.PatchSpec;
import ai.pulsemind.tensor.DType;
import ai.pulsemind.tensor.Shape;
import ai.pulsemind.tensor.Tensor;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.util.Random;

import static ai.pulsemind.backend.cuda.GpuParity.REF;
import static ai.pulsemind.backend.cuda.GpuParity.check;
import static ai.pulsemind.backend.cuda.GpuParity.down;
import static ai.pulsemind.backend.cuda.GpuParity.poisoned;
import static ai.pulsemind.backend.cuda.GpuParity.rand;
import static ai.pulsemind.backend.cuda.GpuParity.up;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Embedding gather/scatter-add, patch extraction and folding, fused AdamW and the CRPO advantage kernel. */
@RequiresCuda
class RowsOptimGpuIT {
    static CudaBackend be;

    @BeforeAll static void open() { be = GpuParity.open(); }

    @AfterAll static void close() { be.close(); }

    private static int[] ids(Random rnd, int n, int vocab) {
        int[] v = new int[n];
        for (int i = 0; i < n; i++) v[i] = rnd.nextInt(vocab);
        return v;
    }

    @Test
    void gatherRowsAnyDtypeAndWidth() {
        Random rnd = new Random(21);
        for (DType dt : new DType[] {DType.F32, DType.BF16, DType.I32}) {
            for (int c : new int[] {1, 3, 8, 64, 1000, 2048}) {
                int vocab = 97, n = 131;
                try (Tensor table = rand(rnd, DType.BF16, -100, 100, vocab, c); Tensor ht = Tensor.hostEmpty(dt, table.shape());
                     Tensor idx = Tensor.ofInts(ids(rnd, n, vocab), n)) {
                    REF.convert(table, ht);
                    try (Tensor gt = be.upload(ht); Tensor gi = be.upload(idx); Tensor out = poisoned(be, dt, n, c);
                         Tensor ref = Tensor.hostEmpty(dt, Shape.of(n, c))) {
                        be.gatherRows(gt, gi, out);
                        REF.gatherRows(ht, idx, ref);
                        check("gatherRows", dt, out.shape(), down(be, out), ref.toFloatArray());
                    }
                }
            }
        }
    }

    @Test
    void scatterAddRowsIsTheReferenceBitForBit() {
        Random rnd = new Random(22);
        for (DType dt : new DType[] {DType.F32, DType.BF16}) {
            for (int c : new int[] {1, 7, 256, 1030}) {
                int vocab = 50, n = 400; // many repeated ids: order matters for f32 sums
                try (Tensor src = rand(rnd, dt, -1, 1, n, c); Tensor idx = Tensor.ofInts(ids(rnd, n, vocab), n);
                     Tensor dst = rand(rnd, DType.F32, -1, 1, vocab, c); Tensor gs = up(be, src, dt);
                     Tensor gi = be.upload(idx); Tensor gd = be.upload(dst)) {
                    be.scatterAddRows(gs, gi, gd);
                    REF.scatterAddRows(src, idx, dst);
                    check("scatterAddRows", dt, dst.shape(), down(be, gd), dst.toFloatArray());
                }
            }
        }
    }

    @Test
    void outOfRangeIdsAreReportedAtTheNextSynchronisation() {
        try (Tensor table = be.zeros(DType.F32, Shape.of(10, 4)); Tensor idx = be.upload(Tensor.ofInts(new int[] {1, 10, 2}, 3));
             Tensor out = be.empty(DType.F32, Shape.of(3, 4))) {
            be.gatherRows(table, idx, out);
            IndexOutOfBoundsException e = assertThrows(IndexOutOfBoundsException.class, be::synchronize);
            assertEquals("gatherRows: index 10 at position 1 is outside the table (the row was left unwritten)", e.getMessage());
            be.synchronize(); // the error word was cleared
            be.scatterAddRows(out, be.upload(Tensor.ofInts(new int[] {0, -1, 0}, 3)), table);
            e = assertThrows(IndexOutOfBoundsException.class, () -> down(be, table));
            assertTrue(e.getMessage().startsWith("scatterAddRows: index -1 at position 1"), e.getMessage());
        }
    }

    @Test
    void patchesExtractAndFold() {
        Random rnd = new Random(23);
        PatchSpec[] specs = {new PatchSpec(2, 14, 2), new PatchSpec(1, 4, 2), new PatchSpec(1, 3, 1)};
        int[][] frames = {{2, 3, 56, 84}, {3, 5, 16, 8}, {1, 2, 9, 6}};
        for (int s = 0; s < specs.length; s++) {
            PatchSpec sp = specs[s];
            int[] f = frames[s];
            int rows = f[0] / sp.temporalPatch() * (f[2] / sp.patch()) * (f[3] / sp.patch()), cols = sp.patchDim(f[1]);
            for (DType dt : new DType[] {DType.F32, DType.BF16}) {
                try (Tensor fr = rand(rnd, dt, -1, 1, f); Tensor gf = up(be, fr, dt); Tensor p = poisoned(be, dt, rows, cols);
                     Tensor rp = Tensor.hostEmpty(DType.F32, Shape.of(rows, cols)); Tensor back = poisoned(be, dt, f);
                     Tensor rb = Tensor.hostEmpty(DType.F32, fr.shape())) {
                    be.extractPatches(gf, sp, p);
                    REF.extractPatches(fr, sp, rp);
                    check("patches", be, p, rp);
                    be.foldPatches(p, sp, back);
                    REF.foldPatches(rp, sp, rb);
                    check("patches", be, back, rb);
                    check("patches", dt, fr.shape(), down(be, back), fr.toFloatArray()); // fold ∘ extract = identity
                }
            }
        }
    }

    @Test
    void fusedAdamwMatchesTheReferenceWithBf16CopyAndBf16Grads() {
        Random rnd = new Random(24);
        for (int n : new int[] {1, 5, 4096, 100_003}) {
            for (DType gd : new DType[] {DType.F32, DType.BF16}) {
                try (Tensor p = rand(rnd, DType.F32, -1, 1, n); Tensor g = rand(rnd, gd, -1, 1, n); Tensor m = rand(rnd, DType.F32, -0.1f, 0.1f, n);
                     Tensor v = rand(rnd, DType.F32, 0, 0.01f, n); Tensor gp = be.upload(p); Tensor gg = up(be, g, gd); Tensor gm = be.upload(m); Tensor gv = be.upload(v); Tensor copy = poisoned(be, DType.BF16, n)) {
                    AdamWParams hp = new AdamWParams(1e-3f, 0.9f, 0.95f, 1e-8f, 0.1f, 7);
                    be.adamw(gp, gg, gm, gv, hp, copy);
                    REF.adamw(p, g, m, v, hp);
                    check("adamw.param", DType.F32, p.shape(), down(be, gp), p.toFloatArray());
                    check("adamw.m", DType.F32, m.shape(), down(be, gm), m.toFloatArray());
                    check("adamw.v", DType.F32, v.shape(), down(be, gv), v.toFloatArray());
                    try (Tensor pb = Tensor.hostEmpty(DType.BF16, p.shape()); Tensor gpu = Tensor.hostEmpty(DType.F32, p.shape())) {
                        be.copy(gp, gpu);
                        REF.convert(gpu, pb); // the copy is exactly the rounded master weight
                        check("adamw.bf16copy", DType.BF16, p.shape(), down(be, copy), pb.toFloatArray());
                    }
                }
            }
        }
    }

    @Test
    void crpoAdvantageKernelMatchesTheReference() {
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
                    try (Tensor hv = Tensor.ofInts(v, s); Tensor hw = Tensor.of(w, s[3]); Tensor gv = be.upload(hv);
                         Tensor gw = be.upload(hw); Tensor r = poisoned(be, DType.F32, s[0], s[1]);
                         Tensor a = poisoned(be, DType.F32, s[0], s[1]); Tensor rr = Tensor.hostEmpty(DType.F32, Shape.of(s[0], s[1]));
                         Tensor ra = Tensor.hostEmpty(DType.F32, Shape.of(s[0], s[1]))) {
                        be.crpoAdvantage(gv, gw, tie, sc, 1e-4f, r, a);
                        REF.crpoAdvantage(hv, hw, tie, sc, 1e-4f, rr, ra);
                        check("crpoAdvantage.rewards", be, r, rr);
                        check("crpoAdvantage." + sc.name().toLowerCase(), be, a, ra);
                    }
                }
            }
        }
        try (Tensor bad = be.upload(Tensor.ofInts(new int[] {Crpo.WIN, 5}, 1, 2, 1, 1)); Tensor w = be.upload(Tensor.of(new float[] {1f}, 1));
             Tensor r = be.empty(DType.F32, Shape.of(1, 2)); Tensor a = be.empty(DType.F32, Shape.of(1, 2))) {
            be.crpoAdvantage(bad, w, 0f, AdvantageScaling.GROUP, 1e-4f, r, a);
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, be::synchronize);
            assertTrue(e.getMessage().contains("verdict 5 at flat index 1"), e.getMessage());
        }
    }
}
