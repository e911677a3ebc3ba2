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
import java.util.List;

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
        assertTrue(bad.err().contains("m.json:1") && bad.err().contains("malformed JSON at column") && !bad.err().contains("Unexpected"), bad.err());
        Files.writeString(msgs, "[{\"role\":\"user\",\"content\":[{\"type\":\"image\",\"image\":\"gone.png\"},{\"type\":\"text\",\"text\":\"x\"}]}]");
        Run img = run("generate", "--model", OracleFixtures.path("tiny-tied-f32").toString(), "--messages", msgs.toString());
        assertEquals(1, img.code());
        assertTrue(img.err().contains("gone.png"), img.err());
    }

    private static Path messages(Path tmp, String json) throws Exception {
        Path f = tmp.resolve("m.json");
        Files.writeString(f, json);
        return f;
    }

    @Test
    void logprobsAndNSamplesFromOnePrompt(@TempDir Path tmp) throws Exception {
        Path msgs = messages(tmp, "[{\"role\":\"user\",\"content\":\"Hello doctor, I have a cough.\"}]");
        String model = OracleFixtures.path("tiny-tied-f32").toString();
        Run one = run("generate", "--model", model, "--messages", msgs.toString(), "--max-new-tokens", "6", "--json", "--logprobs");
        assertEquals(0, one.code(), one.err());
        JsonNode o = M.readTree(one.out().strip());
        assertEquals(o.get("new_ids").size(), o.get("logprobs").size(), "one log-prob per new token");
        for (JsonNode lp : o.get("logprobs")) assertTrue(lp.asDouble() <= 0 && lp.asDouble() > -50, lp.toString());
        for (String key : new String[] {"prompt_ids", "new_ids", "text", "finish_reason"}) assertTrue(o.has(key), key);
        Run n = run("generate", "--model", model, "--messages", msgs.toString(), "--max-new-tokens", "6", "--json",
                "--temperature", "1.5", "--seed", "4", "--n", "3");
        assertEquals(0, n.code(), n.err());
        List<String> lines = n.out().strip().lines().toList();
        assertEquals(3, lines.size(), n.out());
        java.util.Set<String> distinct = new java.util.HashSet<>();
        for (int i = 0; i < 3; i++) {
            JsonNode r = M.readTree(lines.get(i));
            assertEquals(i, r.get("index").asInt());
            distinct.add(r.get("new_ids").toString());
        }
        assertTrue(distinct.size() > 1, "the samples differ: " + distinct);
        Run again = run("generate", "--model", model, "--messages", msgs.toString(), "--max-new-tokens", "6", "--json",
                "--temperature", "1.5", "--seed", "4", "--n", "3");
        assertEquals(n.out(), again.out(), "--seed is honoured");
    }

    @Test
    void badFlagsAndFilesAreRefusedInOneLineNamingThem(@TempDir Path tmp) throws Exception {
        String model = OracleFixtures.path("tiny-tied-f32").toString();
        Path ok = messages(tmp, "[{\"role\":\"user\",\"content\":\"hi\"}]");
        String[][] cases = {
                {"--top-p", "1.5", "--top-p must be in (0, 1]"},
                {"--top-p", "0", "--top-p must be in (0, 1]"},
                {"--temperature", "-1", "--temperature must be >= 0"},
                {"--temperature", "0.7 --greedy", "--temperature and --greedy"},
                {"--n", "0", "--n must be >= 1"},
                {"--max-new-tokens", "0", "--max-new-tokens must be >= 1"},
        };
        for (String[] c : cases) {
            List<String> args = new java.util.ArrayList<>(List.of("generate", "--model", model, "--messages", ok.toString(), c[0]));
            args.addAll(List.of(c[1].split(" ")));
            Run r = run(args.toArray(String[]::new));
            assertEquals(1, r.code(), String.join(" ", args));
            assertTrue(r.err().contains(c[2]) && r.err().strip().lines().count() == 1, String.join(" ", args) + " -> " + r.err());
        }
        Run noDir = run("generate", "--model", tmp.resolve("nope").toString(), "--messages", ok.toString());
        assertTrue(noDir.err().contains("--model") && noDir.err().contains("does not exist") && !noDir.err().contains("tokenizer.json"), noDir.err());
        String[][] files = {
                {"", "m.json: the file is empty"},
                {"   \n", "m.json: the file is empty"},
                {"[]", "the conversation is empty"},
                {"[{\"role\":\"doctor\",\"content\":\"hi\"}]", "messages[0].role: 'doctor' is not one of system, user, assistant"},
        };
        for (String[] f : files) {
            Path m = messages(tmp, f[0]);
            Run r = run("generate", "--model", model, "--messages", m.toString());
            assertEquals(1, r.code());
            assertTrue(r.err().contains("m.json") && r.err().contains(f[1]) && !r.err().contains("MISSING"), f[0] + " -> " + r.err());
        }
    }

    @Test
    void helpGivesEveryOptionADescriptionAndItsDefault() {
        for (String cmd : new String[] {"generate", "chat", "bench generate"}) {
            List<String> argv = new java.util.ArrayList<>(List.of(cmd.split(" ")));
            argv.add("--help");
            Run r = run(argv.toArray(String[]::new));
            assertEquals(0, r.code());
            int options = 0;
            List<String> lines = r.out().lines().toList();
            for (int i = 0; i < lines.size(); i++) {
                String line = lines.get(i);
                if (!line.matches("^( {2}-\\w, | {6})--\\S+.*")) continue; // the options list, not the synopsis
                options++;
                boolean described = line.strip().split("\\s{2,}").length >= 2
                        || (i + 1 < lines.size() && lines.get(i + 1).matches("^ {20,}\\S.*")); // wrapped below a long name
                assertTrue(described, cmd + ": option without a description: " + line);
            }
            assertTrue(options >= 8, cmd + ": found " + options + " options in\n" + r.out());
            for (String opt : cmd.startsWith("bench") ? new String[] {"--batch", "--reps", "--device", "--threads", "--top-p"}
                    : new String[] {"--max-new-tokens", "--seed", "--device", "--threads", "--top-p"}) {
                int at = -1;
                for (int i = 0; i < lines.size(); i++) if (lines.get(i).matches("^ {6}" + opt + "=.*")) at = i;
                assertTrue(at >= 0, cmd + ": no " + opt);
                StringBuilder entry = new StringBuilder(lines.get(at));
                for (int i = at + 1; i < lines.size() && lines.get(i).matches("^ {20,}\\S.*"); i++) entry.append(' ').append(lines.get(i).strip());
                assertTrue(entry.toString().contains("default: "), cmd + " " + opt + " shows its default: " + entry);
            }
        }
        Run chat = run("chat", "--help");
        assertTrue(chat.out().contains("/reset") && chat.out().contains("/exit"), chat.out());
    }
}
