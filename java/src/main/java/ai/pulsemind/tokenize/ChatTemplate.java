package ai.pulsemind.tokenize;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.hubspot.jinjava.Jinjava;
import com.hubspot.jinjava.JinjavaConfig;
import com.hubspot.jinjava.interpret.FatalTemplateErrorsException;
import com.hubspot.jinjava.interpret.RenderResult;
import com.hubspot.jinjava.interpret.TemplateError;
import com.hubspot.jinjava.lib.fn.ELFunctionDefinition;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A Hugging Face chat template rendered with a real Jinja engine (Jinjava), configured as transformers configures
 * Jinja for chat templates: {@code trim_blocks} and {@code lstrip_blocks} on, {@code raise_exception} available,
 * and the tokenizer's special tokens ({@code bos_token}, {@code eos_token}, ...) defined. Messages are the
 * OpenAI-style list of {@code {role, content}} maps, content a string or a list of parts ({@code {type: text, text}},
 * {@code {type: image, ...}}, {@code {type: image_url, ...}}).
 */
public final class ChatTemplate {
    /** Where transformers looks for a template, in order of precedence. */
    public static final List<String> FILES = List.of("chat_template.jinja", "chat_template.json", "tokenizer_config.json");

    private static final ObjectMapper MAPPER = new ObjectMapper();

    private final String template;
    private final String prepared; // with Jinja's lstrip_blocks/trim_blocks applied
    private static final ThreadLocal<String> RAISED = new ThreadLocal<>();
    private final String source;
    private final Map<String, Object> specialTokens;
    private final Jinjava jinja;

    ChatTemplate(String template, String source, Map<String, Object> specialTokens) {
        this.template = template;
        this.prepared = JinjaWhitespace.apply(template);
        this.source = source;
        this.specialTokens = Map.copyOf(specialTokens);
        this.jinja = new Jinjava(JinjavaConfig.newBuilder().build()); // whitespace options: see JinjaWhitespace
        jinja.getGlobalContext().registerFilter(new PyJson());
        jinja.getGlobalContext().registerFunction(new ELFunctionDefinition("", "raise_exception", ChatTemplate.class,
                "raiseException", String.class));
    }

    /** A template given as text (special tokens undefined). */
    public static ChatTemplate of(String template) { return new ChatTemplate(template, "<string>", Map.of()); }

    /** The template of a model directory: chat_template.jinja, chat_template.json, or tokenizer_config.json. */
    public static ChatTemplate load(Path modelDir) {
        Map<String, Object> tokens = specialTokens(modelDir.resolve("tokenizer_config.json"));
        for (String f : FILES) {
            Path p = modelDir.resolve(f);
            if (!Files.exists(p)) continue;
            String t = f.endsWith(".jinja") ? read(p) : fromJson(p);
            if (t != null) return new ChatTemplate(t, p.toString(), tokens);
        }
        throw new TokenizerException(modelDir, "no chat template (looked for chat_template.jinja, chat_template.json and "
                + "chat_template in tokenizer_config.json)");
    }

    private static String read(Path p) {
        try {
            return Files.readString(p);
        } catch (IOException e) {
            throw new TokenizerException(p, "cannot read: " + e.getMessage(), e);
        }
    }

    /** The "chat_template" field: a string, or a list of {name, template} whose "default" entry is used. */
    private static String fromJson(Path p) {
        JsonNode t;
        try {
            t = MAPPER.readTree(p.toFile()).get("chat_template");
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new TokenizerException(p, ai.pulsemind.data.Json.describe(e), e);
        } catch (IOException e) {
            throw new TokenizerException(p, "cannot read: " + e.getMessage(), e);
        }
        if (t == null || t.isNull()) return null;
        if (t.isTextual()) return t.textValue();
        if (t.isArray())
            for (JsonNode e : t)
                if ("default".equals(e.path("name").asText())) return e.path("template").asText();
        throw new TokenizerException(p, "chat_template must be a string or a list with a 'default' entry");
    }

    private static Map<String, Object> specialTokens(Path tokenizerConfig) {
        Map<String, Object> out = new HashMap<>();
        if (!Files.exists(tokenizerConfig)) return out;
        try {
            MAPPER.readTree(tokenizerConfig.toFile()).properties().forEach(e -> {
                if (e.getKey().endsWith("_token")) {
                    JsonNode v = e.getValue();
                    if (v.isTextual()) out.put(e.getKey(), v.textValue());
                    else if (v.isObject() && v.has("content")) out.put(e.getKey(), v.get("content").asText());
                }
            });
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new TokenizerException(tokenizerConfig, ai.pulsemind.data.Json.describe(e), e);
        } catch (IOException e) {
            throw new TokenizerException(tokenizerConfig, "cannot read: " + e.getMessage(), e);
        }
        return out;
    }

    public String template() { return template; }

    /** Where the template came from (a file path, or "<string>"). */
    public String source() { return source; }

    /**
     * Renders {@code messages}; {@code extra} adds variables (add_vision_id, tools, ...). Template errors (and
     * raise_exception) are one-line {@link IllegalArgumentException}s naming the template's source.
     */
    public String render(List<Map<String, Object>> messages, boolean addGenerationPrompt, Map<String, Object> extra) {
        Map<String, Object> ctx = new LinkedHashMap<>(specialTokens);
        ctx.putAll(extra);
        ctx.put("messages", messages);
        ctx.put("add_generation_prompt", addGenerationPrompt);
        RenderResult r;
        RAISED.remove();
        try {
            r = jinja.renderForResult(prepared, ctx);
        } catch (FatalTemplateErrorsException e) {
            throw new IllegalArgumentException(source + ": chat template failed: " + e.getMessage(), e);
        }
        String raised = RAISED.get();
        RAISED.remove();
        if (raised != null) throw new IllegalArgumentException(source + ": the chat template raised: " + raised);
        for (TemplateError err : r.getErrors())
            if (err.getSeverity() == TemplateError.ErrorType.FATAL)
                throw new IllegalArgumentException(source + ": chat template failed at line " + err.getLineno() + ": "
                        + err.getMessage());
        return r.getOutput();
    }

    public String render(List<Map<String, Object>> messages, boolean addGenerationPrompt) {
        return render(messages, addGenerationPrompt, Map.of());
    }

    /** Messages from JSON (an array of message objects), as plain maps and lists the template can walk. */
    @SuppressWarnings("unchecked")
    public static List<Map<String, Object>> messages(JsonNode json) {
        if (!json.isArray()) throw new IllegalArgumentException("messages must be a JSON array, got " + json.getNodeType());
        return MAPPER.convertValue(json, List.class);
    }

    /** Called by templates as {@code raise_exception(msg)}. */
    public static String raiseException(String message) {
        RAISED.set(message); // Jinjava wraps exceptions from functions and drops their message
        throw new IllegalArgumentException(message);
    }
}
