package ai.pulsemind.evaluate;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The --model SPEC grammar: both kinds, defaults, canonical round trip, and errors that name the flag. */
class ModelSpecTest {
    @Test
    void localForms() {
        ModelSpec.Local bare = assertInstanceOf(ModelSpec.Local.class, ModelSpec.parse("--model", "models/qwen3b"));
        assertEquals(Path.of("models/qwen3b").toAbsolutePath().normalize(), bare.dir());
        assertNull(bare.adapter());
        assertEquals("qwen3b", bare.name());
        ModelSpec.Local full = assertInstanceOf(ModelSpec.Local.class,
                ModelSpec.parse("--model", "local:/m/qwen3b,adapter=/runs/sft/adapter,name=sft"));
        assertEquals(Path.of("/runs/sft/adapter"), full.adapter());
        assertEquals("sft", full.name());
        assertEquals("qwen3b+adapter", ((ModelSpec.Local) ModelSpec.parse("--model", "local:/m/qwen3b,adapter=/a/adapter")).name());
        assertEquals(full, ModelSpec.parse("--model", full.canonical()), "canonical form parses back");
    }

    @Test
    void endpointForms() {
        ModelSpec.Endpoint e = assertInstanceOf(ModelSpec.Endpoint.class,
                ModelSpec.parse("--model", "openai:http://127.0.0.1:8000/v1/,model=Qwen/Qwen2.5-VL-7B-Instruct"));
        assertEquals("http://127.0.0.1:8000/v1", e.baseUrl().toString(), "trailing slash dropped");
        assertEquals("Qwen/Qwen2.5-VL-7B-Instruct", e.name());
        assertEquals(e, ModelSpec.parse("--model", e.canonical()));
        assertTrue(e.apiKey(Map.<String, String>of()::get).isEmpty(), "no key: a local vLLM server");
        assertEquals("k1", e.apiKey(Map.of("OPENAI_API_KEY", "k1")::get).orElseThrow());
        ModelSpec.Endpoint named = (ModelSpec.Endpoint) ModelSpec.parse("--baseline", "openai:https://api.example.com/v1,model=m,key-env=MY_KEY,name=hosted");
        assertEquals("k2", named.apiKey(Map.of("MY_KEY", "k2", "OPENAI_API_KEY", "k1")::get).orElseThrow());
        assertEquals("hosted", named.name());
        assertTrue(!named.canonical().contains("k2"), "the key never appears in a SPEC");
    }

    @Test
    void errorsNameTheFlagAndTheProblem() {
        assertMessage("--model 'openai:http://h/v1': an endpoint needs model=ID", "openai:http://h/v1");
        assertMessage("is not an http(s) URL", "openai:ftp://h/v1,model=m");
        assertMessage("unknown option 'adapterr'", "local:/m,adapterr=/a");
        assertMessage("option 'name' is given twice", "local:/m,name=a,name=b");
        assertMessage("is not key=value", "local:/m,adapter");
        assertMessage("is not an environment variable name", "openai:http://h/v1,model=m,key-env=1BAD");
        assertMessage("--model: empty model SPEC", " ");
        assertMessage("no model directory", "local:,name=x");
    }

    @Test
    void checkFindsWhatIsMissing(@TempDir Path tmp) throws Exception {
        ModelSpec s = ModelSpec.parse("--model", tmp.toString());
        var e = assertThrows(IllegalArgumentException.class, () -> s.check("--model", k -> null));
        assertTrue(e.getMessage().startsWith("--model ") && e.getMessage().contains("no config.json"), e.getMessage());
        Files.writeString(tmp.resolve("config.json"), "{}");
        s.check("--model", k -> null);
        Path adapter = Files.createDirectory(tmp.resolve("adapter"));
        var a = assertThrows(IllegalArgumentException.class,
                () -> ModelSpec.parse("--model", tmp + ",adapter=" + adapter).check("--model", k -> null));
        assertTrue(a.getMessage().contains("adapter_config.json"), a.getMessage());
        var k = assertThrows(IllegalArgumentException.class,
                () -> ModelSpec.parse("--model", "openai:http://h/v1,model=m,key-env=NOT_SET_HERE").check("--model", v -> null));
        assertTrue(k.getMessage().contains("NOT_SET_HERE") && k.getMessage().contains("not set"), k.getMessage());
    }

    private static void assertMessage(String part, String spec) {
        var e = assertThrows(IllegalArgumentException.class, () -> ModelSpec.parse("--model", spec));
        assertTrue(e.getMessage().contains(part), e.getMessage());
        assertTrue(e.getMessage().startsWith("--model"), e.getMessage());
    }
}
