package ai.pulsemind.evaluate.report;

import ai.pulsemind.data.Progress;
import ai.pulsemind.evaluate.consult.ConsultBench;
import ai.pulsemind.evaluate.consult.ConsultConfig;
import ai.pulsemind.evaluate.consult.ConsultSummary;
import ai.pulsemind.evaluate.stats.WinRates;
import ai.pulsemind.judge.SynthSet;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** A consultation run's report.html as headless Chromium renders it: every chart loads, the headline numbers show. */
class ConsultReportChromiumTest {
    private static final String PROBE = ReportChromiumTest.PROBE; // records what the browser loaded and rendered

    @Test
    @Timeout(value = 300, unit = TimeUnit.SECONDS)
    void chromiumShowsTheConsultRunsChartsAndHeadlines(@TempDir Path tmp) throws Exception {
        assertTrue(Files.isExecutable(ReportChromiumTest.CHROMIUM), "Chromium is not installed at " + ReportChromiumTest.CHROMIUM);
        Path run = tmp.resolve("run");
        ConsultSummary s = ConsultBench.run(ConsultConfig.builder(SynthSet.mini(), run).model("graded").baseline("counterparts").judge("rubric")
                .absolute(true).resamples(100).build(), Progress.NONE);
        String html = Files.readString(run.resolve(Report.HTML));
        Files.writeString(run.resolve("probe.html"), html.replace("</body>", PROBE + "</body>"));
        String dom = ReportChromiumTest.chromium(run, "--dump-dom", "--virtual-time-budget=15000", run.resolve("probe.html").toUri().toString());
        Matcher m = Pattern.compile("<pre id=\"probe\">(.*?)</pre>", Pattern.DOTALL).matcher(dom);
        assertTrue(m.find(), "the probe did not run");
        JsonNode probe = new ObjectMapper().readTree(m.group(1).replace("&lt;", "<").replace("&gt;", ">").replace("&quot;", "\"")
                .replace("&#39;", "'").replace("&nbsp;", "\u00a0").replace("&amp;", "&"));
        JsonNode imgs = probe.get("images");
        assertTrue(imgs.size() >= 5 + 3, "a win/tie/loss chart per model, departments, ratings, absolute scores: " + imgs);
        for (JsonNode img : imgs) {
            assertTrue(Files.isRegularFile(run.resolve(img.get("src").asText())), img.toString());
            assertTrue(img.get("complete").asBoolean() && img.get("w").asInt() > 100 && img.get("h").asInt() > 100, "loaded: " + img);
        }
        String text = probe.get("text").asText();
        for (WinRates.ModelRates mr : s.whole().models()) {
            assertTrue(text.contains("Mean win rate · " + mr.model()), mr.model());
            assertTrue(text.contains(Formats.percentRange(mr.meanWinRate().winRate())), "its interval");
        }
        assertTrue(text.contains("Judge diagnostics") && text.contains("Bradley–Terry ratings") && text.contains("Absolute scores"), "sections render");
        assertEquals(0, s.counts().judgeFailures());
    }
}
