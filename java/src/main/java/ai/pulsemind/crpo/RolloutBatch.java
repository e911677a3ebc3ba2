package ai.pulsemind.crpo;

import java.util.List;
import java.util.Map;

/**
 * One rollout batch, what the μ policy updates on it need: for each of the B·G samples its completion ids, the
 * log-probs the generating policy gave them (the "old" policy), the reference's (LoRA off; empty when β = 0), its
 * reward and advantage and whether it takes part; plus what the step logs. Serialisable (Jackson), so a checkpoint
 * taken between two updates of one batch resumes on the same samples.
 *
 * @param index   the rollout batch number k (prefixes are {@link Prefixes#batch}(k, B))
 * @param samples B·G, group-major
 * @param metrics the rollout's metrics (reward, reward_std, win rates, lengths, time split of the rollout)
 */
public record RolloutBatch(long index, List<Sample> samples, Map<String, Object> metrics) {
    public RolloutBatch {
        samples = List.copyOf(samples);
        metrics = Map.copyOf(metrics);
    }

    /**
     * @param prefix    index of its prefix within the batch
     * @param ids       the new tokens, the stop token included when one ended the reply
     * @param old       per new token, the generating policy's log-prob (temperature 1)
     * @param ref       per new token, the reference model's log-prob, or null when β = 0
     * @param reward    R, null when the sample has none
     * @param keep      false: no reward (judging or generation failed) or a dropped zero-spread group
     */
    public record Sample(int prefix, int[] ids, float[] old, float[] ref, Double reward, double advantage, boolean keep,
                         String finish, String text) {}

    public long keptTokens() { return samples.stream().filter(Sample::keep).mapToLong(s -> s.ids().length).sum(); }
}
