package ai.pulsemind.serve;

import ai.pulsemind.model.generate.Completion;
import ai.pulsemind.tokenize.Tokenizer;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * The OpenAI chat-completion shapes this server answers with: {@code chat.completion} (one JSON answer),
 * {@code chat.completion.chunk} (one server-sent event of a stream) and their {@code logprobs} and {@code usage}.
 * Keys the OpenAI SDKs expect even when empty ({@code logprobs}, {@code refusal}, {@code finish_reason}) are sent
 * as null rather than left out.
 */
final class CompletionJson {
    private static final JsonNodeFactory F = JsonNodeFactory.instance;

    /** One request's identity, the same in every chunk of a stream. */
    record Header(String id, long created, String model) {}

    private CompletionJson() {}

    static ObjectNode completion(Header h, List<Completion> choices, int promptTokens, boolean logprobs, Tokenizer tok, int[] stopIds) {
        ObjectNode o = head(h, "chat.completion");
        ArrayNode arr = o.putArray("choices");
        int completionTokens = 0;
        for (int i = 0; i < choices.size(); i++) {
            Completion c = choices.get(i);
            completionTokens += c.ids().length;
            ObjectNode ch = arr.addObject();
            ch.put("index", i);
            ObjectNode msg = ch.putObject("message");
            msg.put("role", "assistant");
            msg.put("content", c.text());
            msg.putNull("refusal");
            if (logprobs) ch.set("logprobs", logprobs(c, tok, stopIds));
            else ch.putNull("logprobs");
            ch.put("finish_reason", c.finishReason().openAi());
        }
        o.set("usage", usage(promptTokens, completionTokens));
        return o;
    }

    /** {@code {"content": [entry per token of the reply]}}: the stop token that ended it is not part of the reply. */
    private static ObjectNode logprobs(Completion c, Tokenizer tok, int[] stopIds) {
        ObjectNode o = F.objectNode();
        ArrayNode content = o.putArray("content");
        int[] ids = c.idsWithoutStop(stopIds);
        for (int k = 0; k < ids.length; k++)
            content.add(entry(tok, ids[k], c.logprobs()[k], c.topLogprobs() == null ? null : c.topLogprobs().get(k)));
        o.putNull("refusal");
        return o;
    }

    /** One token's log-prob: {@code {token, logprob, bytes, top_logprobs}}. */
    static ObjectNode entry(Tokenizer tok, int id, float logprob, List<Completion.TopLogprob> top) {
        ObjectNode e = token(tok, id, logprob);
        ArrayNode tops = e.putArray("top_logprobs");
        if (top != null) for (Completion.TopLogprob t : top) tops.add(token(tok, t.id(), t.logprob()));
        return e;
    }

    private static ObjectNode token(Tokenizer tok, int id, float logprob) {
        byte[] b = tok.tokenBytes(id);
        if (b == null) b = new byte[0];
        ObjectNode e = F.objectNode();
        e.put("token", new String(b, StandardCharsets.UTF_8));
        e.put("logprob", logprob);
        ArrayNode bytes = e.putArray("bytes");
        for (byte x : b) bytes.add(x & 0xff);
        return e;
    }

    /**
     * One stream event for choice {@code index}: a delta with the role (the first of each choice), text, and/or
     * the finish reason (the last).
     *
     * @param logprobEntries entries for the tokens of this delta, or null when the request did not ask for them
     * @param withUsageKey   {@code "usage": null}, as OpenAI sends in every chunk before the usage chunk
     */
    static ObjectNode chunk(Header h, int index, boolean role, String content, ArrayNode logprobEntries, String finish, boolean withUsageKey) {
        ObjectNode o = head(h, "chat.completion.chunk");
        ObjectNode ch = o.putArray("choices").addObject();
        ch.put("index", index);
        ObjectNode delta = ch.putObject("delta");
        if (role) delta.put("role", "assistant");
        if (content != null) delta.put("content", content);
        if (logprobEntries != null) {
            ObjectNode lp = ch.putObject("logprobs");
            lp.set("content", logprobEntries);
            lp.putNull("refusal");
        } else ch.putNull("logprobs");
        if (finish == null) ch.putNull("finish_reason");
        else ch.put("finish_reason", finish);
        if (withUsageKey) o.putNull("usage");
        return o;
    }

    /** The last event when the client asked for {@code stream_options.include_usage}: no choices, the counts. */
    static ObjectNode usageChunk(Header h, int promptTokens, int completionTokens) {
        ObjectNode o = head(h, "chat.completion.chunk");
        o.putArray("choices");
        o.set("usage", usage(promptTokens, completionTokens));
        return o;
    }

    /** A failure after the stream began (the status is already sent): an error event, as OpenAI sends one. */
    static ObjectNode streamError(String message) {
        return new ApiError(500, "server_error", null, "generation_failed", message).body();
    }

    static ObjectNode usage(int prompt, int completion) {
        ObjectNode u = F.objectNode();
        u.put("prompt_tokens", prompt);
        u.put("completion_tokens", completion);
        u.put("total_tokens", prompt + completion);
        return u;
    }

    private static ObjectNode head(Header h, String object) {
        ObjectNode o = F.objectNode();
        o.put("id", h.id());
        o.put("object", object);
        o.put("created", h.created());
        o.put("model", h.model());
        o.putNull("system_fingerprint");
        return o;
    }
}
