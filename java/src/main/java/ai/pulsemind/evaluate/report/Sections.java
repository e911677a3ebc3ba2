package ai.pulsemind.evaluate.report;

import ai.pulsemind.evaluate.stats.Bootstrap.Interval;

import java.util.ArrayList;
import java.util.List;

/** General report sections: public-benchmark accuracies, and metrics over training steps. */
public final class Sections {
    private Sections() {}

    /**
     * One model's score on one public-benchmark task.
     *
     * @param metric e.g. "accuracy" (closed questions) or "token F1" (open ones); a fraction in [0, 1]
     * @param n      items scored
     * @param failed items that could not be scored (missing image, malformed), shown beside n
     */
    public record Accuracy(String model, String task, String metric, int n, int failed, Interval value) {
        public Accuracy {
            Report.requireText(model, "model");
            Report.requireText(task, "task");
            Report.requireText(metric, "metric of task " + task);
            if (n < 0 || failed < 0) throw new IllegalArgumentException("task " + task + ": counts must be >= 0, got n=" + n + ", failed=" + failed);
        }
    }

    /** A table of every model × task score with its interval, and a chart of them (tasks down the side). */
    public static Report.Section publicBenchmarks(String title, List<Accuracy> rows) {
        if (rows.isEmpty()) throw new IllegalArgumentException("section " + title + " has no scores");
        Table.Builder t = Table.builder("Public benchmarks").column("task").column("metric").column("model").numberColumn("items")
                .numberColumn("not scored").numberColumn("score [95% CI]");
        List<Charts.Point> pts = new ArrayList<>();
        for (Accuracy a : rows) {
            t.row(a.task(), a.metric(), a.model(), Integer.toString(a.n()), Integer.toString(a.failed()), Formats.percentWithInterval(a.value()));
            pts.add(new Charts.Point(a.model(), a.task() + " · " + a.metric(), a.value().estimate(), a.value().low(), a.value().high()));
        }
        return Report.Section.builder(title)
                .table(t.build())
                .chart(Charts.pointRanges("public-" + Report.slug(title), title, "Score on each task with its interval (bootstrap over items).",
                        "task", new Charts.ValueAxis("score", 0, 1, true, Double.NaN, ""), pts, true))
                .build();
    }

    /**
     * Metrics over steps (e.g. CRPO's reward, loss and KL): one chart of stacked panels, and a table with each line's
     * first and last values and its means over the first and last quarter of the steps.
     */
    public static Report.Section overSteps(String title, String chartName, String stepLabel, List<Charts.Panel> panels) {
        Table.Builder t = Table.builder(title + ": start and end").column("metric").column("line").numberColumn("steps")
                .numberColumn("first").numberColumn("last").numberColumn("mean, first quarter").numberColumn("mean, last quarter");
        for (Charts.Panel p : panels)
            for (Charts.Line l : p.lines()) {
                double[] v = l.values(), q = quarterMeans(v);
                t.row(p.yLabel(), l.name(), Integer.toString(v.length), Formats.number(v.length == 0 ? Double.NaN : v[0], 4),
                        Formats.number(v.length == 0 ? Double.NaN : v[v.length - 1], 4), Formats.number(q[0], 4),
                        Formats.number(q[1], 4));
            }
        return Report.Section.builder(title)
                .chart(Charts.overSteps(chartName, title, title + " over " + stepLabel + "s; bands, where shown, are the line's spread.", stepLabel, panels))
                .table(t.build())
                .build();
    }

    /** {mean of the first quarter of v, mean of the last quarter} (at least one value each; NaNs skipped). */
    public static double[] quarterMeans(double[] v) {
        int q = Math.max(1, v.length / 4);
        return new double[] {mean(v, 0, q), mean(v, v.length - q, v.length)};
    }

    /** Mean of the non-NaN values in [from, to). */
    private static double mean(double[] v, int from, int to) {
        double s = 0;
        int n = 0;
        for (int i = Math.max(0, from); i < Math.min(v.length, to); i++) if (!Double.isNaN(v[i])) { s += v[i]; n++; }
        return n == 0 ? Double.NaN : s / n;
    }
}
