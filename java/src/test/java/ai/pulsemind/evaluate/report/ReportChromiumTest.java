package ai.pulsemind.evaluate.report;

import ai.pulsemind.evaluate.stats.WinRates;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import javax.imageio.ImageIO;
import java.awt.image.BufferedImage;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.*;

/**
 * The report as a reader sees it: rendered by headless Chromium (Debian's {@code chromium} package), every chart
 * loaded as an image with a real size, and the headline numbers in the rendered text. Chromium must be installed
 * ({@code apt-get install -y chromium}; {@code .ci/run} does it): without it this test fails, it is not skipped.
 */
class ReportChromiumTest {
    static final Path CHROMIUM = Path.of("/usr/bin/chromium");
    static final long LIMIT_S = 120;

    /** Appended to a copy of the page: records what the browser loaded and rendered into the DOM that is dumped. */
    static final String PROBE = """
            <script>
            window.addEventListener('load', function () {
              var imgs = Array.prototype.slice.call(document.images).map(function (i) {
                return {src: i.getAttribute('src'), w: i.naturalWidth, h: i.naturalHeight, complete: i.complete};
              });
              var out = document.createElement('pre');
              out.id = 'probe';
              out.textContent = JSON.stringify({images: imgs, text: document.body.innerText});
              document.body.appendChild(out);
            });
            </script>
            """;

    @Test
    @Timeout(value = 300, unit = TimeUnit.SECONDS)
    void chromiumShowsEveryChartAndTheHeadline(@TempDir Path dir) throws Exception {
        assertTrue(Files.isExecutable(CHROMIUM), "Chromium is not installed at " + CHROMIUM
                + ": install Debian's package (apt-get install -y chromium; .ci/run does this) to render the report");
        Report report = ReportDemo.build();
        report.write(dir);
        String html = Files.readString(dir.resolve(Report.HTML));
        Files.writeString(dir.resolve("probe.html"), html.replace("</body>", PROBE + "</body>"));

        String dom = chromium(dir, "--dump-dom", "--virtual-time-budget=15000", dir.resolve("probe.html").toUri().toString());
        Matcher m = Pattern.compile("<pre id=\"probe\">(.*?)</pre>", Pattern.DOTALL).matcher(dom);
        assertTrue(m.find(), "the probe did not run; Chromium's DOM:\n" + dom.substring(0, Math.min(2000, dom.length())));
        JsonNode probe = new ObjectMapper().readTree(unescape(m.group(1)));

        List<Chart> charts = report.charts();
        JsonNode imgs = probe.get("images");
        assertEquals(charts.size(), imgs.size(), "images on the page: " + imgs);
        for (int i = 0; i < charts.size(); i++) {
            JsonNode img = imgs.get(i);
            Chart c = charts.get(i);
            assertEquals(c.fileName(), img.get("src").asText());
            assertTrue(img.get("complete").asBoolean(), c.fileName() + " did not finish loading: " + img);
            assertEquals(c.width() * Png.SCALE, img.get("w").asInt(), c.fileName() + " natural width: " + img);
            assertEquals(c.height() * Png.SCALE, img.get("h").asInt(), c.fileName() + " natural height: " + img);
        }

        String text = probe.get("text").asText();
        WinRates.Result wr = WinRates.analyze(ReportDemo.simulate(240, 1).pairwise(), new ai.pulsemind.evaluate.stats.Resampling(1000, 0.95, 17));
        for (WinRates.ModelRates mr : wr.models()) {
            String headline = Formats.percent(mr.meanWinRate().winRate().estimate());
            assertTrue(text.contains("Mean win rate · " + mr.model()) && text.contains(headline),
                    "the rendered text shows " + mr.model() + "'s mean win rate " + headline);
            assertTrue(text.contains(Formats.percentRange(mr.meanWinRate().winRate())), "and its interval");
        }
        assertTrue(text.contains("Bradley–Terry ratings") && text.contains("obstetrics & gynaecology"), "tables are rendered as text");
    }

    @Test
    @Timeout(value = 300, unit = TimeUnit.SECONDS)
    void aScreenshotOfTheReportIsNotBlank(@TempDir Path dir) throws Exception {
        assertTrue(Files.isExecutable(CHROMIUM), "Chromium is not installed at " + CHROMIUM
                + ": install Debian's package (apt-get install -y chromium; .ci/run does this) to render the report");
        ReportDemo.build().write(dir);
        Path shot = dir.resolve("screenshot.png");
        chromium(dir, "--screenshot=" + shot, "--window-size=1200,2400", "--hide-scrollbars", "--virtual-time-budget=15000",
                dir.resolve(Report.HTML).toUri().toString());
        BufferedImage img = ImageIO.read(shot.toFile());
        assertNotNull(img, "Chromium wrote no screenshot");
        Set<Integer> colours = new HashSet<>();
        int coloured = 0;
        for (int y = 0; y < img.getHeight(); y += 4)
            for (int x = 0; x < img.getWidth(); x += 4) {
                int rgb = img.getRGB(x, y) & 0xffffff;
                colours.add(rgb);
                int r = rgb >> 16, g = (rgb >> 8) & 0xff, b = rgb & 0xff;
                if (Math.max(r, Math.max(g, b)) - Math.min(r, Math.min(g, b)) > 60) coloured++;
            }
        assertTrue(colours.size() > 50, "the screenshot has " + colours.size() + " colours: blank");
        // the first chart's blue / grey / orange bars are within the first 2400 pixels of the page
        assertTrue(coloured > 2000, "only " + coloured + " saturated pixels: the charts did not render");
        Files.createDirectories(ReportDemoTest.DEMO);
        Files.copy(shot, ReportDemoTest.DEMO.resolve("chromium-screenshot.png"), java.nio.file.StandardCopyOption.REPLACE_EXISTING);
    }

    /** Runs headless Chromium with a fresh profile, time-bounded; returns its standard output. */
    static String chromium(Path work, String... args) throws Exception {
        Path profile = Files.createTempDirectory(work, "chromium-profile");
        List<String> cmd = new ArrayList<>(List.of(CHROMIUM.toString(), "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic",
                "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync",
                "--user-data-dir=" + profile));
        cmd.addAll(List.of(args));
        Path out = work.resolve("chromium.out"), err = work.resolve("chromium.err");
        Process p = new ProcessBuilder(cmd).redirectOutput(out.toFile()).redirectError(err.toFile()).start();
        if (!p.waitFor(LIMIT_S, TimeUnit.SECONDS)) {
            p.descendants().forEach(ProcessHandle::destroyForcibly);
            p.destroyForcibly();
            fail("Chromium did not finish within " + LIMIT_S + " s: " + String.join(" ", cmd));
        }
        String stdout = Files.readString(out, StandardCharsets.UTF_8);
        assertEquals(0, p.exitValue(), "Chromium failed: " + String.join(" ", cmd) + "\n" + Files.readString(err));
        return stdout;
    }

    private static String unescape(String s) {
        return s.replace("&lt;", "<").replace("&gt;", ">").replace("&quot;", "\"").replace("&#39;", "'").replace("&nbsp;", "\u00a0").replace("&amp;", "&");
    }
}
