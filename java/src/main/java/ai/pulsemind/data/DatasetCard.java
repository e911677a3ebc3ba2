package ai.pulsemind.data;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * What a dataset is and where it came from, written beside the shards as {@code dataset.json} (for tools) and
 * {@code README.md} (for people, from the template {@code datasets/dataset-card.md}). Mutable while the dataset
 * is being written; {@link DatasetWriter} fills in the counts.
 */
public final class DatasetCard {
    public static final String FORMAT = "mediscope-1";
    static final int MAX_PROBLEMS = 20;

    public String name = "MediScope dataset";
    public String description = "";
    public String source = "unspecified";
    public String licence = "unspecified";
    public String command = "";
    public String limits = "";
    long records, images;
    public long skipped;
    String status = "complete";
    final Map<String, Long> splits = new TreeMap<>(), languages = new TreeMap<>();
    final List<String> problems = new ArrayList<>();

    /** Marks the dataset incomplete: a run stopped early; what was written before stays valid. */
    public void markIncomplete(String why) { status = "incomplete: " + why; }

    public String status() { return status; }

    /** Keeps the first {@value #MAX_PROBLEMS} problems for the card; all are counted by the caller. */
    public void problem(String p) { if (problems.size() < MAX_PROBLEMS) problems.add(p); }

    void count(MediRecord r) {
        records++;
        splits.merge(r.split() == null ? "(none)" : r.split(), 1L, Long::sum);
        languages.merge(r.language(), 1L, Long::sum);
    }

    public Map<String, Object> toMap() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("name", name);
        m.put("description", description);
        m.put("format", FORMAT);
        m.put("source", source);
        m.put("licence", licence);
        m.put("command", command);
        m.put("status", status);
        m.put("records", records);
        m.put("images", images);
        m.put("skipped", skipped);
        m.put("splits", splits);
        m.put("languages", languages);
        m.put("problems", problems);
        return m;
    }

    public String toMarkdown() {
        String t;
        try (InputStream in = DatasetCard.class.getResourceAsStream("dataset-card.md")) {
            if (in == null) throw new IllegalStateException("dataset-card.md is missing from the jar (build problem)");
            t = new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new IllegalStateException("cannot read the dataset card template: " + e.getMessage(), e);
        }
        Map<String, String> v = new LinkedHashMap<>();
        v.put("name", name);
        v.put("description", description.isEmpty() ? "(no description)" : description);
        v.put("format", FORMAT);
        v.put("source", source);
        v.put("licence", licence);
        v.put("command", command.replace("`", "'"));
        v.put("status", status);
        v.put("records", String.valueOf(records));
        v.put("images", String.valueOf(images));
        v.put("skipped", String.valueOf(skipped));
        v.put("splits", splits.toString());
        v.put("languages", languages.toString());
        v.put("limits", limits.isEmpty() ? "(none stated)" : limits);
        StringBuilder p = new StringBuilder();
        for (String s : problems) p.append("- ").append(s).append('\n');
        if (skipped > problems.size()) p.append("- … ").append(skipped - problems.size()).append(" more\n");
        v.put("problems", p.isEmpty() ? "None." : p.toString().strip());
        for (var e : v.entrySet()) t = t.replace("{{" + e.getKey() + "}}", e.getValue());
        return t;
    }
}
