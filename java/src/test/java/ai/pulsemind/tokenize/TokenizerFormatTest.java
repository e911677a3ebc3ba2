package ai.pulsemind.tokenize;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.pulsemind.model.io.OracleFixtures;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** tokenizer.json variants: post-processors, merges spelled as strings, and refusals that name the field. */
class TokenizerFormatTest {
    @TempDir Path tmp;
    static final ObjectMapper M = new ObjectMapper();

    private Path variant(String name, java.util.function.Consumer<ObjectNode> edit) throws IOException {
        ObjectNode root = (ObjectNode) M.readTree(OracleFixtures.path("tokenizer/tiny-trained.json").toFile());
        edit.accept(root);
        Path p = tmp.resolve(name);
        M.writeValue(p.toFile(), root);
        return p;
    }

    @Test
    void templateProcessingAddsItsSpecialTokens() throws IOException {
        Path p = variant("tp.json", r -> {
            try {
                r.set("post_processor", M.readTree("""
                        {"type": "TemplateProcessing",
                         "single": [{"SpecialToken": {"id": "<|im_start|>", "type_id": 0}}, {"Sequence": {"id": "A", "type_id": 0}},
                                    {"SpecialToken": {"id": "<|im_end|>", "type_id": 0}}],
                         "pair": [], "special_tokens": {"<|im_start|>": {"id": "<|im_start|>", "ids": [513], "tokens": ["<|im_start|>"]},
                                                        "<|im_end|>": {"id": "<|im_end|>", "ids": [514], "tokens": ["<|im_end|>"]}}}"""));
            } catch (IOException e) {
                throw new RuntimeException(e);
            }
        });
        Tokenizer base = Tokenizer.load(OracleFixtures.path("tokenizer/tiny-trained.json")), t = Tokenizer.load(p);
        int[] plain = base.encode("Hello world");
        int[] wrapped = t.encode("Hello world");
        assertEquals(plain.length + 2, wrapped.length);
        assertEquals(513, wrapped[0]);
        assertEquals(514, wrapped[wrapped.length - 1]);
        assertArrayEquals(plain, t.encode("Hello world", false));
    }

    @Test
    void mergesAsSpaceSeparatedStrings() throws IOException {
        Path p = variant("strmerges.json", r -> {
            var merges = (com.fasterxml.jackson.databind.node.ArrayNode) r.get("model").get("merges");
            var asStrings = M.createArrayNode();
            merges.forEach(m -> asStrings.add(m.get(0).asText() + " " + m.get(1).asText()));
            ((ObjectNode) r.get("model")).set("merges", asStrings);
        });
        Tokenizer a = Tokenizer.load(OracleFixtures.path("tokenizer/tiny-trained.json")), b = Tokenizer.load(p);
        String text = "患者主诉头痛三天 and the patient's cough 12345";
        assertArrayEquals(a.encode(text), b.encode(text));
    }

    @Test
    void refusesWhatItCannotReproduce() throws IOException {
        Path wp = variant("wp.json", r -> ((ObjectNode) r.get("model")).put("type", "WordPiece"));
        var e = assertThrows(TokenizerException.class, () -> Tokenizer.load(wp));
        assertEquals(wp + ": model type 'WordPiece' is not supported (only BPE)", e.getMessage());
        Path dec = variant("dec.json", r -> ((ObjectNode) r.get("decoder")).put("type", "Metaspace"));
        assertTrue(assertThrows(TokenizerException.class, () -> Tokenizer.load(dec)).getMessage()
                .endsWith("decoder type 'Metaspace' is not supported (only ByteLevel)"));
        Path fb = variant("fb.json", r -> ((ObjectNode) r.get("model")).put("byte_fallback", true));
        assertTrue(assertThrows(TokenizerException.class, () -> Tokenizer.load(fb)).getMessage().endsWith("BPE byte_fallback is not supported"));
        Path dir = Files.createDirectories(tmp.resolve("model"));
        Files.writeString(dir.resolve("vocab.json"), "{}");
        assertEquals(dir + ": tokenizer.json is missing (vocab.json and merges.txt alone are not supported: save the fast "
                + "tokenizer)", assertThrows(TokenizerException.class, () -> Tokenizer.fromModelDir(dir)).getMessage());
        Path missing = tmp.resolve("nope/tokenizer.json");
        assertEquals(missing + ": file not found", assertThrows(TokenizerException.class, () -> Tokenizer.load(missing)).getMessage());
        Path junk = tmp.resolve("junk.json");
        Files.writeString(junk, "{\"model\": ");
        assertTrue(assertThrows(TokenizerException.class, () -> Tokenizer.load(junk)).getMessage().startsWith(junk + ": malformed JSON at line 1, column 11: "));
    }
}
