package ai.pulsemind.crpo;

import ai.pulsemind.autograd.Ops;
import ai.pulsemind.backend.Backend;
import ai.pulsemind.model.qwen25vl.Qwen25VL;
import ai.pulsemind.nn.ForwardMode;
import ai.pulsemind.tensor.AllocationScope;
import ai.pulsemind.tensor.GradMode;
import ai.pulsemind.tensor.Tensor;
import ai.pulsemind.train.CausalLm;

import java.util.List;

/**
 * One micro-batch of a policy update: the training forward of prompt + completion for each sample, per-token
 * log-probs of the completion tokens (row P − 1 + t predicts completion token t, P the prompt length), the loss terms
 * and their derivatives on the host ({@link PolicyLoss#term}, weighted by w_s), and backward through the surrogate
 * {@code Σ_t g_t · logp_t}: its gradient with respect to every parameter is the loss's, since g_t = w_s·∂l_t/∂logp_t
 * is a constant of the tape.
 */
final class PolicyUpdate {
    private PolicyUpdate() {}

    /** Sums over the micro-batch's completion tokens. */
    record Sums(double loss, double kl, long lowClipped, long highClipped, long tokens, double negOldLogp) {}

    /**
     * @param seqs          prompt + completion of each sample, in order
     * @param promptLengths tokens of each prompt
     * @param samples       the samples (their ids are the completions; old and ref log-probs per completion token)
     * @param weights       w_s of each sample ({@link PolicyLoss#weights} over the whole batch)
     * @param backward      false: the loss only (no tape, no gradient)
     */
    static Sums run(Ops ops, Qwen25VL model, List<Qwen25VL.Sequence> seqs, int[] promptLengths, List<RolloutBatch.Sample> samples,
                    double[] weights, PolicyLoss.Settings s, ForwardMode mode, boolean backward) {
        int[] targets = CausalLm.completionTargets(seqs, promptLengths);
        Backend be = ops.backend();
        double loss = 0, kl = 0, ent = 0;
        long low = 0, high = 0, tokens = 0;
        try (var g0 = backward ? null : GradMode.disabled(); var scope = AllocationScope.open()) {
            Tensor logp = CausalLm.tokenLogprobs(ops, model, seqs, targets, mode, 1f);
            float[] lp = CrpoStep.hostFloats(be, logp);
            float[] g = new float[lp.length];
            int at = 0;
            for (int i = 0; i < seqs.size(); i++) {
                RolloutBatch.Sample q = samples.get(i);
                int p0 = at + promptLengths[i] - 1;
                if (seqs.get(i).ids().length != promptLengths[i] + q.ids().length)
                    throw new IllegalArgumentException("sample " + i + ": sequence of " + seqs.get(i).ids().length + " tokens for a prompt of "
                            + promptLengths[i] + " and " + q.ids().length + " completion tokens");
                for (int t = 0; t < q.ids().length; t++) {
                    PolicyLoss.Term x = PolicyLoss.term(lp[p0 + t], q.old()[t], q.ref() == null ? 0 : q.ref()[t], q.advantage(), s);
                    loss += weights[i] * x.value();
                    g[p0 + t] = (float) (weights[i] * x.grad());
                    kl += x.kl();
                    ent -= q.old()[t];
                    if (x.lowClipped()) low++;
                    if (x.highClipped()) high++;
                    tokens++;
                }
                at += seqs.get(i).ids().length;
            }
            if (backward) {
                Tensor gt = Tensor.of(g, g.length);
                if (!be.device().isHost()) gt = be.upload(gt);
                ops.backward(ops.sum(ops.mul(logp, gt)));
            }
        }
        return new Sums(loss, kl, low, high, tokens, ent);
    }
}
