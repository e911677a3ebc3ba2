package ai.pulsemind.serve;

import ai.pulsemind.data.Conversation;
import ai.pulsemind.data.OpenAiMessages;
import ai.pulsemind.model.generate.GenerationConfig;
import com.fasterxml.jackson.databind.JsonNode;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;

/**
 * A {@code POST /v1/chat/completions} body, checked: every field this server reads is validated here and a bad
 * one is a 400 naming it ({@code param}). Fields that would change the answer but that the engine does not do
 * (tools, response formats, additive penalties, logit bias) are refused rather than ignored; fields that only
 * describe the caller ({@code user}, {@code metadata}, …) are ignored.
 *
 * @param maxTokens   {@code max_completion_tokens} or {@code max_tokens}; null: as many as fit the context
 * @param seed        the request's seed; sampled at random when the client sends none. Choice i draws from stream
 *                    i of it, as {@code pulsemind generate --n} does
 * @param topLogprobs alternatives per token, with {@code logprobs}
 */
record CompletionRequest(Conversation conversation, int n, boolean stream, boolean includeUsage, float temperature,
                         float topP, int topK, float repetitionPenalty, Integer maxTokens, long seed, List<String> stop,
                         boolean logprobs, int topLogprobs) {
    /** OpenAI's limit on stop sequences. */
    static final int MAX_STOP = 4;

    /**
     * @param servedName the only {@code model} accepted
     * @param maxN       the most choices a request may ask for (the server's capacity)
     * @param imageDir   where image paths may point, or null for data URLs only
     */
    static CompletionRequest parse(JsonNode body, String servedName, int maxN, Path imageDir) {
        if (body == null || !body.isObject()) throw ApiError.invalid(null, "The request body must be a JSON object.");
        JsonNode model = body.get("model");
        if (model == null || !model.isTextual()) throw ApiError.invalid("model", "'model' is required: send \"" + servedName + "\".");
        if (!model.asText().equals(servedName))
            throw new ApiError(400, "invalid_request_error", "model", "model_not_found",
                    "The model '" + model.asText() + "' does not exist here; this server serves '" + servedName + "'.");
        for (String f : List.of("tools", "functions", "tool_choice", "function_call"))
            if (present(body, f)) throw ApiError.invalid(f, "'" + f + "' is not supported by this server.");
        JsonNode format = body.get("response_format");
        if (format != null && !format.isNull() && !"text".equals(format.path("type").asText()))
            throw ApiError.invalid("response_format", "only {\"type\": \"text\"} is supported by this server.");
        JsonNode bias = body.get("logit_bias");
        if (bias != null && !bias.isNull() && !bias.isEmpty()) throw ApiError.invalid("logit_bias", "'logit_bias' is not supported by this server.");
        for (String f : List.of("presence_penalty", "frequency_penalty"))
            if (number(body, f, 0, -2, 2) != 0)
                throw ApiError.invalid(f, "'" + f + "' is not supported by this server (it has 'repetition_penalty').");

        Conversation conv;
        try {
            conv = OpenAiMessages.parse(body.get("messages"), imageDir == null ? OpenAiMessages.ImagePolicy.INLINE_ONLY
                    : OpenAiMessages.ImagePolicy.localFiles(imageDir));
        } catch (IllegalArgumentException e) {
            throw ApiError.invalid(paramOf(e.getMessage()), e.getMessage());
        }
        if (imageDir != null) checkInside(conv, imageDir);

        int n = integer(body, "n", 1, 1, maxN);
        boolean stream = bool(body, "stream", false);
        JsonNode so = body.get("stream_options");
        boolean includeUsage = false;
        if (so != null && !so.isNull()) {
            if (!stream) throw ApiError.invalid("stream_options", "'stream_options' is only allowed with \"stream\": true.");
            if (!so.isObject()) throw ApiError.invalid("stream_options", "'stream_options' must be an object.");
            includeUsage = bool(so, "include_usage", false);
        }
        float temperature = (float) number(body, "temperature", 1, 0, 2);
        float topP = (float) number(body, "top_p", 1, Double.MIN_VALUE, 1);
        int topK = integer(body, "top_k", 0, 0, Integer.MAX_VALUE);
        float rep = (float) number(body, "repetition_penalty", 1, Double.MIN_VALUE, 100);
        Integer maxTokens = present(body, "max_completion_tokens") ? integer(body, "max_completion_tokens", 1, 1, Integer.MAX_VALUE)
                : present(body, "max_tokens") ? integer(body, "max_tokens", 1, 1, Integer.MAX_VALUE) : null;
        long seed = present(body, "seed") ? longValue(body, "seed") : ThreadLocalRandom.current().nextLong();
        boolean logprobs = bool(body, "logprobs", false);
        int top = integer(body, "top_logprobs", 0, 0, GenerationConfig.MAX_TOP_LOGPROBS);
        if (top > 0 && !logprobs) throw ApiError.invalid("top_logprobs", "'top_logprobs' requires \"logprobs\": true.");
        return new CompletionRequest(conv, n, stream, includeUsage, temperature, topP, topK, rep, maxTokens, seed,
                stops(body.get("stop")), logprobs, top);
    }

    /** The engine's settings for this request, given the model's stop ids and how many new tokens fit. */
    GenerationConfig generation(int[] stopIds, int room) {
        if (maxTokens != null && maxTokens > room)
            throw ApiError.invalid("max_tokens", "max_tokens is " + maxTokens
                    + " but only " + room + " new tokens fit after this prompt in the model's context.");
        int max = maxTokens != null ? maxTokens : room;
        GenerationConfig g = temperature == 0 ? GenerationConfig.greedy(max, stopIds)
                : GenerationConfig.sampling(max, temperature, topK, topP, seed, stopIds);
        g = g.withRepetitionPenalty(repetitionPenalty);
        if (!stop.isEmpty()) g = g.withStopStrings(stop.toArray(String[]::new));
        return logprobs ? g.withLogprobs(topLogprobs) : g;
    }

    private static List<String> stops(JsonNode s) {
        if (s == null || s.isNull()) return List.of();
        List<String> out = new ArrayList<>();
        if (s.isTextual()) out.add(s.asText());
        else if (s.isArray()) for (JsonNode e : s) {
            if (!e.isTextual()) throw ApiError.invalid("stop", "'stop' must be a string or a list of strings.");
            out.add(e.asText());
        }
        else throw ApiError.invalid("stop", "'stop' must be a string or a list of strings.");
        if (out.size() > MAX_STOP) throw ApiError.invalid("stop", "'stop' has " + out.size() + " sequences; at most " + MAX_STOP + ".");
        for (String x : out) if (x.isEmpty()) throw ApiError.invalid("stop", "'stop' sequences must not be empty.");
        return List.copyOf(out);
    }

    /** Image files must lie inside the operator's directory (no {@code ../}, no absolute paths elsewhere). */
    private static void checkInside(Conversation conv, Path dir) {
        Path root;
        try {
            root = dir.toRealPath();
        } catch (IOException e) {
            throw new IllegalStateException("the image directory " + dir + " cannot be read: " + e.getMessage(), e);
        }
        for (int i = 0; i < conv.messages().size(); i++) {
            List<Conversation.Part> parts = conv.messages().get(i).parts();
            for (int j = 0; j < parts.size(); j++) {
                if (!(parts.get(j) instanceof Conversation.Image im) || !(im.source() instanceof Conversation.ImageFile f)) continue;
                String where = "messages[" + i + "].content[" + j + "]";
                try {
                    if (!f.path().toRealPath().startsWith(root) || !Files.isRegularFile(f.path()))
                        throw ApiError.invalid(where, where + ": image files must be inside the server's image directory");
                } catch (IOException e) {
                    throw ApiError.invalid(where, where + ": image " + f.path() + " cannot be read");
                }
            }
        }
    }

    /** {@code messages[2].content[0].image_url.url: …} → {@code messages[2].content[0].image_url.url}. */
    static String paramOf(String message) {
        int colon = message == null ? -1 : message.indexOf(": ");
        String head = colon < 0 ? "" : message.substring(0, colon);
        return head.startsWith("messages") && !head.contains(" ") ? head : "messages";
    }

    private static boolean present(JsonNode o, String f) {
        JsonNode v = o.get(f);
        return v != null && !v.isNull();
    }

    private static boolean bool(JsonNode o, String f, boolean dflt) {
        JsonNode v = o.get(f);
        if (v == null || v.isNull()) return dflt;
        if (!v.isBoolean()) throw ApiError.invalid(f, "'" + f + "' must be true or false, got " + v + ".");
        return v.asBoolean();
    }

    /** A number in [min, max]; {@code min == Double.MIN_VALUE} stands for (0, max]. */
    private static double number(JsonNode o, String f, double dflt, double min, double max) {
        JsonNode v = o.get(f);
        if (v == null || v.isNull()) return dflt;
        if (!v.isNumber() || !(v.asDouble() >= min && v.asDouble() <= max)) {
            String range = (min == Double.MIN_VALUE ? "(0" : "[" + fmt(min)) + ", " + fmt(max) + "]";
            throw ApiError.invalid(f, "'" + f + "' must be a number in " + range + ", got " + v + ".");
        }
        return v.asDouble();
    }

    private static String fmt(double d) { return d == Math.rint(d) ? Long.toString((long) d) : Double.toString(d); }

    private static int integer(JsonNode o, String f, int dflt, int min, int max) {
        JsonNode v = o.get(f);
        if (v == null || v.isNull()) return dflt;
        if (!v.isIntegralNumber() || !v.canConvertToInt() || v.asInt() < min || v.asInt() > max)
            throw ApiError.invalid(f, "'" + f + "' must be an integer in [" + min + ", " + max + "], got " + v + ".");
        return v.asInt();
    }

    private static long longValue(JsonNode o, String f) {
        JsonNode v = o.get(f);
        if (!v.isIntegralNumber() || !v.canConvertToLong()) throw ApiError.invalid(f, "'" + f + "' must be an integer, got " + v + ".");
        return v.asLong();
    }
}
