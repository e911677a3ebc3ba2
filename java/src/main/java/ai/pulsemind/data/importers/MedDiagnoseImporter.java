package ai.pulsemind.data.importers;

import ai.pulsemind.data.DataError;
import ai.pulsemind.data.ImageRef;
import ai.pulsemind.data.MediRecord;
import ai.pulsemind.data.Modality;
import ai.pulsemind.data.Role;
import ai.pulsemind.data.Turn;

import java.io.IOException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The PulseMind benchmark release (MedDiagnose): a CSV with columns {@code Id} and {@code Response}, where the
 * response is the consultation as lines {@code 患者：…} / {@code 医生：…} and a patient line may carry
 * {@code <attachment>1,2<attachment>}, the numbers of images at {@code --images/<Id>/<n>.<ext>} (see
 * {@link ImportOptions#imagePattern()}). A line without a speaker continues the previous message; consecutive
 * lines of one speaker become one turn.
 */
final class MedDiagnoseImporter implements Importer {
    private static final Pattern SPEAKER = Pattern.compile("^\\s*(患者|病人|医生|Patient|Doctor|patient|doctor)\\s*[：:]\\s*");
    private static final Pattern ATTACH = Pattern.compile("<attachment>\\s*([0-9 ,，、]*)\\s*</?attachment>");
    static final List<String> EXTENSIONS = List.of(".jpg", ".jpeg", ".png", ".bmp", ".gif", ".tif", ".tiff", ".dcm", ".webp");

    @Override public String format() { return "pulsemind-meddiagnose"; }

    @Override public String source() { return "PulseMind benchmark MedDiagnose (arXiv 2601.07344)"; }

    @Override
    public void read(ImportOptions opt, Sink sink) throws IOException {
        Path file = opt.input();
        if (!Files.isRegularFile(file)) throw new DataError(file.toString(), 0, "-", "no such input file");
        var dec = StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT);
        try (CsvReader csv = new CsvReader(file.toString(), new java.io.InputStreamReader(Files.newInputStream(file), dec))) {
            CsvReader.Row header = csv.next();
            if (header == null) throw new DataError(file.toString(), 1, "-", "empty CSV: expected a header with Id and Response");
            int id = column(header, "Id", file), resp = column(header, "Response", file);
            CsvReader.Row row;
            while ((row = csv.next()) != null) {
                if (row.fields().size() <= Math.max(id, resp)) {
                    sink.bad(new DataError(file.toString(), row.line(), "-", "row has " + row.fields().size()
                            + " fields, the header has " + header.fields().size()));
                    continue;
                }
                String caseId = row.fields().get(id).strip();
                if (caseId.isEmpty()) { sink.bad(new DataError(file.toString(), row.line(), "Id", "empty Id")); continue; }
                try {
                    sink.accept(file.toString(), row.line(), parse(caseId, row.fields().get(resp), opt, file.toString(), row.line()));
                } catch (DataError e) {
                    sink.bad(e);
                }
            }
        } catch (java.nio.charset.CharacterCodingException e) {
            throw new DataError(file.toString(), 0, "-", "not valid UTF-8 text (re-save the CSV as UTF-8)");
        }
    }

    private static int column(CsvReader.Row header, String name, Path file) {
        for (int i = 0; i < header.fields().size(); i++)
            if (header.fields().get(i).strip().equalsIgnoreCase(name)) return i;
        throw new DataError(file.toString(), header.line(), name, "missing column '" + name + "'; header is " + header.fields());
    }

    static Imported parse(String caseId, String response, ImportOptions opt, String file, long line) {
        List<Turn> turns = new ArrayList<>();
        List<SourceImage> images = new ArrayList<>();
        Role role = null;
        StringBuilder text = new StringBuilder();
        LinkedHashSet<String> shown = new LinkedHashSet<>();
        for (String raw : response.split("\\r?\\n")) {
            Matcher m = SPEAKER.matcher(raw);
            String body = raw;
            if (m.find()) {
                Role r = m.group(1).startsWith("医") || m.group(1).equalsIgnoreCase("doctor") ? Role.DOCTOR : Role.PATIENT;
                body = raw.substring(m.end());
                if (r != role && role != null) { flush(turns, role, text, shown); }
                role = r;
            } else if (role == null) {
                if (raw.isBlank()) continue;
                throw new DataError(file, line, "Response", "text before the first speaker: '" + abbreviate(raw)
                        + "'; lines start with 患者： or 医生：");
            }
            Matcher a = ATTACH.matcher(body);
            while (a.find()) {
                for (String n : a.group(1).split("[ ,，、]+")) {
                    if (n.isBlank()) continue;
                    String imageId = "img" + n;
                    if (shown.add(imageId) && images.stream().noneMatch(s -> s.id().equals(imageId)))
                        images.add(new SourceImage(imageId, locate(opt, caseId, n, file, line), modality(opt)));
                }
            }
            body = a.replaceAll("").strip();
            if (!body.isEmpty()) text.append(text.isEmpty() ? "" : "\n").append(body);
        }
        if (role != null) flush(turns, role, text, shown);
        if (turns.isEmpty()) throw new DataError(file, line, "Response", "no 患者：/医生： lines");
        List<ImageRef> refs = images.stream().map(s -> new ImageRef(s.id(), "pending", s.modality())).toList();
        String lang = Text.language(response);
        MediRecord r = MediRecord.builder("meddiagnose-" + caseId, lang).department(opt.department()).turns(turns)
                .images(refs).split("test").source("pulsemind-meddiagnose").meta(Map.of("case_id", caseId)).build();
        return new Imported(r, images);
    }

    private static void flush(List<Turn> turns, Role role, StringBuilder text, LinkedHashSet<String> shown) {
        turns.add(new Turn(role, text.toString(), role == Role.PATIENT ? List.copyOf(shown) : List.of()));
        text.setLength(0);
        shown.clear();
    }

    private static String modality(ImportOptions opt) { return opt.modality() != null ? opt.modality() : Modality.OTHER; }

    /** The image file of attachment {@code n}: the pattern with {id} and {n} filled; ".*" tries image extensions. */
    static Path locate(ImportOptions opt, String caseId, String n, String file, long line) {
        String rel = opt.imagePattern().replace("{id}", caseId).replace("{n}", n);
        Path root = opt.imageRoot();
        if (rel.endsWith(".*")) {
            String stem = rel.substring(0, rel.length() - 2);
            for (String ext : EXTENSIONS)
                for (String e : new String[] {ext, ext.toUpperCase(Locale.ROOT)}) {
                    Path p = inside(root, stem + e, file, line, n);
                    if (Files.isRegularFile(p)) return p;
                }
            throw new DataError(file, line, "Response", "attachment " + n + " of case " + caseId + ": no image "
                    + root.resolve(stem) + ".{jpg,png,…}");
        }
        return inside(root, rel, file, line, n);
    }

    private static Path inside(Path root, String rel, String file, long line, String n) {
        try {
            return ai.pulsemind.data.DatasetPaths.resolveInside(root, rel);
        } catch (IllegalArgumentException e) {
            throw new DataError(file, line, "Response", "attachment " + n + ": " + e.getMessage());
        }
    }

    private static String abbreviate(String s) { return s.length() > 40 ? s.substring(0, 40) + "…" : s; }
}
