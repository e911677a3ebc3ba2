package ai.pulsemind.model.generate;

/**
 * How to pick each new token. Processing order follows Hugging Face's: repetition penalty, then temperature,
 * top-k, top-p; {@code greedy} takes the arg-max after the penalty.
 *
 * @param stopIds tokens that end a sequence (EOS, {@code <|im_end|>}); the stop token is kept in the output
 */
public record GenerationConfig(int maxNewTokens, boolean greedy, float temperature, int topK, float topP,
                               float repetitionPenalty, long seed, int[] stopIds) {
    public GenerationConfig {
        if (maxNewTokens < 1) throw new IllegalArgumentException("max new tokens must be >= 1, got " + maxNewTokens);
        if (!greedy && !(temperature > 0)) throw new IllegalArgumentException("temperature must be > 0 when sampling, got " + temperature);
        if (topK < 0) throw new IllegalArgumentException("top-k must be >= 0 (0 = off), got " + topK);
        if (!(topP > 0 && topP <= 1)) throw new IllegalArgumentException("top-p must be in (0, 1], got " + topP);
        if (!(repetitionPenalty > 0)) throw new IllegalArgumentException("repetition penalty must be > 0, got " + repetitionPenalty);
        stopIds = stopIds.clone();
    }

    public static GenerationConfig greedy(int maxNewTokens, int... stopIds) {
        return new GenerationConfig(maxNewTokens, true, 1f, 0, 1f, 1f, 0, stopIds);
    }

    public static GenerationConfig sampling(int maxNewTokens, float temperature, int topK, float topP, long seed, int... stopIds) {
        return new GenerationConfig(maxNewTokens, false, temperature, topK, topP, 1f, seed, stopIds);
    }

    public GenerationConfig withRepetitionPenalty(float p) {
        return new GenerationConfig(maxNewTokens, greedy, temperature, topK, topP, p, seed, stopIds);
    }

    boolean isStop(int id) {
        for (int s : stopIds) if (s == id) return true;
        return false;
    }
}
