package ai.pulsemind.cli;

import ai.pulsemind.model.io.OracleFixtures;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@code pulsemind generate --json} end to end on an oracle checkpoint: prompt ids and greedy ids as transformers. */
class GenerateCommandTest {
    private static final ObjectMapper M = new ObjectMapper();

    record Run(int code, String out, String err) {}

    static Run run(String... args) {
        PrintStream out = System.out, err = System.err;
        ByteArrayOutputStream o = new ByteArrayOutputStream(), e = new ByteArrayOutputStream();
        System.setOut(new PrintStream(o, true, StandardCharsets.UTF_8));
        System.setErr(new PrintStream(e, true, StandardCharsets.UTF_8));
        try {
            int code = Main.run(args);
            return new Run(code, o.toString(StandardCharsets.UTF_8), e.toString(StandardCharsets.UTF_8));
        } finally {
            System.setOut(out);
            System.setErr(err);
        }
    }

    private static int[] ints(JsonNode a) {
        int[] r = new int[a.size()];
        for (int i = 0; i < r.length; i++) r[i] = a.get(i).asInt();
        return r;
    }

    @Test
    void greedyReplyMatchesTheOracle(@TempDir Path tmp) throws Exception {
        String model = "tiny-untied-f32-sharded", promptName = "multi_turn_images";
        JsonNode prompt = null;
        for (JsonNode p : M.readTree(OracleFixtures.path("prompts/prompts.json").toFile()).get("prompts"))
            if (p.get("name").asText().equals(promptName)) prompt = p;
        // the oracle's messages name images in oracle/images; write them with absolute paths
        ArrayNode msgs = (ArrayNode) prompt.get("messages").deepCopy();
        for (JsonNode m : msgs)
            if (m.get("content").isArray()) for (JsonNode part : m.get("content"))
                if (part.has("image")) ((ObjectNode) part).put("image", OracleFixtures.path("images/" + part.get("image").asText()).toString());
        Path file = tmp.resolve("messages.json");
        Files.writeString(file, M.writeValueAsString(msgs));
        JsonNode expected = null;
        for (JsonNode o : M.readTree(OracleFixtures.path(model + "/expected/expected.json").toFile()).get("outputs"))
            if (o.get("prompt").asText().equals(promptName)) expected = o;

        Run r = run("generate", "--model", OracleFixtures.path(model).toString(), "--messages", file.toString(),
                "--max-new-tokens", "20", "--json", "--device", "cpu-reference");
        assertEquals(0, r.code(), r.err());
        JsonNode got = M.readTree(r.out().strip());
        assertArrayEquals(ints(prompt.get("input_ids")), ints(got.get("prompt_ids")), "prompt ids");
        // the oracle generated 20 tokens with EOS off; we stop at a stop token, so compare our tokens as a prefix
        int[] greedy = ints(expected.get("greedy_new_ids")), ours = ints(got.get("new_ids"));
        assertArrayEquals(Arrays.copyOf(greedy, ours.length), ours, "greedy ids");
        assertTrue(ours.length == 20 || "stop".equals(got.get("finish_reason").asText()));
    }

    @Test
    void badInputsGiveOneLineErrors(@TempDir Path tmp) throws Exception {
        Path msgs = tmp.resolve("m.json");
        Files.writeString(msgs, "[{\"role\":\"user\",\"content\":\"hi\"}]");
        Run missing = run("generate", "--model", tmp.resolve("nope").toString(), "--messages", msgs.toString());
        assertEquals(1, missing.code());
        assertTrue(missing.err().startsWith("error: ") && missing.err().strip().lines().count() == 1, missing.err());
        Files.writeString(msgs, "[{\"role\":\"user\",");
        Run bad = run("generate", "--model", OracleFixtures.path("tiny-tied-f32").toString(), "--messages", msgs.toString());
        assertEquals(1, bad.code());
        assertTrue(bad.err().contains("m.json") && bad.err().contains("not valid JSON"), bad.err());
        Files.writeString(msgs, "[{\"role\":\"user\",\"content\":[{\"type\":\"image\",\"image\":\"gone.png\"},{\"type\":\"text\",\"text\":\"x\"}]}]");
        Run img = run("generate", "--model", OracleFixtures.path("tiny-tied-f32").toString(), "--messages", msgs.toString());
        assertEquals(1, img.code());
        assertTrue(img.err().contains("gone.png"), img.err());
    }
}
