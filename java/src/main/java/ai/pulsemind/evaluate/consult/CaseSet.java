package ai.pulsemind.evaluate.consult;

import ai.pulsemind.data.DataError;
import ai.pulsemind.data.DatasetPaths;
import ai.pulsemind.data.ImageRef;
import ai.pulsemind.data.JsonlReader;
import ai.pulsemind.data.MediRecord;
import ai.pulsemind.data.RecordValidator;
import ai.pulsemind.data.Records;
import ai.pulsemind.data.Role;
import com.fasterxml.jackson.databind.JsonNode;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The cases of a run: consultation records (a patient turn first, at least one doctor turn) read from a dataset
 * folder, the first {@code maxCases} in shard order. A line that is not a valid record, a record without a doctor
 * turn, and a record whose images are missing on disk are skipped, each counted and named (the first
 * {@value #KEPT} messages kept).
 *
 * @param records    the cases, in order
 * @param roots      per case id, the dataset root its image paths are relative to
 * @param malformed  lines that are not valid records
 * @param noDoctor   records without a doctor turn (evaluation questions, not consultations)
 * @param missingImages records skipped because an image file is missing
 * @param messages   why each skipped one was skipped (file:line: id: reason), the first {@value #KEPT}
 */
public record CaseSet(List<MediRecord> records, Map<String, Path> roots, long malformed, long noDoctor, long missingImages,
                      List<String> messages) {
    static final int KEPT = 50;

    public Path root(MediRecord r) { return roots.get(r.id()); }

    public static CaseSet read(Path data, int maxCases) throws IOException {
        List<MediRecord> out = new ArrayList<>();
        Map<String, Path> roots = new HashMap<>();
        Set<String> seen = new HashSet<>();
        List<String> msgs = new ArrayList<>();
        long malformed = 0, noDoctor = 0, missing = 0;
        for (Path shard : DatasetPaths.shards(data)) {
            Path root = DatasetPaths.rootOf(shard, data);
            try (JsonlReader in = new JsonlReader(shard)) {
                JsonlReader.Line l;
                while ((l = in.next()) != null && (maxCases == 0 || out.size() < maxCases)) {
                    String where = shard + ":" + l.number();
                    MediRecord r;
                    try {
                        JsonNode n = JsonlReader.parse(shard.toString(), l);
                        List<RecordValidator.Problem> ps = RecordValidator.check(n);
                        if (!ps.isEmpty()) throw new DataError(shard, l.number(), ps.getFirst().field(), ps.getFirst().message());
                        r = Records.fromNode(n);
                    } catch (DataError | IllegalArgumentException e) {
                        malformed++;
                        keep(msgs, where + ": skipped, not a valid record: " + e.getMessage());
                        continue;
                    }
                    if (!seen.add(r.id())) {
                        malformed++;
                        keep(msgs, where + ": " + r.id() + ": skipped, a second record with this id");
                        continue;
                    }
                    if (r.turns().isEmpty() || r.turns().getFirst().role() != Role.PATIENT || r.turns().stream().noneMatch(t -> t.role() == Role.DOCTOR)) {
                        noDoctor++;
                        keep(msgs, where + ": " + r.id() + ": skipped, not a consultation (needs a patient turn first and a doctor turn)");
                        continue;
                    }
                    String gone = missingImage(r, root);
                    if (gone != null) {
                        missing++;
                        keep(msgs, where + ": " + r.id() + ": skipped, image " + gone);
                        continue;
                    }
                    out.add(r);
                    roots.put(r.id(), root);
                }
            }
        }
        return new CaseSet(List.copyOf(out), Map.copyOf(roots), malformed, noDoctor, missing, List.copyOf(msgs));
    }

    /** The first image of {@code r} that is not a file under {@code root}, described; null when all are there. */
    static String missingImage(MediRecord r, Path root) {
        for (ImageRef im : r.images()) {
            try {
                Path p = DatasetPaths.resolveInside(root, im.path());
                if (!Files.isRegularFile(p)) return "'" + im.id() + "' is missing: " + p;
            } catch (RuntimeException e) {
                return "'" + im.id() + "' has a bad path: " + e.getMessage();
            }
        }
        return null;
    }

    private static void keep(List<String> msgs, String m) { if (msgs.size() < KEPT) msgs.add(m); }

    public long skipped() { return malformed + noDoctor + missingImages; }
}
