package ai.pulsemind.evaluate.models;

import ai.pulsemind.evaluate.ModelSpec;
import ai.pulsemind.remote.EndpointConfig;

/**
 * A {@link ModelSpec} to the {@link Replier} that runs it. Local checkpoints run on the local engine
 * ({@link LocalReplier}); OpenAI-compatible endpoints through the judges' HTTP client ({@link EndpointReplier}),
 * which must answer when the run starts (an unreachable one fails then, naming the URL).
 */
public final class Repliers {
    private Repliers() {}

    /** @param device {@code --device} for a local model; @param threads {@code --threads} (0: all cores) */
    public static Replier open(ModelSpec spec, String device, int threads) {
        return switch (spec) {
            case ModelSpec.Local l -> LocalReplier.open(l, device, threads);
            case ModelSpec.Endpoint e -> endpoint(e);
        };
    }

    /**
     * Chat completions with {@code e.model()}: 16 requests in flight, 120 s per request, the client's default retries;
     * the key from {@code key-env} or {@code OPENAI_API_KEY}.
     */
    public static Replier endpoint(ModelSpec.Endpoint e) {
        return EndpointReplier.open(e, EndpointConfig.of(e.baseUrl().toString()), System.getenv());
    }
}
