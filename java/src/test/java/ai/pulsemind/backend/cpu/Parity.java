package ai.pulsemind.backend.cpu;

import ai.pulsemind.tensor.Tensor;
import ai.pulsemind.testing.Close;

/** Fast-vs-reference comparison through the one tolerance table. */
final class Parity {
    private Parity() {}

    static void check(String tolKey, String what, Tensor fast, Tensor ref) {
        Tolerances.Tol t = Tolerances.of(tolKey);
        Close.assertClose(what + " [" + tolKey + "]", fast, ref, t.atol(), t.rtol());
    }
}
