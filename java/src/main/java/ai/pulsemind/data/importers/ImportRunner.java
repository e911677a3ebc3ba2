package ai.pulsemind.data.importers;

import ai.pulsemind.data.DataError;
import ai.pulsemind.data.DatasetWriter;
import ai.pulsemind.data.ImageRef;
import ai.pulsemind.data.MediRecord;
import ai.pulsemind.data.Progress;
import ai.pulsemind.data.Records;
import ai.pulsemind.data.RecordValidator;
import ai.pulsemind.data.images.ImageDecoder;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * Runs an importer into a {@link DatasetWriter}: checks each record's images (present, inside the source folder,
 * decodable), copies them to {@code images/<record id>/<image id>.<ext>}, validates the record and writes it.
 * A bad record stops the import with a {@link DataError} naming file, line and field, or with {@code skipBad} is
 * counted, listed in the dataset card and reported on {@code log}. The writer keeps everything written before.
 */
public final class ImportRunner implements Importer.Sink {
    /** What an import did. */
    public record Result(long records, long skipped, long images) {}

    private final DatasetWriter out;
    private final ImportOptions opt;
    private final PrintStream log;
    private final Progress progress;
    private final Set<String> ids = new HashSet<>();
    private long records, skipped, images;

    private ImportRunner(DatasetWriter out, ImportOptions opt, PrintStream log, Progress progress) {
        this.out = out;
        this.opt = opt;
        this.log = log;
        this.progress = progress;
    }

    public static Result run(Importer imp, ImportOptions opt, DatasetWriter out, PrintStream log, Progress progress) throws IOException {
        ImportRunner r = new ImportRunner(out, opt, log, progress);
        out.card().source = imp.source();
        imp.read(opt, r);
        out.card().skipped = r.skipped;
        progress.finish();
        return new Result(r.records, r.skipped, r.images);
    }

    @Override
    public void accept(String file, long line, Importer.Imported item) throws IOException {
        MediRecord rec = item.record();
        if (!ids.add(rec.id())) { bad(new DataError(file, line, "id", "duplicate id '" + rec.id() + "'")); return; }
        List<ImageRef> refs = new ArrayList<>();
        List<Runnable> copies = new ArrayList<>();
        for (int i = 0; i < item.images().size(); i++) {
            Importer.SourceImage si = item.images().get(i);
            String field = "images[" + i + "] (" + si.id() + ")";
            if (!Files.isRegularFile(si.file())) {
                String hint = opt.images() == null ? " (image paths are read from the input's folder; --images DIR names another)" : "";
                bad(new DataError(file, line, field, "image file " + si.file() + " does not exist" + hint));
                return;
            }
            if (opt.decodeImages()) {
                try {
                    ImageDecoder.decode(si.file());
                } catch (IOException | RuntimeException e) {
                    bad(new DataError(file, line, field, "image does not decode: " + e.getMessage()));
                    return;
                }
            }
            String rel = "images/" + DatasetWriter.safeName(rec.id()) + "/" + DatasetWriter.safeName(si.id()) + extension(si.file());
            refs.add(new ImageRef(si.id(), rel, si.modality()));
        }
        MediRecord withPaths = rec.toBuilder().images(refs).build();
        List<RecordValidator.Problem> ps = RecordValidator.check(Records.MAPPER.valueToTree(withPaths));
        if (!ps.isEmpty()) { bad(new DataError(file, line, ps.getFirst().field(), ps.getFirst().message())); return; }
        for (int i = 0; i < refs.size(); i++) out.addImage(item.images().get(i).file(), refs.get(i).path());
        images += refs.size();
        out.write(withPaths);
        records++;
        progress.advance(1);
    }

    @Override
    public void bad(DataError e) {
        if (!opt.skipBad()) throw e;
        skipped++;
        progress.failed(1);
        out.card().problem(e.getMessage());
        log.println("skipped: " + e.getMessage());
    }

    private static String extension(java.nio.file.Path f) {
        String n = f.getFileName().toString();
        int dot = n.lastIndexOf('.');
        return dot > 0 ? n.substring(dot).toLowerCase(Locale.ROOT) : "";
    }
}
