package ai.pulsemind.backend.cuda;

import ai.pulsemind.backend.AdamWParams;
import ai.pulsemind.backend.AttentionSpec;
import ai.pulsemind.backend.conformance.Target;
import ai.pulsemind.tensor.DType;
import ai.pulsemind.tensor.Shape;
import ai.pulsemind.tensor.Tensor;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.util.Random;

import static ai.pulsemind.backend.conformance.Target.REF;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * What only the CUDA backend has, beyond the op table the conformance suite covers: the bias epilogue of its GEMM,
 * AdamW's bf16 copy of the updated weight, index and verdict errors raised at the next synchronisation, attention
 * metadata sent to the device once per spec, the split-K decode plan on this device, and the fused log-prob's peak
 * memory within its chunk budget.
 */
@RequiresCuda
class CudaSpecificGpuIT {
    static CudaBackend be;
    static CudaTarget t;

    @BeforeAll static void open() {
        be = CudaTarget.open();
        t = new CudaTarget(be);
    }

    @AfterAll static void close() {
        be.useAttentionKernels(AttentionKernels.AUTO);
        be.logprobScratchBytes(LogprobLaunch.SCRATCH_BYTES);
        be.close();
    }

    @Test
    void biasEpilogue() {
        Random rnd = new Random(33);
        for (DType dt : new DType[] {DType.F32, DType.BF16}) {
            int m = 37, n = 96, k = 80;
            try (Tensor x = Target.rand(rnd, dt, -1, 1, m, k); Tensor w = Target.rand(rnd, dt, -1, 1, n, k); Tensor bias = Target.rand(rnd, dt, -1, 1, n);
                 Tensor gx = t.up(x, dt); Tensor gw = t.up(w, dt); Tensor gbias = t.up(bias, dt); Tensor out = t.poisoned(dt, m, n);
                 Tensor ref = Tensor.hostEmpty(DType.F32, Shape.of(m, n))) {
                be.matmulBias(gx, false, gw, true, gbias, out);
                REF.matmul(x, false, w, true, ref, 1f, 0f);
                REF.add(ref, bias, ref);
                t.check("matmul", "bias epilogue " + dt, out, ref);
            }
        }
    }

    @Test
    void fusedAdamwWritesTheBf16CopyOfTheUpdatedWeight() {
        Random rnd = new Random(24);
        for (int n : new int[] {1, 5, 4096, 100_003}) {
            for (DType gd : new DType[] {DType.F32, DType.BF16}) {
                try (Tensor p = Target.rand(rnd, DType.F32, -1, 1, n); Tensor g = Target.rand(rnd, gd, -1, 1, n);
                     Tensor m = Target.rand(rnd, DType.F32, -0.1f, 0.1f, n); Tensor v = Target.rand(rnd, DType.F32, 0, 0.01f, n);
                     Tensor gp = t.up(p); Tensor gg = t.up(g, gd); Tensor gm = t.up(m); Tensor gv = t.up(v); Tensor copy = t.poisoned(DType.BF16, n);
                     Tensor pb = Tensor.hostEmpty(DType.BF16, p.shape()); Tensor gpu = Tensor.hostEmpty(DType.F32, p.shape())) {
                    AdamWParams hp = new AdamWParams(1e-3f, 0.9f, 0.95f, 1e-8f, 0.1f, 7);
                    be.adamw(gp, gg, gm, gv, hp, copy);
                    REF.adamw(p, g, m, v, hp);
                    t.check("adamw.param", "n=" + n + " " + gd, gp, p);
                    be.copy(gp, gpu);
                    REF.convert(gpu, pb); // the copy is exactly the rounded master weight
                    t.check("adamw.bf16copy", "n=" + n + " " + gd, DType.BF16, p.shape(), t.down(copy), pb.toFloatArray());
                }
            }
        }
    }

    @Test
    void outOfRangeIdsAndBadVerdictsAreReportedAtTheNextSynchronisation() {
        try (Tensor table = be.zeros(DType.F32, Shape.of(10, 4)); Tensor idx = t.up(Tensor.ofInts(new int[] {1, 10, 2}, 3));
             Tensor out = be.empty(DType.F32, Shape.of(3, 4)); Tensor neg = t.up(Tensor.ofInts(new int[] {0, -1, 0}, 3))) {
            be.gatherRows(table, idx, out);
            IndexOutOfBoundsException e = assertThrows(IndexOutOfBoundsException.class, be::synchronize);
            assertEquals("gatherRows: index 10 at position 1 is outside the table (the row was left unwritten)", e.getMessage());
            be.synchronize(); // the error word was cleared
            be.scatterAddRows(out, neg, table);
            e = assertThrows(IndexOutOfBoundsException.class, () -> t.down(table));
            assertTrue(e.getMessage().startsWith("scatterAddRows: index -1 at position 1"), e.getMessage());
        }
    }

    @Test
    void cuSeqlensGoToTheDeviceOncePerSpec() {
        be.useAttentionKernels(AttentionKernels.AUTO);
        AttentionSpec spec = AttentionSpec.selfAttention(new int[] {1, 17, 64, 100}, true, 64);
        Random rnd = new Random(7);
        int nq = spec.totalQ();
        try (Tensor q = t.up(Target.rand(rnd, DType.BF16, -1, 1, nq, 4, 64), DType.BF16);
             Tensor k = t.up(Target.rand(rnd, DType.BF16, -1, 1, nq, 4, 64), DType.BF16);
             Tensor v = t.up(Target.rand(rnd, DType.BF16, -1, 1, nq, 4, 64), DType.BF16);
             Tensor out = be.empty(DType.BF16, q.shape()); Tensor lse = be.empty(DType.F32, Shape.of(4, nq))) {
            long before = be.specUploads();
            for (int layer = 0; layer < 4; layer++) be.attention(q, k, v, spec, out, lse);
            AttentionSpec same = new AttentionSpec(spec.cuSeqlensQ(), spec.cuSeqlensK(), true, spec.scale());
            be.attention(q, k, v, same, out, lse);
            be.synchronize();
            assertEquals(before + 1, be.specUploads(), "one upload for a spec used by every layer, none for an equal spec");
        }
    }

    @Test
    void theDecodePlanSplitsLongCachesAndCoversEveryKey() {
        int[] p = be.diagnostics().decodePlan(1, 16, 2, 4096);
        assertTrue(p[0] > 1 && (long) p[0] * p[1] >= 4096, "B=1 over 4096 keys splits: " + p[0] + " x " + p[1]);
        int[] one = be.diagnostics().decodePlan(64, 32, 8, 100);
        assertTrue(one[0] >= 1 && (long) one[0] * one[1] >= 100, one[0] + " x " + one[1]);
    }

    @Test
    void logprobPeakMemoryStaysWithinTheChunkBudget() {
        int n = 512, c = 64, vocab = 20_000;
        long budget = 4L << 20;
        be.logprobScratchBytes(budget);
        Random rnd = new Random(43);
        int[] targets = new int[n];
        for (int i = 0; i < n; i++) targets[i] = i % 7 == 0 ? -1 : rnd.nextInt(vocab);
        try (Tensor gh = t.up(Target.rand(rnd, DType.BF16, -1, 1, n, c), DType.BF16);
             Tensor gw = t.up(Target.rand(rnd, DType.BF16, -1, 1, vocab, c), DType.BF16); Tensor gt = t.up(Tensor.ofInts(targets, n));
             Tensor logp = be.empty(DType.F32, Shape.of(n)); Tensor lse = be.empty(DType.F32, Shape.of(n));
             Tensor dl = be.zeros(DType.F32, Shape.of(n)); Tensor dh = be.empty(DType.BF16, Shape.of(n, c))) {
            be.logprob(gh, gw, gt, 1f, logp, lse); // warm-up: cuBLASLt's workspace is allocated on the first GEMM
            be.synchronize();
            long base = be.memoryStats().inUse();
            be.diagnostics().resetPeakMemory();
            be.logprob(gh, gw, gt, 1f, logp, lse);
            be.logprobBackward(gh, gw, gt, 1f, lse, dl, dh, null);
            be.synchronize();
            long extra = be.memoryStats().peak() - base, logits = (long) n * vocab * 4;
            // slabs within the budget, plus dH32 (N·C f32) and size-class rounding; the logits would be 40 MiB
            assertTrue(extra <= budget + 4L * n * c + (1L << 20), "peak " + extra + " bytes beyond the inputs, budget " + budget);
            assertTrue(extra * 8 < logits, "peak " + extra + " vs materialised f32 logits " + logits);
        } finally {
            be.logprobScratchBytes(LogprobLaunch.SCRATCH_BYTES);
        }
    }
}
