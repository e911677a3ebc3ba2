package ai.pulsemind.data;

import java.net.URISyntaxException;
import java.net.URL;
import java.nio.file.Path;

/** Test fixtures under src/test/resources/data; a missing one fails the test that asks for it. */
public final class Fixtures {
    private Fixtures() {}

    public static Path path(String rel) {
        URL u = Fixtures.class.getResource("/data/" + rel);
        if (u == null) throw new AssertionError("missing test fixture data/" + rel + " (see src/test/resources/data)");
        try {
            return Path.of(u.toURI());
        } catch (URISyntaxException e) {
            throw new AssertionError(e);
        }
    }
}
