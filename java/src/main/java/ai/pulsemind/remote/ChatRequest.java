package ai.pulsemind.remote;

import ai.pulsemind.data.Conversation;

import java.util.Objects;

/**
 * One chat completion to ask for.
 *
 * @param model       the served model's name ({@code "model"} in the request body)
 * @param messages    the conversation; images are sent as base64 data URLs
 * @param temperature 0 for greedy decoding
 * @param topP        nucleus sampling mass, sent as {@code "top_p"} when below 1 (1 = off)
 * @param maxTokens   the longest answer wanted
 * @param seed        sent as {@code "seed"} when not null (servers that support it sample reproducibly)
 */
public record ChatRequest(String model, Conversation messages, double temperature, double topP, int maxTokens, Long seed) {
    public ChatRequest {
        Objects.requireNonNull(model, "model");
        Objects.requireNonNull(messages, "messages");
        if (messages.isEmpty()) throw new IllegalArgumentException("a chat request needs at least one message");
        if (!(temperature >= 0 && temperature <= 2)) throw new IllegalArgumentException("temperature must be in [0, 2], got " + temperature);
        if (!(topP > 0 && topP <= 1)) throw new IllegalArgumentException("top-p must be in (0, 1], got " + topP);
        if (maxTokens < 1) throw new IllegalArgumentException("max tokens must be >= 1, got " + maxTokens);
    }

    public static ChatRequest greedy(String model, Conversation messages, int maxTokens) {
        return new ChatRequest(model, messages, 0, 1, maxTokens, null);
    }
}
