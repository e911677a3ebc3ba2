package ai.pulsemind.backend.cuda;

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
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The fused LM head + log-prob ({@code logprob.cu} with cuBLASLt chunk GEMMs) against the CPU reference, forward
 * and backward: many vocabulary chunks (a small scratch budget), one chunk, a last chunk of odd width; masked
 * targets (logp 0, no gradient), the first and last ids; temperatures ≠ 1; dhidden in bf16 and f32; the head
 * gradient accumulated in f32 or bf16, or skipped; and the peak memory staying O(N × chunk).
 */
@RequiresCuda
class LogprobGpuIT {
    static CudaBackend be;

    @BeforeAll static void open() { be = GpuParity.open(); }

    @AfterAll static void close() {
        be.logprobScratchBytes(LogprobLaunch.SCRATCH_BYTES);
        be.close();
    }

    /** {N, C, V, scratch bytes (0 = default)}, temperature. */
    record Case(int n, int c, int vocab, long scratch, float temperature) {}

    static final Case[] CASES = {new Case(257, 96, 1000, 257L * 4 * 256, 0.7f), new Case(64, 64, 300, 0, 1f),
            new Case(130, 128, 1027, 130L * 6 * 128, 1.3f), new Case(1, 40, 5000, 0, 1f)};

    private static int[] targets(Random rnd, int n, int vocab) {
        int[] t = new int[n];
        for (int i = 0; i < n; i++) t[i] = i % 7 == 0 ? -1 : rnd.nextInt(vocab); // every 7th masked
        if (n > 2) {
            t[1] = 0;
            t[2] = vocab - 1;
        }
        return t;
    }

    @Test
    void forwardAndBackwardMatchTheReference() {
        Random rnd = new Random(41);
        for (Case c : CASES) {
            be.logprobScratchBytes(c.scratch() > 0 ? c.scratch() : LogprobLaunch.SCRATCH_BYTES);
            String label = "N" + c.n() + " C" + c.c() + " V" + c.vocab() + " chunk " + LogprobLaunch.chunk(c.n(), c.vocab(), 4,
                    c.scratch() > 0 ? c.scratch() : LogprobLaunch.SCRATCH_BYTES) + " T" + c.temperature();
            try (Tensor h = rand(rnd, DType.BF16, -1.7f, 1.7f, c.n(), c.c()); Tensor w = rand(rnd, DType.BF16, -0.9f, 0.9f, c.vocab(), c.c());
                 Tensor t = Tensor.ofInts(targets(rnd, c.n(), c.vocab()), c.n()); Tensor dl = rand(rnd, DType.F32, -1, 1, c.n());
                 Tensor rlogp = Tensor.hostEmpty(DType.F32, Shape.of(c.n())); Tensor rlse = Tensor.hostEmpty(DType.F32, Shape.of(c.n()));
                 Tensor rdh = Tensor.hostEmpty(DType.F32, h.shape()); Tensor rdw = Tensor.hostZeros(DType.F32, w.shape());
                 Tensor gh = up(be, h, DType.BF16); Tensor gw = up(be, w, DType.BF16); Tensor gt = be.upload(t); Tensor gdl = be.upload(dl);
                 Tensor logp = poisoned(be, DType.F32, c.n()); Tensor lse = poisoned(be, DType.F32, c.n())) {
                REF.logprob(h, w, t, c.temperature(), rlogp, rlse);
                be.logprob(gh, gw, gt, c.temperature(), logp, lse);
                check("logprob", label + " logp", DType.F32, logp.shape(), down(be, logp), rlogp.toFloatArray());
                check("logprob", label + " lse", DType.F32, lse.shape(), down(be, lse), rlse.toFloatArray());
                float[] lp = down(be, logp);
                for (int i = 0; i < c.n(); i += 7) assertEquals(0f, lp[i], label + ": a masked target's logp is 0");
                REF.logprobBackward(h, w, t, c.temperature(), rlse, dl, rdh, rdw); // both sides read the reference lse
                try (Tensor glse = be.upload(rlse)) {
                    backward(c, label, gh, gw, gt, glse, gdl, rdh, rdw);
                }
            }
        }
    }

    private void backward(Case c, String label, Tensor gh, Tensor gw, Tensor gt, Tensor lse, Tensor dl, Tensor rdh, Tensor rdw) {
        Random rnd = new Random(c.n());
        try (Tensor dw0 = rand(rnd, DType.F32, -0.5f, 0.5f, c.vocab(), c.c()); Tensor dw = be.upload(dw0);
             Tensor dwb = be.zeros(DType.BF16, gw.shape()); Tensor dh = poisoned(be, DType.BF16, c.n(), c.c());
             Tensor dh32 = poisoned(be, DType.F32, c.n(), c.c()); Tensor dhFrozen = poisoned(be, DType.BF16, c.n(), c.c())) {
            be.logprobBackward(gh, gw, gt, c.temperature(), lse, dl, dh, dw);          // dweight F32, accumulated
            be.logprobBackward(gh, gw, gt, c.temperature(), lse, dl, dh32, dwb);       // dhidden F32, dweight BF16 from 0
            be.logprobBackward(gh, gw, gt, c.temperature(), lse, dl, dhFrozen, null);  // a frozen head
            float[] ref = rdh.toFloatArray();
            check("logprob.grad", label + " dhidden bf16", DType.BF16, dh.shape(), down(be, dh), ref);
            check("logprob.grad", label + " dhidden f32", DType.F32, dh32.shape(), down(be, dh32), ref);
            check("logprob.grad", label + " dhidden frozen head", DType.BF16, dh.shape(), down(be, dhFrozen), ref);
            float[] acc = down(be, dw), base = dw0.toFloatArray();
            for (int i = 0; i < acc.length; i++) acc[i] -= base[i]; // what was accumulated
            check("logprob.grad", label + " dweight f32 accumulated", DType.F32, dw.shape(), acc, rdw.toFloatArray());
            check("logprob.grad", label + " dweight bf16", DType.BF16, dwb.shape(), down(be, dwb), rdw.toFloatArray());
        }
    }

    @Test
    void peakMemoryStaysWithinTheChunkBudget() {
        int n = 512, c = 64, vocab = 20_000;
        long budget = 4L << 20;
        be.logprobScratchBytes(budget);
        Random rnd = new Random(43);
        try (Tensor h = rand(rnd, DType.BF16, -1, 1, n, c); Tensor w = rand(rnd, DType.BF16, -1, 1, vocab, c);
             Tensor gh = up(be, h, DType.BF16); Tensor gw = up(be, w, DType.BF16); Tensor gt = be.upload(Tensor.ofInts(targets(rnd, n, vocab), n));
             Tensor logp = be.empty(DType.F32, Shape.of(n)); Tensor lse = be.empty(DType.F32, Shape.of(n));
             Tensor dl = be.zeros(DType.F32, Shape.of(n)); Tensor dh = be.empty(DType.BF16, Shape.of(n, c))) {
            be.logprob(gh, gw, gt, 1f, logp, lse); // warm-up: cuBLASLt's workspace is allocated on the first GEMM
            be.synchronize();
            long base = be.memoryStats().inUse();
            be.allocator().resetPeak();
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
