package ai.pulsemind.judge.openai;

import ai.pulsemind.data.Conversation;
import ai.pulsemind.judge.Judge;
import ai.pulsemind.judge.Outcome;
import ai.pulsemind.judge.llm.Completer;
import ai.pulsemind.judge.llm.PromptedJudge;
import ai.pulsemind.judge.llm.Prompts;
import ai.pulsemind.remote.ChatRequest;
import ai.pulsemind.remote.OpenAiClient;

import java.util.List;
import java.util.Locale;
import java.util.Objects;

/**
 * A judge served by any OpenAI-compatible chat endpoint (vLLM, Ollama, OpenAI): the prompts and parser of
 * {@link PromptedJudge} over an {@link OpenAiClient}, which bounds the requests in flight, times them out and
 * retries them. Every item of a batch is its own request, sent as soon as a slot is free; each result reaches the
 * sink (and the cache) as it arrives.
 */
public final class OpenAiJudge {
    /**
     * @param model       the served model's name
     * @param temperature 0 for greedy judging (the default)
     * @param maxTokens   the longest verdict answer
     * @param seed        sent to servers that support it, or null
     */
    public record Config(String model, double temperature, int maxTokens, Long seed) {
        public Config {
            Objects.requireNonNull(model, "judge model");
            if (model.isBlank()) throw new IllegalArgumentException("the judge model name is empty (--judge-model)");
            if (!(temperature >= 0 && temperature <= 2)) throw new IllegalArgumentException("judge temperature must be in [0, 2], got " + temperature);
            if (maxTokens < 16) throw new IllegalArgumentException("judge max tokens must be >= 16 (a verdict is a JSON object), got " + maxTokens);
        }

        public static Config greedy(String model) { return new Config(model, 0, 768, null); }
    }

    private OpenAiJudge() {}

    /** The judge; it owns the client and closes it. */
    public static Judge create(OpenAiClient client, Config config, Prompts prompts) {
        return new PromptedJudge(new EndpointCompleter(client, config), prompts);
    }

    static final class EndpointCompleter implements Completer {
        private final OpenAiClient client;
        private final Config config;

        EndpointCompleter(OpenAiClient client, Config config) {
            this.client = client;
            this.config = config;
        }

        @Override
        public void complete(List<Conversation> prompts, Judge.Sink<String> sink) {
            List<ChatRequest> reqs = prompts.stream()
                    .map(p -> new ChatRequest(config.model(), p, config.temperature(), 1, config.maxTokens(), config.seed())).toList();
            client.completeAll(reqs, (i, a) -> sink.accept(i, a.ok() ? Outcome.ok(a.response().text()) : Outcome.failed(a.error().getMessage())));
        }

        @Override
        public String identity() {
            return String.format(Locale.ROOT, "openai|model=%s|temperature=%s|max_tokens=%d|seed=%s", config.model(),
                    config.temperature(), config.maxTokens(), config.seed());
        }

        @Override public String name() { return "openai:" + config.model(); }

        /** The client, for its counters. */
        OpenAiClient client() { return client; }

        @Override public void close() { client.close(); }
    }
}
