package ai.pulsemind.judge;

import ai.pulsemind.config.InvalidSetting;
import ai.pulsemind.remote.EndpointConfig;

import java.nio.file.Path;
import java.time.Duration;

/**
 * Everything a judge spec may need besides the spec itself: endpoint settings for {@code openai:}, engine settings
 * for {@code local:}, prompts for both. One record so the CLI, CRPO and the benchmark build judges the same way.
 * A value out of range is an {@link InvalidSetting} naming the component ({@code maxTokens must be >= 16, got 8}),
 * which the CLI reports under its flag.
 *
 * @param model          the served model's name for {@code openai:} specs without {@code #MODEL}; may be null
 * @param apiKeyEnv      the environment variable holding the API key
 * @param concurrency    requests in flight per endpoint
 * @param temperature    judge sampling temperature (0 = greedy; the local judge is always greedy)
 * @param maxTokens      the longest verdict answer
 * @param timeout        per request
 * @param maxAttempts    per request, the first included
 * @param pairwisePrompt a user's pairwise template, or null for the bundled ones
 * @param absolutePrompt a user's absolute template, or null
 * @param device         backend for {@code local:} ({@code auto}, {@code cpu}, {@code cuda}, …)
 * @param threads        CPU threads for {@code local:} (0 = all)
 * @param batchSize      prompts per engine call for {@code local:}
 */
public record JudgeOptions(String model, String apiKeyEnv, int concurrency, double temperature, int maxTokens, Duration timeout,
                           int maxAttempts, Path pairwisePrompt, Path absolutePrompt, String device, int threads, int batchSize) {
    public JudgeOptions {
        InvalidSetting.atLeast("concurrency", concurrency, 1);
        InvalidSetting.require(temperature >= 0 && temperature <= 2, "temperature", "must be in [0, 2], got " + temperature);
        InvalidSetting.atLeast("maxTokens", maxTokens, 16); // a verdict is a JSON object on four dimensions
        InvalidSetting.require(timeout != null && !timeout.isNegative() && !timeout.isZero(), "timeout", "must be > 0, got " + timeout);
        InvalidSetting.atLeast("maxAttempts", maxAttempts, 1);
        InvalidSetting.atLeast("batchSize", batchSize, 1);
        InvalidSetting.atLeast("threads", threads, 0);
        apiKeyEnv = apiKeyEnv == null ? EndpointConfig.DEFAULT_API_KEY_ENV : apiKeyEnv;
        device = device == null ? "auto" : device;
    }

    /** 16 in flight, greedy, 768 tokens, 120 s, 5 attempts, bundled prompts, {@code auto} device, batch 8. */
    public static JudgeOptions defaults() {
        return new JudgeOptions(null, EndpointConfig.DEFAULT_API_KEY_ENV, 16, 0, 768, Duration.ofSeconds(120), 5, null, null, "auto", 0, 8);
    }

    public JudgeOptions withModel(String m) {
        return new JudgeOptions(m, apiKeyEnv, concurrency, temperature, maxTokens, timeout, maxAttempts, pairwisePrompt, absolutePrompt, device, threads, batchSize);
    }

    public JudgeOptions withConcurrency(int n) {
        return new JudgeOptions(model, apiKeyEnv, n, temperature, maxTokens, timeout, maxAttempts, pairwisePrompt, absolutePrompt, device, threads, batchSize);
    }

    public JudgeOptions withTimeout(Duration t) {
        return new JudgeOptions(model, apiKeyEnv, concurrency, temperature, maxTokens, t, maxAttempts, pairwisePrompt, absolutePrompt, device, threads, batchSize);
    }
}
