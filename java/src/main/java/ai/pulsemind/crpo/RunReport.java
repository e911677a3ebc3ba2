package ai.pulsemind.crpo;

import ai.pulsemind.evaluate.report.Charts;
import ai.pulsemind.evaluate.report.KeyNumber;
import ai.pulsemind.evaluate.report.Report;
import ai.pulsemind.evaluate.report.Sections;
import com.fasterxml.jackson.databind.JsonNode;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * {@code RUN/report.html} of a CRPO run, from its {@code metrics.jsonl}: the reward over steps (with ± its
 * within-step spread), the per-dimension win rates against the counterparts, KL to the reference and the loss,
 * each with its first- and last-quarter means. Rewritten at the end of every run, a resumed one included, so it
 * always shows the whole run. The benchmark of the trained model against another (its win rate) is
 * {@code eval consult}'s report.
 */
final class RunReport {
    private static final String[] DIMENSIONS = {"proactiveness", "accuracy", "usefulness", "language"};

    private RunReport() {}

    /** The logged steps of {@code metrics.jsonl} that carry a reward, in order (none when the file is absent). */
    static List<JsonNode> rewardRows(Path metrics) throws IOException {
        List<JsonNode> rows = new ArrayList<>();
        if (Files.exists(metrics))
            for (String line : Files.readAllLines(metrics, StandardCharsets.UTF_8))
                if (!line.isBlank()) {
                    JsonNode n = CrpoStep.JSON.readTree(line);
                    if (n.has("reward")) rows.add(n);
                }
        return rows;
    }

    /** Writes the report of the run in {@code run} from its logged steps ({@link #rewardRows}). */
    static Report.Written write(Path run, List<JsonNode> rows) throws IOException {
        if (rows.isEmpty()) throw new IOException(run.resolve("metrics.jsonl") + ": no logged step with a reward to report");
        double[] steps = column(rows, "step");
        double[] reward = column(rows, "reward"), sd = column(rows, "reward_std");
        double[] low = new double[reward.length], high = new double[reward.length];
        for (int i = 0; i < reward.length; i++) {
            double s = Double.isNaN(sd[i]) ? 0 : sd[i];
            low[i] = reward[i] - s;
            high[i] = reward[i] + s;
        }
        List<Charts.Line> wins = new ArrayList<>();
        for (String d : DIMENSIONS) wins.add(Charts.Line.of(d, steps, column(rows, "win_rate/" + d)));
        List<Charts.Panel> panels = List.of(
                new Charts.Panel("reward", List.of(new Charts.Line("reward", steps, reward, low, high))),
                new Charts.Panel("win rate vs counterparts", wins),
                new Charts.Panel("KL to reference", List.of(Charts.Line.of("kl", steps, column(rows, "kl")))),
                new Charts.Panel("loss", List.of(Charts.Line.of("loss", steps, column(rows, "loss")))));
        int q = Math.max(1, reward.length / 4);
        double[] quarters = Sections.quarterMeans(reward);
        Report r = Report.builder("CRPO run: " + run.getFileName())
                .subtitle(rows.size() + " logged steps from metrics.jsonl")
                .keyNumber(new KeyNumber("steps", Integer.toString(rows.size()), "logged"))
                .keyNumber(new KeyNumber("reward, first quarter", fmt(quarters[0]), q + " steps"))
                .keyNumber(new KeyNumber("reward, last quarter", fmt(quarters[1]), q + " steps"))
                .section(Sections.overSteps("Training", "crpo-training", "step", panels))
                .footnote("Reward: the mean over a step's samples of each sample's reward (wins over the counterparts, "
                        + "averaged over counterparts and dimensions); the band is ± the step's standard deviation.")
                .build();
        return r.write(run);
    }

    private static double[] column(List<JsonNode> rows, String key) {
        double[] v = new double[rows.size()];
        for (int i = 0; i < v.length; i++) {
            JsonNode n = rows.get(i).get(key);
            v[i] = n == null || !n.isNumber() ? Double.NaN : n.asDouble();
        }
        return v;
    }

    private static String fmt(double x) { return Double.isNaN(x) ? "—" : String.format(Locale.ROOT, "%.4f", x); }
}
