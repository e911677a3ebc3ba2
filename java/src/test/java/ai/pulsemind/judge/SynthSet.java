package ai.pulsemind.judge;

import ai.pulsemind.data.DatasetCard;
import ai.pulsemind.data.DatasetPaths;
import ai.pulsemind.data.DatasetWriter;
import ai.pulsemind.data.MediRecord;
import ai.pulsemind.data.Progress;
import ai.pulsemind.data.Records;
import ai.pulsemind.data.synth.KnowledgeBase;
import ai.pulsemind.data.synth.SynthGenerator;
import ai.pulsemind.data.synth.SynthOptions;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** A synthetic dataset made for a test (records with five labelled counterparts each), and the shipped sample. */
public final class SynthSet {
    private SynthSet() {}

    public static List<MediRecord> make(Path dir, int cases, long seed, String lang) {
        try {
            try (DatasetWriter w = new DatasetWriter(dir, new DatasetWriter.Options(10_000, false), new DatasetCard())) {
                SynthGenerator.generate(KnowledgeBase.bundled(), new SynthOptions(cases, seed, lang, 2, 5), w, Progress.NONE);
            }
            return read(dir);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public static List<MediRecord> read(Path dir) throws IOException {
        List<MediRecord> recs = new ArrayList<>();
        for (Path s : DatasetPaths.shards(dir))
            for (String l : Files.readAllLines(s)) if (!l.isBlank()) recs.add(Records.MAPPER.readValue(l, MediRecord.class));
        return recs;
    }

    /** {@code datasets/samples/synthetic-mini}, which the build ships; a missing sample fails. */
    public static Path mini() {
        for (Path p = Path.of("").toAbsolutePath(); p != null; p = p.getParent()) {
            Path d = p.resolve("datasets/samples/synthetic-mini");
            if (Files.isDirectory(d)) return d;
        }
        throw new IllegalStateException("datasets/samples/synthetic-mini not found above " + Path.of("").toAbsolutePath());
    }
}
