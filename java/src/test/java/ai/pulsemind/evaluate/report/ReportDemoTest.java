package ai.pulsemind.evaluate.report;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import javax.imageio.ImageIO;
import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.*;

class ReportDemoTest {
    /** The demo report for people to look at: java/target/report-demo/report.html. */
    static final Path DEMO = Path.of("target", "report-demo");

    @Test
    void demoReportIsWrittenWithEveryChartAsARealImage() throws Exception {
        Report r = ReportDemo.build();
        Report.Written w = r.write(DEMO);
        assertEquals(DEMO.resolve("report.html"), w.html());
        List<String> names = new ArrayList<>();
        for (Chart c : r.charts()) names.add(c.fileName());
        assertEquals(List.of("win-tie-loss-1-pulsemind-crpo.png", "win-tie-loss-2-pulsemind-sft.png", "departments.png", "ratings.png",
                "absolute-scores.png", "crpo-metrics.png", "public-public-benchmarks.png"), names);
        String html = Files.readString(w.html());
        for (Chart c : r.charts()) {
            BufferedImage img = ImageIO.read(DEMO.resolve(c.fileName()).toFile());
            assertEquals(c.width() * Png.SCALE, img.getWidth(), c.name());
            assertEquals(c.height() * Png.SCALE, img.getHeight(), c.name());
            assertTrue(colours(img) > 20, c.name() + " has " + colours(img) + " colours: a blank or near-blank image");
            assertTrue(html.contains("<img src=\"" + c.fileName() + "\""), c.name());
        }
        assertFalse(html.contains("<script"), "no scripts");
        assertFalse(html.contains("http://") || html.contains("https://"), "nothing from the network");
        assertTrue(html.contains("&lt;not a real run&gt;"), "subtitle escaped");
        assertTrue(html.contains("obstetrics &amp; gynaecology"), "table cells escaped");
    }

    private static int colours(BufferedImage img) {
        Set<Integer> seen = new HashSet<>();
        for (int y = 0; y < img.getHeight(); y += 3) for (int x = 0; x < img.getWidth(); x += 3) seen.add(img.getRGB(x, y));
        return seen.size();
    }

    @Test
    void theSameInputsWriteTheSameBytes(@TempDir Path a, @TempDir Path b) throws Exception {
        ReportDemo.build().write(a);
        ReportDemo.build().write(b);
        try (var files = Files.list(a)) {
            List<Path> all = files.sorted().toList();
            assertEquals(8, all.size(), all.toString());
            for (Path p : all) assertArrayEquals(Files.readAllBytes(p), Files.readAllBytes(b.resolve(p.getFileName())), p.getFileName().toString());
        }
    }
}
