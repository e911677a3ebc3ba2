package ai.pulsemind.backend.cpu;

import ai.pulsemind.tensor.DType;
import ai.pulsemind.tensor.Shape;
import ai.pulsemind.tensor.Tensor;
import ai.pulsemind.testing.Rand;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertThrows;

/**
 * What the CPU log-prob does beyond the contract (the values are the conformance suite's, {@code LogprobCases}): a
 * target id outside the vocabulary is refused naming the position (the CUDA kernels cannot check it and give NaN).
 */
class FastLogprobTest {
    private final Rand rnd = new Rand(33);

    @Test
    void targetOutsideVocabularyIsRejected() {
        Tensor h = rnd.uniform(1, 2, 4), w = rnd.uniform(1, 5, 4);
        Tensor lp = Tensor.hostZeros(DType.F32, Shape.of(2)), ls = Tensor.hostZeros(DType.F32, Shape.of(2));
        try (CpuBackend fast = new CpuBackend(2)) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> fast.logprob(h, w, Tensor.ofInts(new int[] {1, 5}, 2), 1f, lp, ls));
            if (!e.getMessage().contains("targets[1] = 5")) throw new AssertionError(e.getMessage());
        }
    }
}
