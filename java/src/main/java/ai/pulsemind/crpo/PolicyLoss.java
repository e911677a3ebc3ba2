package ai.pulsemind.crpo;

import java.util.List;
import java.util.Locale;

/**
 * The GRPO/CRPO policy loss on per-token log-probabilities, term by term as TRL's {@code GRPOTrainer._compute_loss}
 * computes it (token-level importance sampling, no off-policy mask, no entropy bonus):
 * <pre>
 *   r_t    = exp(logp_t − old_t)                                  importance ratio of token t
 *   l_t    = −min(r_t·A, clamp(r_t, 1 − ε_low, 1 + ε_high)·A)     PPO clip (ε_low = ε_high: symmetric)
 *          + β·(exp(ref_t − logp_t) − (ref_t − logp_t) − 1)      k3 estimate of KL(π ‖ π_ref), β = 0: no term
 *   loss   = Σ_s w_s Σ_t l_{s,t}
 *   w_s    = grpo:    1 / (S · |s|)              the mean over sequences of each sequence's token mean
 *            bnpo, dapo: 1 / Σ_s |s|             the token mean over the batch (one process, no accumulation)
 *            dr_grpo: 1 / (S · max completion)   a constant normaliser
 * </pre>
 * Every term depends on its own token's log-prob only, so the gradient with respect to logp is a vector of the same
 * shape, computed here on the host; the trainer back-propagates it through the model as the linear surrogate
 * {@code Σ_t g_t · logp_t} (whose gradient is the loss's). That keeps the elementwise maths out of the autograd tape,
 * which holds coarse ops only, and lets a batch be split into micro-batches freely: w_s are fixed by the whole
 * batch before any forward.
 */
public final class PolicyLoss {
    private PolicyLoss() {}

    /** How per-token losses are aggregated: TRL's {@code loss_type} names. */
    public enum Aggregation {
        GRPO, BNPO, DAPO, DR_GRPO;

        public String key() { return name().toLowerCase(Locale.ROOT); }

        public static Aggregation parse(String s) {
            for (Aggregation a : values()) if (a.key().equals(s == null ? null : s.strip().toLowerCase(Locale.ROOT).replace('-', '_'))) return a;
            throw new IllegalArgumentException("--loss-type must be dapo (token mean), bnpo (token mean), grpo (sequence mean) or dr_grpo, got '" + s + "'");
        }
    }

    /**
     * @param epsLow  lower clip: ratios below 1 − epsLow are clipped for negative advantages
     * @param epsHigh upper clip: ratios above 1 + epsHigh are clipped for positive advantages
     * @param beta    KL coefficient (0: no reference needed)
     * @param maxCompletionLength the generation's max new tokens (dr_grpo's normaliser)
     */
    public record Settings(Aggregation aggregation, double epsLow, double epsHigh, double beta, int maxCompletionLength) {
        public Settings {
            if (!(epsLow >= 0 && epsLow < 1)) throw new IllegalArgumentException("--epsilon must be in [0, 1), got " + epsLow);
            if (!(epsHigh >= 0)) throw new IllegalArgumentException("--epsilon-high must be >= 0, got " + epsHigh);
            if (!(beta >= 0)) throw new IllegalArgumentException("--beta must be >= 0, got " + beta);
            if (maxCompletionLength < 1) throw new IllegalArgumentException("--max-new-tokens must be >= 1, got " + maxCompletionLength);
        }
    }

    /** One token's loss term and its derivative with respect to logp, with what TRL counts about it. */
    public record Term(double value, double grad, boolean lowClipped, boolean highClipped, double kl) {}

    /** The unweighted per-token term l_t and dl_t/dlogp_t; {@code ref} is ignored when β = 0. */
    public static Term term(double logp, double old, double ref, double advantage, Settings s) {
        double r = Math.exp(logp - old);
        double lo = 1 - s.epsLow(), hi = 1 + s.epsHigh();
        double clipped = Math.min(Math.max(r, lo), hi);
        double l1 = r * advantage, l2 = clipped * advantage;
        double value, grad;
        if (l1 <= l2) { // min picks the unclipped term: d(r·A)/dlogp = r·A
            value = -l1;
            grad = -l1;
        } else {        // the clipped term: its derivative is r·A inside the range, 0 where clamp holds it
            value = -l2;
            grad = r >= lo && r <= hi ? -l1 : 0;
        }
        double kl = 0;
        if (s.beta() != 0) {
            double d = ref - logp, e = Math.exp(d);
            kl = e - d - 1;
            value += s.beta() * kl;
            grad += s.beta() * (1 - e); // d/dlogp of exp(ref − logp) − (ref − logp) − 1
        }
        return new Term(value, grad, r < lo && advantage < 0, r > hi && advantage > 0, kl);
    }

    /** w_s for sequences of these completion lengths (see the class comment). */
    public static double[] weights(int[] lengths, Settings s) {
        int n = lengths.length;
        long total = 0;
        for (int l : lengths) total += l;
        double[] w = new double[n];
        for (int i = 0; i < n; i++) {
            w[i] = switch (s.aggregation()) {
                case GRPO -> 1.0 / (n * Math.max(1, lengths[i]));
                case BNPO, DAPO -> 1.0 / Math.max(1, total);
                case DR_GRPO -> 1.0 / ((double) n * s.maxCompletionLength());
            };
        }
        return w;
    }

    /** One sequence's completion: per-token log-probs now, at rollout time, under the reference; its advantage. */
    public record Sequence(double[] logp, double[] old, double[] ref, double advantage) {}

    /**
     * The loss of a batch, its gradient per token (same layout as each sequence's logp) and the token means TRL
     * logs. For tests and for the trainer's bookkeeping; the trainer calls {@link #term} per micro-batch itself.
     */
    public record Batch(double loss, double[][] grad, double kl, double lowClipped, double highClipped, double regionClipped) {}

    public static Batch of(List<Sequence> seqs, Settings s) {
        int[] lengths = seqs.stream().mapToInt(q -> q.logp().length).toArray();
        double[] w = weights(lengths, s);
        double loss = 0, kl = 0;
        long low = 0, high = 0, tokens = 0;
        double[][] grad = new double[seqs.size()][];
        for (int i = 0; i < seqs.size(); i++) {
            Sequence q = seqs.get(i);
            grad[i] = new double[lengths[i]];
            for (int t = 0; t < lengths[i]; t++) {
                Term x = term(q.logp()[t], q.old()[t], q.ref() == null ? 0 : q.ref()[t], q.advantage(), s);
                loss += w[i] * x.value();
                grad[i][t] = w[i] * x.grad();
                kl += x.kl();
                if (x.lowClipped()) low++;
                if (x.highClipped()) high++;
                tokens++;
            }
        }
        double n = Math.max(1, tokens);
        return new Batch(loss, grad, kl / n, low / n, high / n, (low + high) / n);
    }
}
