package ai.pulsemind.model.generate;

import java.util.List;

/**
 * What one request generated.
 *
 * <p>Log-probabilities, exactly: at each step the model gives raw F32 logits z = h·Wᵀ over its whole vocabulary V
 * (padded rows included) for the position that predicts the token; the log-prob of a token t is
 * {@code log_softmax(z)[t] = z[t] − log Σ_j exp(z[j])}, the model's own distribution at temperature 1, before the
 * repetition penalty, temperature, top-k/top-p and the mask of ids that cannot be generated. That is what
 * {@code torch.log_softmax(logits, -1)} of the same step gives in transformers, and it is computed by the op a
 * training forward scores tokens with ({@link ai.pulsemind.backend.Backend#logprob}, the fused LM head +
 * log-softmax that {@code train.CausalLm.tokenLogprobs} calls, at temperature 1): one definition, so a policy's old
 * log-probs can come from here.
 *
 * @param ids          the new tokens, the stop token included when one ended the reply
 * @param logprobs     one per id when asked for ({@link GenerationConfig#logprobs}), else null
 * @param topLogprobs  per id, the most likely alternatives (by log-prob, highest first; ids that cannot be
 *                     generated left out) when asked for, else null
 * @param text         the decoded text (special tokens left out, cut before a stop string), or null when the
 *                     engine has no tokenizer
 * @param finishReason why it ended
 * @param stopString   the stop string that ended it, or null
 */
public record Completion(int[] ids, float[] logprobs, List<List<TopLogprob>> topLogprobs, String text,
                         FinishReason finishReason, String stopString) {

    /** Why a request ended. */
    public enum FinishReason {
        /** A stop token or stop string. */
        STOP,
        /** {@link GenerationConfig#maxNewTokens} reached. */
        LENGTH,
        /** Cancelled by its caller ({@link Engine.Handle#cancel}). */
        CANCELLED;

        /** The OpenAI API's name ("stop", "length"; "cancelled" has none there). */
        public String openAi() { return name().toLowerCase(java.util.Locale.ROOT); }
    }

    /** An alternative token at one step. */
    public record TopLogprob(int id, float logprob) {}

    /** The ids without a trailing stop token (what the reply's text is made of). */
    public int[] idsWithoutStop(int[] stopIds) {
        int n = ids.length;
        if (n > 0 && finishReason == FinishReason.STOP && stopString == null)
            for (int s : stopIds) if (ids[n - 1] == s) return java.util.Arrays.copyOf(ids, n - 1);
        return ids;
    }
}
