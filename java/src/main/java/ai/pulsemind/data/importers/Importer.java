package ai.pulsemind.data.importers;

import ai.pulsemind.data.DataError;
import ai.pulsemind.data.MediRecord;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;

/**
 * Reads one source format and hands records to a {@link Sink}. An importer only parses: it names each record's
 * source file and line, and the image files it refers to; {@link ImportRunner} copies images, validates and writes.
 */
public interface Importer {
    /** The {@code --format} name. */
    String format();

    /** The source dataset(s) this format comes from, for the dataset card. */
    String source();

    /** Reads {@code opt.input()} to the end, or until the sink throws. */
    void read(ImportOptions opt, Sink sink) throws IOException;

    /** An image of a record as found in the source: its id in the record, the file, its modality. */
    record SourceImage(String id, Path file, String modality) {}

    /**
     * A parsed record whose {@code images[].path} are placeholders; the runner replaces them with the copied
     * files' paths. {@code images} gives the source file of each image id.
     */
    record Imported(MediRecord record, List<SourceImage> images) {}

    /** Where an importer sends what it read. */
    interface Sink {
        /** A record read from {@code file} at {@code line} (1-based; 0 when the source has no lines). */
        void accept(String file, long line, Imported item) throws IOException;

        /** A source record that cannot be imported; throws unless bad records are skipped. */
        void bad(DataError e);
    }
}
