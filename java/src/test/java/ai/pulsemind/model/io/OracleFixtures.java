package ai.pulsemind.model.io;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URISyntaxException;
import java.net.URL;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.fail;

/**
 * Locates the committed oracle fixtures ({@code src/test/resources/oracle}, made by tools/oracle). Found on the
 * file system, so they are found where the test classes come from a jar and the Java runtime has no zip file
 * system (the runtime bin/gpu-verify carries): the class path when it is a directory, else
 * {@code $PULSEMIND_ORACLE_DIR}, else {@code java/src/test/resources/oracle} under the working directory. A
 * missing fixture fails the test: it is never a reason to skip.
 */
public final class OracleFixtures {
    private static Path root;

    private OracleFixtures() {}

    /** The checkpoints the oracle builds. */
    public static final String[] MODELS = {"tiny-tied-f32", "tiny-untied-bf16", "tiny-untied-f32-sharded"};

    /** The fixtures' folder. */
    public static synchronized Path root() {
        if (root != null) return root;
        List<Path> tried = new ArrayList<>();
        URL url = OracleFixtures.class.getResource("/oracle");
        if (url != null && url.getProtocol().equals("file")) {
            try {
                tried.add(Path.of(url.toURI()));
            } catch (URISyntaxException e) {
                throw new IllegalStateException(e);
            }
        }
        String env = System.getenv("PULSEMIND_ORACLE_DIR");
        if (env != null && !env.isBlank()) tried.add(Path.of(env));
        tried.add(Path.of("java/src/test/resources/oracle").toAbsolutePath());
        tried.add(Path.of("src/test/resources/oracle").toAbsolutePath());
        for (Path p : tried)
            if (Files.isRegularFile(p.resolve("prompts/prompts.json"))) return root = p;
        fail("oracle fixtures not found (tried " + tried + "); set PULSEMIND_ORACLE_DIR or run from the repository root"
                + " (tools/oracle/README.md regenerates them)");
        return null;
    }

    /** {@code oracle/<relative>}, which must exist. */
    public static Path path(String relative) {
        Path p = root().resolve(relative);
        if (!Files.exists(p)) fail("oracle fixture " + p + " is missing (tools/oracle/README.md regenerates it)");
        return p;
    }

    /** A JSON fixture. */
    public static JsonNode json(String relative) {
        try {
            return new ObjectMapper().readTree(path(relative).toFile());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** A JSON array of integers. */
    public static int[] ints(JsonNode a) {
        int[] out = new int[a.size()];
        for (int i = 0; i < out.length; i++) out[i] = a.get(i).asInt();
        return out;
    }

    /** The oracle prompt of this name ({@code prompts/prompts.json}). */
    public static JsonNode prompt(String name) {
        for (JsonNode p : json("prompts/prompts.json").get("prompts")) if (p.get("name").asText().equals(name)) return p;
        throw new AssertionError("no oracle prompt " + name);
    }
}
