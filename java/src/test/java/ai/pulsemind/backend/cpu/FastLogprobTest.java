package ai.pulsemind.backend.cpu;

import ai.pulsemind.tensor.Tensor;
import ai.pulsemind.testing.Rand;
import org.junit.jupiter.api.Test;

import static ai.pulsemind.backend.cpu.BackendPair.FAST;
import static ai.pulsemind.backend.cpu.BackendPair.REF;
import static ai.pulsemind.backend.cpu.BackendPair.copy;
import static ai.pulsemind.backend.cpu.BackendPair.f32;
import static ai.pulsemind.backend.cpu.BackendPair.scaled;
import static org.junit.jupiter.api.Assertions.assertThrows;

/**
 * The chunked log-prob against the reference: token counts around the 384-token chunk, vocabularies around the
 * 96-row block, masked targets, temperatures, large logits, frozen and trained heads.
 */
class FastLogprobTest {
    private final Rand rnd = new Rand(33);

    private void check(int n, int c, int vocab, float temperature, float mag) {
        Tensor h = scaled(rnd.uniform(1, n, c), mag), w = rnd.uniform(1, vocab, c);
        int[] t = new int[n];
        for (int i = 0; i < n; i++) t[i] = i % 7 == 3 ? -1 : rnd.nextInt(vocab); // every 7th token masked
        Tensor targets = Tensor.ofInts(t, n);
        String tag = String.format(" N=%d C=%d V=%d T=%s |h|<=%s", n, c, vocab, temperature, mag);
        Tensor lpf = f32(n), lpr = f32(n), lsf = f32(n), lsr = f32(n);
        FAST.logprob(h, w, targets, temperature, lpf, lsf);
        REF.logprob(h, w, targets, temperature, lpr, lsr);
        Parity.check("logprob", "logprob" + tag, lpf, lpr);
        Parity.check("logprob", "logprob lse" + tag, lsf, lsr);
        Tensor dlogp = rnd.uniform(1, n), dhf = f32(n, c), dhr = f32(n, c);
        Tensor dw0 = rnd.uniform(1, vocab, c), dwf = copy(dw0), dwr = copy(dw0);
        FAST.logprobBackward(h, w, targets, temperature, lsr, dlogp, dhf, dwf);
        REF.logprobBackward(h, w, targets, temperature, lsr, dlogp, dhr, dwr);
        String gradTol = mag > 10 ? "logprobGradExtreme" : "logprobGrad";
        Parity.check(gradTol, "logprobBackward dhidden" + tag, dhf, dhr);
        Parity.check(gradTol, "logprobBackward dweight (accumulated)" + tag, dwf, dwr);
        FAST.logprobBackward(h, w, targets, temperature, lsr, dlogp, dhf, null);
        Parity.check(gradTol, "logprobBackward dhidden, frozen head" + tag, dhf, dhr);
    }

    @Test
    void shapesAroundChunksAndBlocks() {
        check(1, 1, 1, 1f, 1f);
        check(3, 17, 5, 1f, 1f);
        check(17, 63, 97, 0.7f, 1f);
        check(65, 65, 193, 1f, 1f);
        check(385, 20, 96, 1.3f, 1f);
    }

    @Test
    void largeLogits() {
        check(40, 32, 150, 1f, 30f); // logits of order ±100: lse must not overflow
        check(40, 32, 150, 0.1f, 0f); // all logits zero: uniform distribution
    }

    @Test
    void targetOutsideVocabularyIsRejected() {
        Tensor h = rnd.uniform(1, 2, 4), w = rnd.uniform(1, 5, 4), lp = f32(2), ls = f32(2);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> FAST.logprob(h, w, Tensor.ofInts(new int[] {1, 5}, 2), 1f, lp, ls));
        if (!e.getMessage().contains("targets[1] = 5")) throw new AssertionError(e.getMessage());
    }
}
