package ai.pulsemind.backend.conformance;

import ai.pulsemind.tensor.DType;
import ai.pulsemind.tensor.Tensor;

import java.util.List;
import java.util.Random;

import static ai.pulsemind.backend.conformance.Target.REF;
import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * The fused LM head + log-prob, forward and backward: token counts around the CPU's 384-token chunk, vocabularies
 * around its 96-row block, many vocabulary chunks on CUDA (a small scratch budget), one chunk, a last chunk of odd
 * width; masked targets (logp 0, no gradient), the first and the last id; temperatures ≠ 1; logits of order ±100
 * and all zero; dhidden in every dtype the target takes; the head gradient accumulated onto existing values, from
 * zero in another dtype, or skipped (a frozen head). Both sides' backwards read the reference's lse.
 */
final class LogprobCases extends OpCases {
    /** {N, C, V}, the chunk budget in bytes (0: the target's default), temperature, |hidden|, small. */
    record Shape3(int n, int c, int vocab, long scratch, float temperature, float mag, boolean small) {}

    static final Shape3[] CASES = {
            new Shape3(257, 96, 1000, 257L * 4 * 256, 0.7f, 1.7f, false), new Shape3(64, 64, 300, 0, 1f, 1.7f, true),
            new Shape3(130, 128, 1027, 130L * 6 * 128, 1.3f, 1.7f, false), new Shape3(1, 40, 5000, 0, 1f, 1.7f, true),
            new Shape3(1, 1, 1, 0, 1f, 1f, true), new Shape3(3, 17, 5, 0, 1f, 1f, true), new Shape3(17, 63, 97, 0, 0.7f, 1f, true),
            new Shape3(65, 65, 193, 0, 1f, 1f, false), new Shape3(385, 20, 96, 0, 1.3f, 1f, false),
            new Shape3(40, 32, 150, 0, 1f, 30f, false), // logits of order ±100: lse must not overflow
            new Shape3(40, 32, 150, 0, 0.1f, 0f, false), // all logits zero: the uniform distribution
    };

    @Override
    List<Case> cases() { return List.of(new Case("logprob and backward", LogprobCases::logprob)); }

    private static int[] targets(Random rnd, int n, int vocab) {
        int[] t = new int[n];
        for (int i = 0; i < n; i++) t[i] = i % 7 == 0 ? -1 : rnd.nextInt(vocab); // every 7th masked
        if (n > 2) {
            t[1] = 0;
            t[2] = vocab - 1;
        }
        return t;
    }

    private static void logprob(Target t) {
        Random rnd = new Random(41);
        for (DType dt : t.dtypes("logprob")) {
            for (Shape3 c : CASES) {
                if (t.small() && !c.small()) continue;
                t.logprobChunkBudget(c.scratch());
                String label = "N" + c.n() + " C" + c.c() + " V" + c.vocab() + " T" + c.temperature() + " |h|<=" + c.mag()
                        + (c.scratch() > 0 ? " scratch " + c.scratch() : "");
                try (Tensor h = Target.rand(rnd, dt, -c.mag(), c.mag(), c.n(), c.c()); Tensor w = Target.rand(rnd, dt, -0.9f, 0.9f, c.vocab(), c.c());
                     Tensor tg = ints(targets(rnd, c.n(), c.vocab()), c.n()); Tensor dl = Target.rand(rnd, DType.F32, -1, 1, c.n());
                     Tensor rlogp = hostF32(c.n()); Tensor rlse = hostF32(c.n()); Tensor rdh = hostF32(c.n(), c.c());
                     Tensor rdw = hostF32(c.vocab(), c.c()); Tensor gh = t.up(h, dt); Tensor gw = t.up(w, dt); Tensor gt = t.up(tg);
                     Tensor gdl = t.up(dl); Tensor logp = t.poisoned(DType.F32, c.n()); Tensor lse = t.poisoned(DType.F32, c.n())) {
                    REF.logprob(h, w, tg, c.temperature(), rlogp, rlse);
                    t.backend().logprob(gh, gw, gt, c.temperature(), logp, lse);
                    t.check("logprob", label + " logp", logp, rlogp);
                    t.check("logprob", label + " lse", lse, rlse);
                    float[] lp = t.down(logp);
                    for (int i = 0; i < c.n(); i += 7) assertEquals(0f, lp[i], t + " " + label + ": a masked target's logp is 0");
                    REF.logprobBackward(h, w, tg, c.temperature(), rlse, dl, rdh, rdw);
                    try (Tensor glse = t.up(rlse)) {
                        backward(t, c, label, h, w, tg, dl, rlse, gh, gw, gt, glse, gdl, rdh, rdw);
                    }
                } finally {
                    t.logprobChunkBudget(0);
                }
            }
        }
    }

    /** h, w, tg, dl, rlse: the host inputs; gh, gw, gt, lse, gdl: the target's; rdh, rdw: the reference's gradients. */
    private static void backward(Target t, Shape3 c, String label, Tensor h, Tensor w, Tensor tg, Tensor dl, Tensor rlse,
                                 Tensor gh, Tensor gw, Tensor gt, Tensor lse, Tensor gdl, Tensor rdh, Tensor rdw) {
        String key = c.mag() > 10 ? "logprob.gradExtreme" : "logprob.grad";
        Random rnd = new Random(c.n());
        float[] refDh = rdh.toFloatArray();
        for (DType dhd : new DType[] {DType.F32, DType.BF16}) {
            if (!t.accepts("logprobBackward", gh.dtype(), gw.dtype(), DType.I32, DType.F32, DType.F32, dhd, DType.F32)) continue;
            try (Tensor dw0 = Target.rand(rnd, DType.F32, -0.5f, 0.5f, c.vocab(), c.c()); Tensor dw = t.up(dw0);
                 Tensor refAcc = copy(dw0); Tensor scratch = hostF32(c.n(), c.c());
                 Tensor dh = t.poisoned(dhd, c.n(), c.c()); Tensor dhFrozen = t.poisoned(dhd, c.n(), c.c())) {
                t.backend().logprobBackward(gh, gw, gt, c.temperature(), lse, gdl, dh, dw);         // dweight accumulated
                t.backend().logprobBackward(gh, gw, gt, c.temperature(), lse, gdl, dhFrozen, null); // a frozen head
                REF.logprobBackward(h, w, tg, c.temperature(), rlse, dl, scratch, refAcc);
                t.check(key, label + " dhidden " + dhd, dhd, dh.shape(), t.down(dh), refDh);
                t.check(key, label + " dhidden " + dhd + " frozen head", dhd, dh.shape(), t.down(dhFrozen), refDh);
                float[] acc = t.down(dw), want = refAcc.toFloatArray(), base = dw0.toFloatArray();
                for (int i = 0; i < acc.length; i++) { // judge what was accumulated, the same subtraction on both sides
                    acc[i] -= base[i];
                    want[i] -= base[i];
                }
                t.check(key, label + " dweight accumulated", DType.F32, dw.shape(), acc, want);
            }
        }
        if (t.accepts("logprobBackward", gh.dtype(), gw.dtype(), DType.I32, DType.F32, DType.F32, DType.F32, DType.BF16)) {
            try (Tensor dwb = t.backend().zeros(DType.BF16, gw.shape()); Tensor dh = t.poisoned(DType.F32, c.n(), c.c())) {
                t.backend().logprobBackward(gh, gw, gt, c.temperature(), lse, gdl, dh, dwb); // dweight BF16 from 0
                t.check(key, label + " dweight bf16", DType.BF16, dwb.shape(), t.down(dwb), rdw.toFloatArray());
            }
        }
    }
}
