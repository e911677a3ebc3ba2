package ai.pulsemind.evaluate.report;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.*;

class HtmlTest {
    @Test
    void escapesMarkupQuotesAndForbiddenCharacters() {
        assertEquals("a &lt;b&gt; &amp; &quot;c&quot; &#39;d&#39;", Html.escape("a <b> & \"c\" 'd'"));
        assertEquals("tab\tnl\nok", Html.escape("tab\tnl\nok\u0000\u0007\u0085"));
        assertEquals("😀 x", Html.escape("😀 x\uD800"), "pairs kept, an unpaired surrogate dropped");
        assertEquals("患者 · 50%", Html.escape("患者 · 50%"));
    }

    @Test
    void everyPieceOfTextIsEscapedWhereverItAppears(@TempDir Path dir) throws Exception {
        String evil = "<script>alert('x')</script>";
        Report r = Report.builder("T " + evil).subtitle(evil)
                .keyNumber(new KeyNumber(evil, evil, evil))
                .section(Report.Section.builder(evil).paragraph(evil)
                        .table(Table.builder(evil).column(evil).numberColumn("n").row(evil, "1").build())
                        .build())
                .footnote(evil)
                .build();
        r.write(dir);
        String html = Files.readString(dir.resolve(Report.HTML));
        assertFalse(html.contains("<script"), html);
        assertTrue(html.contains("&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;"));
        assertTrue(html.contains("<td class=\"num\">1</td>"), "numeric columns right-aligned");
        assertTrue(html.startsWith("<!DOCTYPE html>"));
    }

    @Test
    void badReportsAreRefusedWithWhatIsWrong() {
        var chart = Charts.pointRanges("same", "t", "c", "x", Charts.ValueAxis.auto("v"), List.of(new Charts.Point("s", "a", 1, 0, 2)), true);
        var dup = assertThrows(IllegalArgumentException.class, () -> Report.builder("t")
                .section(Report.Section.builder("a").chart(chart).chart(chart).build()).build());
        assertTrue(dup.getMessage().contains("'same'"), dup.getMessage());
        var name = assertThrows(IllegalArgumentException.class, () -> new Chart("../x", "c", 400, 300, chart.chart()));
        assertTrue(name.getMessage().contains("../x"), name.getMessage());
        var row = assertThrows(IllegalArgumentException.class, () -> Table.builder("tbl").column("a").column("b").row("only one").build());
        assertTrue(row.getMessage().contains("row 1") && row.getMessage().contains("tbl"), row.getMessage());
        assertThrows(IllegalArgumentException.class, () -> Report.builder(" ").build());
        assertThrows(IllegalArgumentException.class, () -> new Charts.WtlBar("x", 1.2, 0, 0, 0, 1));
        assertThrows(IllegalArgumentException.class, () -> new Charts.Line("l", new double[2], new double[3], null, null));
        assertEquals("obstetrics-gynaecology", Report.slug("Obstetrics & Gynaecology"));
    }

    @Test
    void formatsAreLocaleIndependent() {
        var iv = new ai.pulsemind.evaluate.stats.Bootstrap.Interval(0.6234, 0.581, 0.6642, 0.95, 2000, 17);
        assertEquals("62.3%", Formats.percent(iv.estimate()));
        assertEquals("62.3% [58.1, 66.4]", Formats.percentWithInterval(iv));
        assertEquals("58.1–66.4%", Formats.percentRange(iv));
        assertEquals("n/a", Formats.percent(Double.NaN));
        assertTrue(Formats.method(new ai.pulsemind.evaluate.stats.Resampling(2000, 0.95, 17)).contains("95% case-level percentile bootstrap"));
    }
}
