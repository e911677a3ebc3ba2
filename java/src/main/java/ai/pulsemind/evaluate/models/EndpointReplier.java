package ai.pulsemind.evaluate.models;

import ai.pulsemind.data.Conversation;
import ai.pulsemind.evaluate.ModelSpec;
import ai.pulsemind.remote.ChatRequest;
import ai.pulsemind.remote.EndpointConfig;
import ai.pulsemind.remote.OpenAiClient;
import ai.pulsemind.remote.RemoteException;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * A model behind an OpenAI-compatible endpoint as a {@link Replier}, through the {@link OpenAiClient} the judges use
 * (bounded requests in flight, timeouts, retries with backoff, a retry budget). A batch's conversations are sent at
 * once; when any of them still fails after its retries, the batch throws with the first reason (naming the URL),
 * and the benchmark asks its questions one by one, counting those that fail again.
 */
public final class EndpointReplier implements Replier {
    private final OpenAiClient client;
    private final ModelSpec.Endpoint spec;

    private EndpointReplier(OpenAiClient client, ModelSpec.Endpoint spec) {
        this.client = client;
        this.spec = spec;
    }

    /**
     * Connects to the endpoint: one that does not answer fails here, naming the URL.
     *
     * @param env where the API key variable is looked up
     */
    public static EndpointReplier open(ModelSpec.Endpoint spec, EndpointConfig base, Map<String, String> env) {
        EndpointConfig cfg = new EndpointConfig(spec.baseUrl(), keyEnv(spec, env), base.connectTimeout(), base.requestTimeout(),
                base.maxConcurrency(), base.retry());
        try {
            return new EndpointReplier(OpenAiClient.open(cfg, env), spec);
        } catch (RemoteException e) {
            throw new IllegalArgumentException("--model " + spec.canonical() + ": " + e.getMessage(), e);
        }
    }

    /** The variable the key is read from, by {@link ModelSpec.Endpoint#apiKey}'s rule; null for no key. */
    private static String keyEnv(ModelSpec.Endpoint spec, Map<String, String> env) {
        return spec.apiKey(env::get).isEmpty() ? null : spec.apiKeyEnv() != null ? spec.apiKeyEnv() : EndpointConfig.DEFAULT_API_KEY_ENV;
    }

    @Override public String name() { return spec.name(); }

    @Override
    public List<String> reply(List<Conversation> prompts, Decoding d) {
        List<ChatRequest> reqs = new ArrayList<>(prompts.size());
        for (Conversation c : prompts)
            reqs.add(new ChatRequest(spec.model(), c, d.temperature(), d.topP(), d.maxNewTokens(), d.greedy() ? null : d.seed()));
        List<String> out = new ArrayList<>(prompts.size());
        for (OpenAiClient.Answered a : client.completeAll(reqs)) {
            if (!a.ok()) throw new IllegalStateException(a.error().getMessage(), a.error());
            out.add(a.response().text());
        }
        return out;
    }

    /** The client, for its counters. */
    OpenAiClient client() { return client; }

    @Override public void close() { client.close(); }
}
