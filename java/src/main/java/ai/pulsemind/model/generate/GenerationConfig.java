package ai.pulsemind.model.generate;

import ai.pulsemind.backend.SamplingParams;
import ai.pulsemind.config.InvalidSetting;

import java.util.List;

/**
 * How one request generates. Token choice follows Hugging Face's processor order: repetition penalty, then
 * temperature, top-k, top-p; {@code greedy} takes the arg-max after the penalty. Build with {@link #greedy} or
 * {@link #sampling} and the {@code with…} methods.
 *
 * @param maxNewTokens      at most this many new tokens (≥ 1)
 * @param seed              the request's seed: the same seed gives the same ids whatever else the engine runs
 * @param stopIds           tokens that end the reply (EOS, {@code <|im_end|>}); the stop token is kept in the ids
 * @param stopStrings       text that ends the reply: the text stops before it; the ids keep the token that
 *                          completed it (as vLLM does)
 * @param logprobs          report the log-probability of every chosen token (see {@link Completion#logprobs})
 * @param topLogprobs       also the n most likely alternatives at each step, 0 to 20 (implies {@code logprobs})
 */
public record GenerationConfig(int maxNewTokens, boolean greedy, float temperature, int topK, float topP,
                               float repetitionPenalty, long seed, int[] stopIds, List<String> stopStrings,
                               boolean logprobs, int topLogprobs) {
    /** The most alternatives a step reports (OpenAI's limit). */
    public static final int MAX_TOP_LOGPROBS = 20;

    /** Bad values are {@link InvalidSetting}s named by the component ({@code maxNewTokens must be >= 1, got 0}). */
    public GenerationConfig {
        InvalidSetting.atLeast("maxNewTokens", maxNewTokens, 1);
        InvalidSetting.require(!Float.isNaN(temperature) && temperature >= 0, "temperature", "must be >= 0, got " + temperature);
        InvalidSetting.require(greedy || temperature > 0, "temperature", "must be > 0 when sampling, got " + temperature);
        InvalidSetting.require(topK >= 0, "topK", "must be >= 0 (0 = off), got " + topK);
        InvalidSetting.require(topP > 0 && topP <= 1, "topP", "must be in (0, 1], got " + topP);
        InvalidSetting.require(repetitionPenalty > 0 && !Float.isInfinite(repetitionPenalty), "repetitionPenalty",
                "must be finite and > 0, got " + repetitionPenalty);
        InvalidSetting.require(topLogprobs >= 0 && topLogprobs <= MAX_TOP_LOGPROBS, "topLogprobs",
                "must be in [0, " + MAX_TOP_LOGPROBS + "], got " + topLogprobs);
        stopIds = stopIds.clone();
        stopStrings = List.copyOf(stopStrings);
        for (String s : stopStrings) InvalidSetting.require(!s.isEmpty(), "stopStrings", "must not be empty");
        logprobs = logprobs || topLogprobs > 0;
    }

    public static GenerationConfig greedy(int maxNewTokens, int... stopIds) {
        return new GenerationConfig(maxNewTokens, true, 1f, 0, 1f, 1f, 0, stopIds, List.of(), false, 0);
    }

    public static GenerationConfig sampling(int maxNewTokens, float temperature, int topK, float topP, long seed, int... stopIds) {
        return new GenerationConfig(maxNewTokens, false, temperature, topK, topP, 1f, seed, stopIds, List.of(), false, 0);
    }

    public GenerationConfig withRepetitionPenalty(float p) {
        return new GenerationConfig(maxNewTokens, greedy, temperature, topK, topP, p, seed, stopIds, stopStrings, logprobs, topLogprobs);
    }

    public GenerationConfig withStopStrings(String... stops) {
        return new GenerationConfig(maxNewTokens, greedy, temperature, topK, topP, repetitionPenalty, seed, stopIds, List.of(stops), logprobs, topLogprobs);
    }

    public GenerationConfig withStopIds(int... ids) {
        return new GenerationConfig(maxNewTokens, greedy, temperature, topK, topP, repetitionPenalty, seed, ids, stopStrings, logprobs, topLogprobs);
    }

    /** Log-probs of the chosen tokens, and {@code top} alternatives per step (0 for none). */
    public GenerationConfig withLogprobs(int top) {
        return new GenerationConfig(maxNewTokens, greedy, temperature, topK, topP, repetitionPenalty, seed, stopIds, stopStrings, true, top);
    }

    public GenerationConfig withSeed(long s) {
        return new GenerationConfig(maxNewTokens, greedy, temperature, topK, topP, repetitionPenalty, s, stopIds, stopStrings, logprobs, topLogprobs);
    }

    public GenerationConfig withMaxNewTokens(int n) {
        return new GenerationConfig(n, greedy, temperature, topK, topP, repetitionPenalty, seed, stopIds, stopStrings, logprobs, topLogprobs);
    }

    /** The backend sampler's parameters for this request. */
    public SamplingParams samplingParams() {
        return greedy ? SamplingParams.greedy(repetitionPenalty) : new SamplingParams(temperature, topK, topP, repetitionPenalty);
    }

    boolean isStop(int id) {
        for (int s : stopIds) if (s == id) return true;
        return false;
    }
}
