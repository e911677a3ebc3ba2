package ai.pulsemind.cli;

import ai.pulsemind.model.io.OracleFixtures;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayInputStream;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@code pulsemind chat} with its input piped: turns, /reset, /exit, a checkpoint with a padded vocabulary, a bad image. */
class ChatCommandTest {
    static GenerateCommandTest.Run chat(String input, String... args) {
        InputStream in = System.in;
        System.setIn(new ByteArrayInputStream(input.getBytes(StandardCharsets.UTF_8)));
        try {
            String[] all = new String[args.length + 1];
            all[0] = "chat";
            System.arraycopy(args, 0, all, 1, args.length);
            return GenerateCommandTest.run(all);
        } finally {
            System.setIn(in);
        }
    }

    @Test
    void severalTurnsOnAPaddedVocabularyNeverStopTheSession() {
        // tiny-untied-bf16's model picks padded vocabulary rows unless they are masked (the session used to end with
        // "id 535 is not in the vocabulary")
        GenerateCommandTest.Run r = chat("患者主诉头痛三天，怎么办？\nAnd now?\n/reset\nHello again\n/exit\n",
                "--model", OracleFixtures.path("tiny-untied-bf16").toString(), "--max-new-tokens", "12", "--device", "cpu-reference");
        assertEquals(0, r.code(), r.err());
        assertFalse(r.err().contains("not in the vocabulary"), r.err());
        assertTrue(r.out().split("> ", -1).length - 1 >= 4 && r.out().endsWith("> "),
                "a prompt for each line, the last one answered by /exit: " + r.out());
    }

    @Test
    void aBadImageIsRefusedBeforeTheFirstMessage(@TempDir Path tmp) throws Exception {
        Path junk = tmp.resolve("scan.png");
        Files.writeString(junk, "not an image");
        GenerateCommandTest.Run r = chat("hello\n", "--model", OracleFixtures.path("tiny-tied-f32").toString(), "--image", junk.toString());
        assertEquals(1, r.code());
        assertTrue(r.err().contains("--image") && r.err().contains("scan.png"), r.err());
        assertFalse(r.out().contains(">"), "refused before the prompt: " + r.out());
        GenerateCommandTest.Run missing = chat("hello\n", "--model", OracleFixtures.path("tiny-tied-f32").toString(), "--image", tmp.resolve("none.png").toString());
        assertTrue(missing.err().contains("--image") && missing.err().contains("does not exist"), missing.err());
    }

    @Test
    void anImageConversationRuns() {
        GenerateCommandTest.Run r = chat("What is this?\nAre you sure?\n", "--model", OracleFixtures.path("tiny-tied-f32").toString(),
                "--image", OracleFixtures.path("images/small_30x45.png").toString(), "--max-new-tokens", "5", "--temperature", "0.8");
        assertEquals(0, r.code(), r.err());
    }
}
