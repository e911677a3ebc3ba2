package ai.pulsemind.evaluate.consult;

import ai.pulsemind.data.MediRecord;
import ai.pulsemind.evaluate.stats.BradleyTerry;
import ai.pulsemind.evaluate.stats.WinRates;
import ai.pulsemind.judge.SynthSet;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.*;

/** The benchmark on synthetic consultations whose quality is known by construction, with the rubric judge. */
class ConsultBenchTest {
    static final ObjectMapper M = new ObjectMapper();

    @Test
    void ranksTheGradedCounterpartsInTheirKnownOrderWithSeparatedIntervals(@TempDir Path tmp) throws Exception {
        List<MediRecord> recs = SynthSet.make(tmp.resolve("synth"), 40, 7, "en");
        assertEquals(40, recs.size());
        ConsultConfig cfg = ConsultConfig.builder(tmp.resolve("synth"), tmp.resolve("run")).model("graded").baseline("graded").judge("rubric")
                .singleOrder(true).perTurn(false).absolute(true).expertLabels(Path.of(ExpertLabels.GRADES)).resamples(300).seed(3).build();
        ConsultSummary s = ConsultBench.run(cfg, ai.pulsemind.data.Progress.NONE);
        List<String> order = s.ratings().ratings().stream().map(BradleyTerry.Rating::player).toList();
        assertEquals(List.of("grade-1", "grade-2", "grade-3", "grade-4", "grade-5"), order, "ratings rank the grades in order");
        for (int k = 1; k < 5; k++) {
            WinRates.Rate hi = s.whole().model("grade-" + k).meanWinRate(), lo = s.whole().model("grade-" + (k + 1)).meanWinRate();
            assertTrue(hi.winRate().estimate() > lo.winRate().estimate(), "mean win rate of grade-" + k + " above grade-" + (k + 1));
        }
        // the best and the worst grade are far apart; neighbours need more cases (the bench note uses 120)
        assertTrue(s.ratings().of("grade-1").rating().separatedFrom(s.ratings().of("grade-5").rating()));
        assertTrue(s.ratings().of("grade-2").rating().separatedFrom(s.ratings().of("grade-4").rating()));
        ExpertLabels.Result e = s.experts();
        assertTrue(e.matched() > 1000, "labels matched: " + e.matched());
        assertTrue(e.relative().observed() > e.absolute().observed(),
                "relative " + e.relative().observed() + " vs absolute " + e.absolute().observed());
        assertEquals(40 * 20, s.counts().pairs(), "5 graded × 4 others per case");
        assertEquals(0, s.counts().judgeFailures());
        for (String f : List.of("config.json", "transcripts.jsonl", "judgments.jsonl", "scores.jsonl", "summary.json", "report.html",
                "ratings.png", "departments.png", "absolute-scores.png"))
            assertTrue(Files.isRegularFile(tmp.resolve("run").resolve(f)), f);
        JsonNode sum = M.readTree(tmp.resolve("run/summary.json").toFile());
        assertEquals(3, sum.at("/whole_consultation/resampling/seed").asLong(), "the seed is recorded");
        assertTrue(sum.has("judge_diagnostics") && sum.has("expert_agreement") && sum.has("absolute"));
        assertEquals(200, Files.readAllLines(tmp.resolve("run/transcripts.jsonl")).size(), "one line per participant × case");
    }

    @Test
    void aRerunReusesEveryJudgmentAndCountsSkippedCases(@TempDir Path tmp) throws Exception {
        Path data = ConsultFixtures.copyOfMini(tmp.resolve("data"));
        MediRecord withImage = SynthSet.read(data).stream().filter(r -> !r.images().isEmpty()).findFirst().orElseThrow();
        Files.delete(data.resolve(withImage.images().getFirst().path()));
        Files.writeString(data.resolve("data-00000.jsonl"), Files.readString(data.resolve("data-00000.jsonl")) + "{\"id\": 3}\n");
        ConsultConfig cfg = ConsultConfig.builder(data, tmp.resolve("run")).model("counterpart:counterpart-1").model("counterpart:counterpart-2")
                .judge("rubric").resamples(50).build();
        ConsultSummary first = ConsultBench.run(cfg, ai.pulsemind.data.Progress.NONE);
        assertEquals(1, first.counts().skippedMissingImages());
        assertEquals(1, first.counts().skippedMalformed());
        assertTrue(first.problems().stream().anyMatch(p -> p.contains(withImage.id()) && p.contains("missing")), first.problems().toString());
        assertEquals(5, first.counts().cases(), "six cases, one without its image");
        assertTrue(first.counts().judged() > 0);
        ConsultSummary again = ConsultBench.run(cfg, ai.pulsemind.data.Progress.NONE);
        assertEquals(0, again.counts().judged(), "nothing judged twice");
        assertEquals(first.counts().judged(), again.counts().reusedJudgments());
        assertEquals(first.whole().model("counterpart-1").meanWinRate(), again.whole().model("counterpart-1").meanWinRate());
        // a judgment line lost (an interrupted run) is judged again, and only it
        Path j = tmp.resolve("run/judgments.jsonl");
        List<String> lines = Files.readAllLines(j);
        Files.write(j, lines.subList(1, lines.size()));
        ConsultSummary third = ConsultBench.run(cfg, ai.pulsemind.data.Progress.NONE);
        assertEquals(1, third.counts().judged());
        // another order mode is another judge: judged afresh, and the first judge's lines are kept beside its own
        ConsultConfig single = ConsultConfig.builder(data, tmp.resolve("run")).model("counterpart:counterpart-1").model("counterpart:counterpart-2")
                .judge("rubric").singleOrder(true).resamples(50).build();
        ConsultSummary other = ConsultBench.run(single, ai.pulsemind.data.Progress.NONE);
        assertEquals(first.counts().pairs(), other.counts().judged());
        assertEquals(2 * first.counts().pairs(), Files.readAllLines(j).size());
    }

    @Test
    void expertLabelsWithABadLineNameFileLineAndField(@TempDir Path tmp) throws Exception {
        Path f = tmp.resolve("labels.jsonl");
        Files.writeString(f, "{\"pair\":\"c|m|b|whole\",\"dimension\":\"accuracy\",\"verdict\":\"A\"}\n{\"pair\":\"c|m|b|whole\",\"dimension\":\"accuracy\",\"verdict\":\"maybe\"}\n");
        ai.pulsemind.data.DataError e = assertThrows(ai.pulsemind.data.DataError.class, () -> ExpertLabels.read(f));
        assertTrue(e.getMessage().contains(f + ":2") && e.getMessage().contains("verdict"), e.getMessage());
    }
}
