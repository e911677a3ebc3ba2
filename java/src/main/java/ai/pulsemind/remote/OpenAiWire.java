package ai.pulsemind.remote;

import ai.pulsemind.data.Conversation;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.util.Base64;
import java.util.Locale;

/** The OpenAI chat-completions wire format: request bodies out, the first choice's content back. */
final class OpenAiWire {
    static final ObjectMapper JSON = new ObjectMapper();

    private OpenAiWire() {}

    static String requestBody(ChatRequest r) {
        ObjectNode o = JSON.createObjectNode();
        o.put("model", r.model());
        ArrayNode msgs = o.putArray("messages");
        for (Conversation.Message m : r.messages().messages()) msgs.add(message(m));
        o.put("temperature", r.temperature());
        if (r.topP() < 1) o.put("top_p", r.topP());
        o.put("max_tokens", r.maxTokens());
        if (r.seed() != null) o.put("seed", r.seed());
        o.put("stream", false);
        return o.toString();
    }

    /** A text-only message as a plain string; one with images as a list of parts (images as data URLs). */
    static ObjectNode message(Conversation.Message m) {
        ObjectNode o = JSON.createObjectNode();
        o.put("role", m.speaker().openAi());
        if (m.images().isEmpty()) {
            o.put("content", m.text());
            return o;
        }
        ArrayNode parts = o.putArray("content");
        for (Conversation.Part p : m.parts()) {
            switch (p) {
                case Conversation.Text t -> parts.addObject().put("type", "text").put("text", t.text());
                case Conversation.Image im -> parts.addObject().put("type", "image_url").putObject("image_url").put("url", dataUrl(im.source()));
            }
        }
        return o;
    }

    static String dataUrl(Conversation.ImageSource src) {
        byte[] bytes = switch (src) {
            case Conversation.InlineImage in -> in.bytes();
            case Conversation.ImageFile f -> {
                try {
                    yield Files.readAllBytes(f.path());
                } catch (IOException e) {
                    throw new UncheckedIOException("image " + f.path() + ": " + e.getMessage(), e);
                }
            }
        };
        return "data:" + mime(bytes, src.label()) + ";base64," + Base64.getEncoder().encodeToString(bytes);
    }

    /** From the magic bytes where they are known, else from the name. */
    static String mime(byte[] b, String name) {
        if (b.length >= 4 && (b[0] & 0xff) == 0x89 && b[1] == 'P' && b[2] == 'N' && b[3] == 'G') return "image/png";
        if (b.length >= 3 && (b[0] & 0xff) == 0xff && (b[1] & 0xff) == 0xd8) return "image/jpeg";
        if (b.length >= 4 && b[0] == 'G' && b[1] == 'I' && b[2] == 'F') return "image/gif";
        if (b.length >= 12 && b[0] == 'R' && b[1] == 'I' && b[8] == 'W' && b[9] == 'E') return "image/webp";
        String n = name.toLowerCase(Locale.ROOT);
        if (n.endsWith(".tif") || n.endsWith(".tiff")) return "image/tiff";
        if (n.endsWith(".bmp")) return "image/bmp";
        return "application/octet-stream";
    }

    /** The first choice of a chat completion; anything else is {@link RemoteException.Kind#MALFORMED}. */
    static ChatResponse parse(String body, String url) throws RemoteException {
        JsonNode root;
        try {
            root = JSON.readTree(body);
        } catch (JsonProcessingException e) {
            throw malformed(url, "the answer is not JSON (" + e.getOriginalMessage() + "): " + excerpt(body));
        }
        if (root == null || !root.isObject()) throw malformed(url, "the answer is not a JSON object: " + excerpt(body));
        JsonNode choice = root.path("choices").path(0);
        if (choice.isMissingNode()) throw malformed(url, "the answer has no choices[0]: " + excerpt(body));
        JsonNode content = choice.path("message").path("content");
        if (!content.isTextual()) throw malformed(url, "choices[0].message.content is missing or not a string: " + excerpt(body));
        JsonNode usage = root.path("usage");
        return new ChatResponse(content.asText(), choice.path("finish_reason").asText(""),
                usage.path("prompt_tokens").asInt(-1), usage.path("completion_tokens").asInt(-1), 1);
    }

    private static RemoteException malformed(String url, String what) {
        return new RemoteException(RemoteException.Kind.MALFORMED, url, what + " (from " + url + ")", null);
    }

    static String excerpt(String body) {
        String s = body == null ? "" : body.strip().replaceAll("\\s+", " ");
        return s.length() <= 160 ? "'" + s + "'" : "'" + s.substring(0, 160) + "…'";
    }
}
