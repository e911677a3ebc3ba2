package ai.pulsemind.evaluate.publicbench;

import ai.pulsemind.data.DatasetCard;
import ai.pulsemind.data.DatasetWriter;
import ai.pulsemind.data.Progress;
import ai.pulsemind.data.importers.ImportOptions;
import ai.pulsemind.data.importers.ImportRunner;
import ai.pulsemind.data.importers.Importers;

import java.io.IOException;
import java.net.URISyntaxException;
import java.net.URL;
import java.nio.file.Path;

/** Fixtures of the public benchmarks: test resources under evaluate/publicbench, and the samples in datasets/. */
final class PublicFixtures {
    private PublicFixtures() {}

    /** The imported samples of every task (datasets/samples/public). */
    static final Path SAMPLES = Path.of("..", "datasets", "samples", "public");

    static Path path(String rel) {
        URL u = PublicFixtures.class.getResource("/evaluate/publicbench/" + rel);
        if (u == null) throw new AssertionError("missing test fixture evaluate/publicbench/" + rel + " (see tools/publicbench)");
        try {
            return Path.of(u.toURI());
        } catch (URISyntaxException e) {
            throw new AssertionError(e);
        }
    }

    /** Imports a raw benchmark file with the {@code format} importer into {@code out}, as {@code data import} does. */
    static ImportRunner.Result importInto(String format, Path input, Path images, Path out) throws IOException {
        var opt = new ImportOptions(input, images, null, null, null, false, false, true);
        try (DatasetWriter w = new DatasetWriter(out, DatasetWriter.Options.defaults(), new DatasetCard())) {
            return ImportRunner.run(Importers.byName(format), opt, w, System.err, Progress.NONE);
        }
    }
}
