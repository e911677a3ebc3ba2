package ai.pulsemind.backend.cuda;

import ai.pulsemind.model.io.SafetensorsFile;
import ai.pulsemind.model.qwen25vl.Qwen25VL;
import ai.pulsemind.tensor.Tensor;
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
 * The transformers oracle's checkpoints, prompts and expected outputs (java/src/test/resources/oracle, made by
 * tools/oracle) for the bf16 model checks. Found on the file system, so it works where the test classes come from a
 * jar and the Java runtime has no zip file system (the runtime bin/gpu-verify carries): the class path when it is a
 * directory, else {@code $PULSEMIND_ORACLE_DIR}, else {@code java/src/test/resources/oracle} under the working
 * directory. A missing fixture fails; it is never a reason to skip.
 */
final class OracleCases {
    static final String[] MODELS = {"tiny-tied-f32", "tiny-untied-bf16", "tiny-untied-f32-sharded"};
    private static Path root;

    private OracleCases() {}

    static synchronized Path root() {
        if (root != null) return root;
        List<Path> tried = new ArrayList<>();
        URL url = OracleCases.class.getResource("/oracle");
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
        fail("oracle fixtures not found (tried " + tried + "); set PULSEMIND_ORACLE_DIR or run from the repository root");
        return null;
    }

    static Path path(String relative) {
        Path p = root().resolve(relative);
        if (!Files.exists(p)) fail("oracle fixture " + p + " is missing (tools/oracle/README.md regenerates it)");
        return p;
    }

    static JsonNode json(String relative) {
        try {
            return new ObjectMapper().readTree(path(relative).toFile());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static int[] ints(JsonNode a) {
        int[] out = new int[a.size()];
        for (int i = 0; i < out.length; i++) out[i] = a.get(i).asInt();
        return out;
    }

    static JsonNode prompt(String name) {
        for (JsonNode p : json("prompts/prompts.json").get("prompts")) if (p.get("name").asText().equals(name)) return p;
        throw new AssertionError("no oracle prompt " + name);
    }

    /** The prompt's ids and, from the committed pixel values, its images (host F32). */
    static Qwen25VL.Sequence sequence(String promptName, SafetensorsFile pixels) {
        JsonNode p = prompt(promptName);
        List<int[]> grids = new ArrayList<>();
        for (JsonNode g : p.get("image_grid_thw")) grids.add(ints(g));
        List<Qwen25VL.Image> images = new ArrayList<>();
        if (!grids.isEmpty()) {
            Tensor all = pixels.tensor(promptName + ".pixel_values");
            int at = 0;
            for (int[] g : grids) {
                int n = g[0] * g[1] * g[2];
                images.add(new Qwen25VL.Image(all.narrow(0, at, n), g));
                at += n;
            }
        }
        return new Qwen25VL.Sequence(ints(p.get("input_ids")), images);
    }
}
