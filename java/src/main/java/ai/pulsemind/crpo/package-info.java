/**
 * CRPO (and the GRPO ablation) on our own engine and trainer.
 * <pre>
 *   Prefixes      where the policy speaks (record, doctor turn) and the counterpart replies that answer it
 *   CrpoStep      one optimiser step: every μ-th, a rollout batch (engine samples with old log-probs, reference
 *                 log-probs with LoRA off, judge rewards, advantages), then a policy update on it
 *   Rewards       wins over counterparts per dimension (tie score, weights, both orders, intra-group,
 *                 per-dimension normalisation), or absolute 1–5 scores
 *   Advantages    (R − group mean) / (std + ε), scaling group | batch | none, zero-spread groups kept or dropped
 *   PolicyLoss    TRL's GRPO loss term by term (PPO clip ε_low/ε_high, k3 KL, grpo/bnpo/dapo/dr_grpo aggregation)
 *   PolicyUpdate  one micro-batch: training forward, host loss derivatives, backward through Σ g·logp
 *   CrpoConfig    the settings (flags, files, builder); CrpoRun the library entry ({@code train crpo})
 * </pre>
 * Metrics use TRL's GRPO names ({@code reward}, {@code reward_std}, {@code frac_reward_zero_std}, {@code kl},
 * {@code clip_ratio/*}, {@code completions/*}, {@code entropy}, {@code loss}, {@code grad_norm},
 * {@code learning_rate}) plus {@code rewards/DIM/mean}, {@code win_rate/DIM} and the step's time split
 * {@code time/rollout} (generation and reference log-probs), {@code time/judge}, {@code time/update}.
 * {@code entropy} is the Monte-Carlo estimate −mean log p(sampled token) under the generating policy at
 * temperature 1 (the fused log-prob op gives no full-distribution entropy); log-probs throughout are at
 * temperature 1, where TRL scales logits by the sampling temperature first (the same at the default T = 1).
 */
package ai.pulsemind.crpo;
