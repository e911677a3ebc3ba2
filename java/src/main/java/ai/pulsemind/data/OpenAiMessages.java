package ai.pulsemind.data;

import com.fasterxml.jackson.databind.JsonNode;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;

/**
 * OpenAI chat-format messages ({@code [{"role": …, "content": …}, …]}) to a {@link Conversation}. Content is a
 * string or a list of parts: {@code {"type":"text","text":…}}, {@code {"type":"image_url","image_url":{"url":…}}}
 * (a base64 {@code data:} URL, or a {@code file:} URL / path where local files are allowed) and the Hugging Face
 * form {@code {"type":"image","image":PATH}}. Remote {@code http(s)} URLs are refused: nothing here fetches.
 *
 * <p>Errors are {@link IllegalArgumentException}s whose message starts with the JSON path of the field, e.g.
 * {@code messages[2].content[0].image_url.url: …}, so a CLI names the place and a server returns it as a 400.
 */
public final class OpenAiMessages {
    /**
     * Where image paths may come from.
     *
     * @param allowLocalFiles whether paths and {@code file:} URLs are read (the CLI: yes; a server: only when its
     *                        operator enables it)
     * @param baseDir         what relative paths are resolved against
     */
    public record ImagePolicy(boolean allowLocalFiles, Path baseDir) {
        public static final ImagePolicy INLINE_ONLY = new ImagePolicy(false, Path.of("."));

        public static ImagePolicy localFiles(Path baseDir) { return new ImagePolicy(true, baseDir); }
    }

    private OpenAiMessages() {}

    /** Parses a non-empty array of messages; roles are system (first only), user and assistant. */
    public static Conversation parse(JsonNode messages, ImagePolicy policy) {
        if (messages == null || !messages.isArray())
            throw new IllegalArgumentException("messages: expected an array of {\"role\", \"content\"} objects");
        if (messages.isEmpty()) throw new IllegalArgumentException("messages: the conversation is empty");
        List<Conversation.Message> out = new ArrayList<>(messages.size());
        for (int i = 0; i < messages.size(); i++) out.add(message(messages.get(i), "messages[" + i + "]", policy));
        return new Conversation(out); // refuses a system message after the first, naming messages[i]
    }

    private static Conversation.Message message(JsonNode m, String where, ImagePolicy policy) {
        if (!m.isObject()) throw new IllegalArgumentException(where + ": expected an object with \"role\" and \"content\"");
        JsonNode role = m.get("role");
        if (role == null || !role.isTextual()) throw new IllegalArgumentException(where + ".role: missing (system, user or assistant)");
        Conversation.Speaker speaker = Conversation.Speaker.parse(role.asText());
        if (speaker == null)
            throw new IllegalArgumentException(where + ".role: '" + role.asText() + "' is not one of system, user, assistant");
        JsonNode content = m.get("content");
        if (content == null || content.isNull()) throw new IllegalArgumentException(where + ".content: missing");
        if (content.isTextual()) return Conversation.Message.text(speaker, content.asText());
        if (!content.isArray()) throw new IllegalArgumentException(where + ".content: expected a string or a list of parts");
        List<Conversation.Part> parts = new ArrayList<>();
        for (int j = 0; j < content.size(); j++) parts.add(part(content.get(j), where + ".content[" + j + "]", policy));
        return new Conversation.Message(speaker, parts);
    }

    private static Conversation.Part part(JsonNode p, String where, ImagePolicy policy) {
        if (!p.isObject()) throw new IllegalArgumentException(where + ": expected an object with a \"type\"");
        String type = p.path("type").asText(p.has("image") ? "image" : "");
        switch (type) {
            case "text" -> {
                JsonNode t = p.get("text");
                if (t == null || !t.isTextual()) throw new IllegalArgumentException(where + ".text: missing or not a string");
                return new Conversation.Text(t.asText());
            }
            case "image" -> {
                JsonNode ref = p.get("image");
                if (ref == null || !ref.isTextual()) throw new IllegalArgumentException(where + ".image: expected a path or URL string");
                return new Conversation.Image(source(ref.asText(), where + ".image", policy));
            }
            case "image_url" -> {
                JsonNode u = p.get("image_url");
                JsonNode url = u == null ? null : u.isTextual() ? u : u.get("url");
                if (url == null || !url.isTextual()) throw new IllegalArgumentException(where + ".image_url.url: missing");
                return new Conversation.Image(source(url.asText(), where + ".image_url.url", policy));
            }
            default -> throw new IllegalArgumentException(where + ".type: '" + type + "' is not one of text, image_url, image");
        }
    }

    /** A data: URL, a file: URL or a path. */
    static Conversation.ImageSource source(String ref, String where, ImagePolicy policy) {
        if (ref.startsWith("data:")) {
            int comma = ref.indexOf(',');
            if (comma < 0 || !ref.substring(0, comma).endsWith(";base64"))
                throw new IllegalArgumentException(where + ": a data URL must be base64 (data:image/…;base64,…)");
            try {
                return new Conversation.InlineImage(Base64.getMimeDecoder().decode(ref.substring(comma + 1)), where);
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException(where + ": the data URL is not valid base64 (" + e.getMessage() + ")");
            }
        }
        if (ref.startsWith("http://") || ref.startsWith("https://"))
            throw new IllegalArgumentException(where + ": remote image URLs are not fetched; send the image as a data URL");
        if (!policy.allowLocalFiles())
            throw new IllegalArgumentException(where + ": local image paths are not allowed here; send the image as a data URL");
        Path path;
        try {
            path = ref.startsWith("file:") ? Path.of(java.net.URI.create(ref)) : policy.baseDir().resolve(ref);
        } catch (IllegalArgumentException e) { // a bad URI or an InvalidPathException
            throw new IllegalArgumentException(where + ": '" + ref + "' is not a valid path or file: URL");
        }
        if (!Files.isRegularFile(path)) throw new IllegalArgumentException(where + ": image " + path + " does not exist");
        return new Conversation.ImageFile(path, null);
    }
}
