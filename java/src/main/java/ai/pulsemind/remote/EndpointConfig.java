package ai.pulsemind.remote;

import java.net.URI;
import java.time.Duration;
import java.util.Locale;
import java.util.Objects;

/**
 * Where an OpenAI-compatible endpoint is and how to talk to it.
 *
 * @param baseUrl        e.g. {@code http://127.0.0.1:8000/v1} (chat completions are {@code {baseUrl}/chat/completions});
 *                       a trailing slash is dropped
 * @param apiKeyEnv      the environment variable that holds the API key, or null for none; an unset variable
 *                       means no {@code Authorization} header (local servers usually need none)
 * @param connectTimeout how long connecting may take
 * @param requestTimeout how long one attempt may take, from sending to the whole answer
 * @param maxConcurrency requests in flight at once, at most
 * @param retry          what is retried and how
 */
public record EndpointConfig(URI baseUrl, String apiKeyEnv, Duration connectTimeout, Duration requestTimeout,
                             int maxConcurrency, RetryPolicy retry) {
    public static final String DEFAULT_API_KEY_ENV = "OPENAI_API_KEY";

    public EndpointConfig {
        Objects.requireNonNull(baseUrl, "base URL");
        String scheme = baseUrl.getScheme() == null ? "" : baseUrl.getScheme().toLowerCase(Locale.ROOT);
        if (!scheme.equals("http") && !scheme.equals("https") || baseUrl.getHost() == null)
            throw new IllegalArgumentException("endpoint URL '" + baseUrl + "' is not an http(s) URL such as http://127.0.0.1:8000/v1");
        String s = baseUrl.toString();
        if (s.endsWith("/")) baseUrl = URI.create(s.substring(0, s.length() - 1));
        if (connectTimeout.isNegative() || connectTimeout.isZero()) throw new IllegalArgumentException("connect timeout must be > 0");
        if (requestTimeout.isNegative() || requestTimeout.isZero()) throw new IllegalArgumentException("request timeout must be > 0");
        if (maxConcurrency < 1) throw new IllegalArgumentException("concurrency must be >= 1, got " + maxConcurrency);
        Objects.requireNonNull(retry, "retry policy");
    }

    /** Defaults: key from {@code OPENAI_API_KEY}, connect 5 s, request 120 s, 16 in flight, {@link RetryPolicy#DEFAULT}. */
    public static EndpointConfig of(String baseUrl) {
        URI uri;
        try {
            uri = URI.create(baseUrl.strip());
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("endpoint URL '" + baseUrl + "' is not a valid URL: " + e.getMessage());
        }
        return new EndpointConfig(uri, DEFAULT_API_KEY_ENV, Duration.ofSeconds(5), Duration.ofSeconds(120), 16, RetryPolicy.DEFAULT);
    }

    public EndpointConfig withConcurrency(int n) {
        return new EndpointConfig(baseUrl, apiKeyEnv, connectTimeout, requestTimeout, n, retry);
    }

    public EndpointConfig withTimeouts(Duration connect, Duration request) {
        return new EndpointConfig(baseUrl, apiKeyEnv, connect, request, maxConcurrency, retry);
    }

    public EndpointConfig withRetry(RetryPolicy r) {
        return new EndpointConfig(baseUrl, apiKeyEnv, connectTimeout, requestTimeout, maxConcurrency, r);
    }

    public EndpointConfig withApiKeyEnv(String env) {
        return new EndpointConfig(baseUrl, env, connectTimeout, requestTimeout, maxConcurrency, retry);
    }

    public URI chatUrl() { return URI.create(baseUrl + "/chat/completions"); }

    public URI modelsUrl() { return URI.create(baseUrl + "/models"); }
}
