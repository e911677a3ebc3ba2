package ai.pulsemind.remote;

/**
 * The answer to a {@link ChatRequest}.
 *
 * @param text             the first choice's message content
 * @param finishReason     {@code stop}, {@code length}, … as the server said, or "" when it said nothing
 * @param promptTokens     from {@code usage}, or -1 when the server did not say
 * @param completionTokens from {@code usage}, or -1
 * @param attempts         how many HTTP requests it took (1 = no retry)
 */
public record ChatResponse(String text, String finishReason, int promptTokens, int completionTokens, int attempts) {
    ChatResponse withAttempts(int n) { return new ChatResponse(text, finishReason, promptTokens, completionTokens, n); }
}
