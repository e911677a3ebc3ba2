package ai.pulsemind.data;

import java.io.IOException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Consumer;

/**
 * Counts over a dataset, streaming (memory grows with the number of distinct departments etc., not records).
 * Lines that do not parse or bind are counted as {@code unreadable} and passed to the sink; run
 * {@code data validate} for the full rules.
 */
public final class DatasetStats {
    private long records, unreadable, turns, images, withImages, counterparts, withDiagnosis, withFacts;
    private final Map<Integer, Long> turnCounts = new TreeMap<>();
    private final Map<String, Long> departments = new TreeMap<>(), subspecialties = new TreeMap<>(),
            modalities = new TreeMap<>(), languages = new TreeMap<>(), splits = new TreeMap<>(),
            sources = new TreeMap<>(), evalTypes = new TreeMap<>(), flaws = new TreeMap<>();

    /** Turn-count bins of the histogram; the paper reports the share of 6–10-turn dialogues. */
    static final int[][] BINS = {{1, 2}, {3, 5}, {6, 10}, {11, 20}, {21, Integer.MAX_VALUE}};

    public static DatasetStats of(Path path, Consumer<DataError> problems, Progress progress) throws IOException {
        DatasetStats s = new DatasetStats();
        for (Path shard : DatasetPaths.shards(path)) {
            try (JsonlReader in = new JsonlReader(shard)) {
                JsonlReader.Line line;
                while (true) {
                    try {
                        if ((line = in.next()) == null) break;
                        s.add(Records.fromNode(JsonlReader.parse(shard.toString(), line)));
                    } catch (DataError e) {
                        s.unreadable++;
                        problems.accept(e);
                        if (e.field().equals("-") && e.detail().startsWith("not valid UTF-8")) break;
                    } catch (IllegalArgumentException e) {
                        s.unreadable++;
                        problems.accept(new DataError(shard.toString(), in.lineNumber(), "-", e.getMessage()));
                    }
                    progress.advance(1);
                }
            }
        }
        progress.finish();
        return s;
    }

    public void add(MediRecord r) {
        records++;
        turns += r.turns().size();
        turnCounts.merge(r.turns().size(), 1L, Long::sum);
        inc(departments, r.department().isEmpty() ? "(none)" : r.department());
        inc(subspecialties, r.subspecialty().isEmpty() ? "(none)" : r.subspecialty());
        inc(languages, r.language());
        inc(splits, r.split() == null ? "(none)" : r.split());
        inc(sources, r.source() == null ? "(none)" : r.source().split("[ :]")[0]);
        for (ImageRef im : r.images()) inc(modalities, im.modality());
        images += r.images().size();
        if (!r.images().isEmpty()) withImages++;
        counterparts += r.counterparts().size();
        for (Counterpart c : r.counterparts()) if (c.quality() != null) for (String f : c.quality().flaws()) inc(flaws, f);
        if (r.diagnosis() != null) withDiagnosis++;
        if (!r.facts().isEmpty()) withFacts++;
        if (r.eval() != null) inc(evalTypes, r.eval().type());
    }

    private static void inc(Map<String, Long> m, String k) { m.merge(k, 1L, Long::sum); }

    public long records() { return records; }

    /** The stats as a JSON-ready map; keys are stable (scripts read {@code departments} and {@code modalities}). */
    public Map<String, Object> toMap() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("records", records);
        m.put("unreadable", unreadable);
        m.put("turns", turns);
        m.put("mean_turns", records == 0 ? 0.0 : Math.round(1000.0 * turns / records) / 1000.0);
        Map<String, Long> hist = new LinkedHashMap<>();
        for (int[] b : BINS) {
            long c = 0;
            for (var e : turnCounts.entrySet()) if (e.getKey() >= b[0] && e.getKey() <= b[1]) c += e.getValue();
            hist.put(b[1] == Integer.MAX_VALUE ? b[0] + "+" : b[0] + "-" + b[1], c);
        }
        m.put("turns_histogram", hist);
        Map<String, Long> exact = new LinkedHashMap<>();
        turnCounts.forEach((k, v) -> exact.put(String.valueOf(k), v));
        m.put("turns_exact", exact);
        m.put("share_6_10_turns", records == 0 ? 0.0 : Math.round(1000.0 * hist.get("6-10") / records) / 1000.0);
        m.put("departments", departments);
        m.put("subspecialties", subspecialties);
        m.put("images", images);
        m.put("records_with_images", withImages);
        m.put("modalities", modalities);
        m.put("languages", languages);
        m.put("splits", splits);
        m.put("sources", sources);
        m.put("records_with_diagnosis", withDiagnosis);
        m.put("records_with_facts", withFacts);
        m.put("counterparts", counterparts);
        m.put("counterpart_flaws", flaws);
        m.put("eval_types", evalTypes);
        return m;
    }
}
