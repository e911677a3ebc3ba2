package ai.pulsemind.model.generate;

import java.util.Arrays;
import java.util.SplittableRandom;

/**
 * Picks the next token of one sequence from its logits (V), on the host. Seeded per sequence, so a batch gives
 * the same tokens as the same prompts run one by one.
 */
public final class Sampler {
    private final GenerationConfig cfg;
    private final SplittableRandom rnd;

    public Sampler(GenerationConfig cfg, int sequence) {
        this.cfg = cfg;
        this.rnd = new SplittableRandom(cfg.seed() * 0x9E3779B97F4A7C15L + sequence);
    }

    /** @param seen every token of the sequence so far (prompt and generated), for the repetition penalty */
    public int next(float[] logits, int[] seen, int seenCount) {
        float[] z = logits.clone();
        if (cfg.repetitionPenalty() != 1f) {
            boolean[] done = new boolean[z.length];
            for (int i = 0; i < seenCount; i++) {
                int t = seen[i];
                if (t < 0 || t >= z.length || done[t]) continue;
                done[t] = true;
                z[t] = z[t] < 0 ? z[t] * cfg.repetitionPenalty() : z[t] / cfg.repetitionPenalty();
            }
        }
        if (cfg.greedy()) return argmax(z);
        for (int i = 0; i < z.length; i++) z[i] /= cfg.temperature();
        Integer[] order = new Integer[z.length];
        for (int i = 0; i < order.length; i++) order[i] = i;
        Arrays.sort(order, (a, b) -> z[b] != z[a] ? Float.compare(z[b], z[a]) : Integer.compare(a, b));
        int keep = cfg.topK() > 0 ? Math.min(cfg.topK(), z.length) : z.length;
        double max = z[order[0]], sum = 0;
        double[] p = new double[keep];
        for (int i = 0; i < keep; i++) sum += p[i] = Math.exp(z[order[i]] - max);
        // top-p: the smallest prefix of the sorted distribution whose mass reaches topP (at least one token)
        double mass = 0;
        int cut = keep;
        for (int i = 0; i < keep; i++) {
            mass += p[i] / sum;
            if (mass >= cfg.topP()) {
                cut = i + 1;
                break;
            }
        }
        double total = 0;
        for (int i = 0; i < cut; i++) total += p[i];
        double u = rnd.nextDouble() * total;
        for (int i = 0; i < cut; i++) {
            u -= p[i];
            if (u < 0) return order[i];
        }
        return order[cut - 1];
    }

    /** First index of the maximum, as torch.argmax. */
    static int argmax(float[] z) {
        int best = 0;
        for (int i = 1; i < z.length; i++) if (z[i] > z[best]) best = i;
        return best;
    }
}
