package ai.pulsemind.tokenize;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.pulsemind.model.io.OracleFixtures;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Qwen2.5-VL's real chat template renders exactly as transformers' apply_chat_template (tools/oracle fixtures). */
class ChatTemplateTest {
    @TempDir Path tmp;

    static JsonNode cases() throws IOException {
        return new ObjectMapper().readTree(OracleFixtures.path("chat/qwen25vl_template_cases.json").toFile());
    }

    @Test
    void rendersLikeTransformers() throws IOException {
        JsonNode f = cases();
        ChatTemplate t = ChatTemplate.of(f.get("template").asText());
        int n = 0;
        for (JsonNode c : f.get("cases")) {
            Map<String, Object> extra = c.path("add_vision_id").asBoolean(false) ? Map.of("add_vision_id", true) : Map.of();
            String got = t.render(ChatTemplate.messages(c.get("messages")), c.get("add_generation_prompt").asBoolean(), extra);
            assertEquals(c.get("expected").asText(), got, c.get("name").asText());
            n++;
        }
        assertEquals(6, n);
    }

    /** Multi-line template with indentation, comments, {%+ / +%}, filters and tojson, rendered by transformers' Jinja. */
    @Test
    void whitespaceControlMatchesJinja() throws IOException {
        JsonNode c = new ObjectMapper().readTree(OracleFixtures.path("chat/whitespace_template_case.json").toFile());
        String got = ChatTemplate.of(c.get("template").asText())
                .render(ChatTemplate.messages(c.get("messages")), c.get("add_generation_prompt").asBoolean());
        assertEquals(c.get("expected").asText(), got);
    }

    @Test
    void findsTheTemplateInEachPlaceTransformersLooks() throws IOException {
        String expected = cases().get("template").asText();
        for (String model : OracleFixtures.MODELS) {
            ChatTemplate t = ChatTemplate.load(OracleFixtures.path(model));
            assertEquals(expected, t.template(), model);
        }
        assertTrue(ChatTemplate.load(OracleFixtures.path("tiny-tied-f32")).source().endsWith("chat_template.jinja"));
        assertTrue(ChatTemplate.load(OracleFixtures.path("tiny-untied-bf16")).source().endsWith("chat_template.json"));
        assertTrue(ChatTemplate.load(OracleFixtures.path("tiny-untied-f32-sharded")).source().endsWith("tokenizer_config.json"));
    }

    @Test
    void specialTokensAndRaiseException() throws IOException {
        Files.writeString(tmp.resolve("tokenizer_config.json"), "{\"eos_token\": \"<|im_end|>\", \"chat_template\": "
                + "\"{% if messages|length == 0 %}{{ raise_exception('no messages') }}{% endif %}{{ messages[0].content }}{{ eos_token }}\"}");
        ChatTemplate t = ChatTemplate.load(tmp);
        assertEquals("hi<|im_end|>", t.render(List.of(Map.of("role", "user", "content", "hi")), false));
        var e = assertThrows(IllegalArgumentException.class, () -> t.render(List.of(), false));
        assertTrue(e.getMessage().contains("no messages"), e.getMessage());
    }

    @Test
    void missingTemplateIsOneLine() {
        var e = assertThrows(TokenizerException.class, () -> ChatTemplate.load(tmp));
        assertEquals(tmp + ": no chat template (looked for chat_template.jinja, chat_template.json and chat_template in "
                + "tokenizer_config.json)", e.getMessage());
    }
}
