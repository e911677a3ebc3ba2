package ai.pulsemind.model.io;

import static org.junit.jupiter.api.Assertions.fail;

import java.net.URISyntaxException;
import java.net.URL;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Locates the committed oracle fixtures ({@code src/test/resources/oracle}, made by tools/oracle). A missing
 * fixture fails the test: it is never a reason to skip.
 */
public final class OracleFixtures {
    private OracleFixtures() {}

    /** {@code oracle/<relative>} on the test class path, which must exist. */
    public static Path path(String relative) {
        URL root = OracleFixtures.class.getResource("/oracle");
        if (root == null) fail("oracle fixtures are missing from the test class path (tools/oracle/README.md regenerates them)");
        try {
            Path p = Path.of(root.toURI()).resolve(relative);
            if (!Files.exists(p)) fail("oracle fixture " + p + " is missing (tools/oracle/README.md regenerates it)");
            return p;
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The checkpoints the oracle builds. */
    public static final String[] MODELS = {"tiny-tied-f32", "tiny-untied-bf16", "tiny-untied-f32-sharded"};
}
