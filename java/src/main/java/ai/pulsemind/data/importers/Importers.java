package ai.pulsemind.data.importers;

import java.util.List;

/** The importers by {@code --format} name. */
public final class Importers {
    private Importers() {}

    public static final List<Importer> ALL = List.of(new MedDiagnoseImporter(), new CmtMedQaImporter(),
            new ShareGptImporter("sharegpt"), new ShareGptImporter("llava"), new McqImporter(), new VqaImporter());

    public static List<String> names() { return ALL.stream().map(Importer::format).toList(); }

    public static Importer byName(String format) {
        for (Importer i : ALL) if (i.format().equals(format)) return i;
        throw new IllegalArgumentException("unknown import format '" + format + "'; one of " + names());
    }
}
