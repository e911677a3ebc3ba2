package ai.pulsemind.backend.cpu;

import java.lang.foreign.MemorySegment;

import static ai.pulsemind.backend.cpu.Mem.f;

/**
 * Reference fused LM head + log-softmax, one row at a time: only one row of V logits exists at once.
 * logits z = h·Wᵀ / T; logp = z[target] − logsumexp(z).
 */
final class RefLogprob {
    private RefLogprob() {}

    private static double[] logits(MemorySegment h, MemorySegment w, long r, int c, int vocab, float temperature) {
        double[] z = new double[vocab];
        for (int v = 0; v < vocab; v++) {
            double dot = 0;
            for (int i = 0; i < c; i++) dot += (double) f(h, r * c + i) * f(w, (long) v * c + i);
            z[v] = dot / temperature;
        }
        return z;
    }

    static void forward(MemorySegment h, MemorySegment w, MemorySegment targets, float temperature,
                        MemorySegment logp, MemorySegment lse, long rows, int c, int vocab) {
        for (long r = 0; r < rows; r++) {
            double[] z = logits(h, w, r, c, vocab, temperature);
            double mx = Double.NEGATIVE_INFINITY;
            for (double x : z) mx = Math.max(mx, x);
            double sum = 0;
            for (double x : z) sum += Math.exp(x - mx);
            double l = mx + Math.log(sum);
            int t = Mem.i(targets, r);
            f(lse, r, (float) l);
            f(logp, r, t < 0 ? 0f : (float) (z[t] - l));
        }
    }

    /** dz = dlogp · (onehot(target) − softmax(z)); dh = dz·W / T; dW += dzᵀ·h / T. */
    static void backward(MemorySegment h, MemorySegment w, MemorySegment targets, float temperature,
                         MemorySegment lse, MemorySegment dlogp, MemorySegment dh, MemorySegment dw,
                         long rows, int c, int vocab) {
        double[] dwAcc = dw == null ? null : new double[vocab * c];
        for (long r = 0; r < rows; r++) {
            int t = Mem.i(targets, r);
            double g = f(dlogp, r);
            double[] dhRow = new double[c];
            if (t >= 0 && g != 0) {
                double[] z = logits(h, w, r, c, vocab, temperature);
                double l = f(lse, r);
                for (int v = 0; v < vocab; v++) {
                    double dz = g * ((v == t ? 1.0 : 0.0) - Math.exp(z[v] - l)) / temperature;
                    for (int i = 0; i < c; i++) {
                        dhRow[i] += dz * f(w, (long) v * c + i);
                        if (dwAcc != null) dwAcc[v * c + i] += dz * f(h, r * c + i);
                    }
                }
            }
            for (int i = 0; i < c; i++) f(dh, r * c + i, (float) dhRow[i]);
        }
        if (dwAcc != null) for (int i = 0; i < dwAcc.length; i++) f(dw, i, (float) (f(dw, i) + dwAcc[i]));
    }
}
