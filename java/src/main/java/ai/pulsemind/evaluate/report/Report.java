package ai.pulsemind.evaluate.report;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * A static report: a title, key numbers shown large, then sections of paragraphs, tables and charts, and footnotes
 * (how the intervals were made, seeds). {@link #write} puts {@code report.html} and one PNG per chart into a
 * directory; the page has no scripts and loads nothing from the network, and the same report writes the same bytes.
 *
 * <pre>{@code
 * Report r = Report.builder("PulseMind Benchmark · MedDiagnose")
 *         .subtitle("237 cases, judge qwen2.5-72b, both orders")
 *         .keyNumbers(ConsultSections.headlines(winRates))
 *         .section(ConsultSections.winRates(winRates))
 *         .section(ConsultSections.ratings(ratings))
 *         .footnote("Intervals: case-level bootstrap, 2000 resamples, seed 17")
 *         .build();
 * r.write(runDir);
 * }</pre>
 */
public record Report(String title, String subtitle, List<KeyNumber> keyNumbers, List<Section> sections, List<String> footnotes) {
    /** The page's file name in the output directory. */
    public static final String HTML = "report.html";

    public Report {
        requireText(title, "report title");
        subtitle = subtitle == null ? "" : subtitle;
        keyNumbers = List.copyOf(keyNumbers);
        sections = List.copyOf(sections);
        footnotes = List.copyOf(footnotes);
        Set<String> names = new HashSet<>();
        for (Chart c : charts(sections))
            if (!names.add(c.name())) throw new IllegalArgumentException("two charts are named '" + c.name() + "'; chart names must be unique in a report");
    }

    /** One titled part of the report. */
    public record Section(String title, List<Block> blocks) {
        public Section {
            requireText(title, "section title");
            blocks = List.copyOf(blocks);
        }

        public static SectionBuilder builder(String title) { return new SectionBuilder(title); }
    }

    /** What a section holds, in order. */
    public sealed interface Block permits Paragraph, TableBlock, ChartBlock {}

    /** Plain text (escaped; no markup). */
    public record Paragraph(String text) implements Block {}

    public record TableBlock(Table table) implements Block {}

    public record ChartBlock(Chart chart) implements Block {}

    /** What {@link #write} wrote. */
    public record Written(Path html, List<Path> images) {}

    /** Every chart, in the order they appear. */
    public List<Chart> charts() { return charts(sections); }

    private static List<Chart> charts(List<Section> sections) {
        List<Chart> out = new ArrayList<>();
        for (Section s : sections) for (Block b : s.blocks()) if (b instanceof ChartBlock cb) out.add(cb.chart());
        return out;
    }

    /**
     * Writes the charts, then {@code report.html}, into {@code dir} (created if needed), each through a temporary
     * file and a rename, so a reader never sees a half-written file and the page never points at a missing image.
     * Other files in {@code dir} are left alone.
     */
    public Written write(Path dir) throws IOException {
        Files.createDirectories(dir);
        List<Path> images = new ArrayList<>();
        for (Chart c : charts()) {
            Path p = dir.resolve(c.fileName());
            replace(p, Png.render(c));
            images.add(p);
        }
        Path html = dir.resolve(HTML);
        replace(html, Html.page(this).getBytes(StandardCharsets.UTF_8));
        return new Written(html, List.copyOf(images));
    }

    private static void replace(Path target, byte[] bytes) throws IOException {
        Path tmp = target.resolveSibling("." + target.getFileName() + ".tmp");
        Files.write(tmp, bytes);
        Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    }

    /** A file-name-safe form of {@code s}: lower case, runs of anything but letters and digits as one '-'. */
    public static String slug(String s) {
        String t = s.toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9]+", "-").replaceAll("^-+|-+$", "");
        return t.isEmpty() ? "x" : t.length() > 60 ? t.substring(0, 60) : t;
    }

    static void requireText(String s, String what) {
        if (s == null || s.isBlank()) throw new IllegalArgumentException(what + " is missing");
    }

    public static Builder builder(String title) { return new Builder(title); }

    public static final class Builder {
        private final String title;
        private String subtitle = "";
        private final List<KeyNumber> keyNumbers = new ArrayList<>();
        private final List<Section> sections = new ArrayList<>();
        private final List<String> footnotes = new ArrayList<>();

        private Builder(String title) { this.title = title; }

        public Builder subtitle(String s) { subtitle = s; return this; }

        public Builder keyNumber(KeyNumber k) { keyNumbers.add(k); return this; }

        public Builder keyNumbers(List<KeyNumber> ks) { keyNumbers.addAll(ks); return this; }

        public Builder section(Section s) { sections.add(s); return this; }

        public Builder footnote(String s) { footnotes.add(s); return this; }

        public Report build() { return new Report(title, subtitle, keyNumbers, sections, footnotes); }
    }

    public static final class SectionBuilder {
        private final String title;
        private final List<Block> blocks = new ArrayList<>();

        private SectionBuilder(String title) { this.title = title; }

        public SectionBuilder paragraph(String text) { requireText(text, "paragraph in section " + title); blocks.add(new Paragraph(text)); return this; }

        public SectionBuilder table(Table t) { blocks.add(new TableBlock(t)); return this; }

        public SectionBuilder chart(Chart c) { blocks.add(new ChartBlock(c)); return this; }

        public Section build() { return new Section(title, blocks); }
    }
}
