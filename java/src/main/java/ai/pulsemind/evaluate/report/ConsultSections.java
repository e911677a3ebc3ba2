package ai.pulsemind.evaluate.report;

import ai.pulsemind.evaluate.stats.AbsoluteScores;
import ai.pulsemind.evaluate.stats.Bootstrap.Interval;
import ai.pulsemind.evaluate.stats.BradleyTerry;
import ai.pulsemind.evaluate.stats.Separation;
import ai.pulsemind.evaluate.stats.WinRates;

import java.util.ArrayList;
import java.util.List;

/**
 * The consultation benchmark's part of a report, from the statistics: the headline figures, win / tie / loss by
 * baseline and dimension, the per-department breakdown, Bradley–Terry ratings, and absolute scores beside the
 * relative judgments. Chart file names are fixed ({@code win-tie-loss-N-model}, {@code departments},
 * {@code ratings}, {@code absolute-scores}), so use each section once per report.
 */
public final class ConsultSections {
    private ConsultSections() {}

    /** One key number per model: its mean win rate, interval, tie-as-half variant and case count. */
    public static List<KeyNumber> headlines(WinRates.Result r) {
        List<KeyNumber> out = new ArrayList<>();
        for (WinRates.ModelRates m : r.models()) {
            WinRates.Rate h = m.meanWinRate();
            out.add(new KeyNumber("Mean win rate · " + m.model(), Formats.percent(h.winRate().estimate()),
                    Formats.number(100 * r.resampling().level(), 0) + "% CI " + Formats.percentRange(h.winRate())
                            + " · ties as half: " + Formats.percent(h.winTieHalf().estimate()) + " · " + m.cases() + " cases, "
                            + m.baselines().size() + " baselines"));
        }
        return out;
    }

    /** Win / tie / loss charts and tables, one of each per model. */
    public static Report.Section winRates(WinRates.Result r) {
        Report.SectionBuilder s = Report.Section.builder("Win / tie / loss by baseline and dimension");
        s.paragraph("Win rate = wins / judgments in each baseline × dimension cell (ties count as not winning, as the paper scores "
                + "them). A model's win rate against a baseline is the mean over dimensions; its mean win rate (the headline) is "
                + "the mean over baselines. The tie-as-half columns score a tie as half a win.");
        for (int k = 0; k < r.models().size(); k++) {
            WinRates.ModelRates m = r.models().get(k);
            s.chart(Charts.winTieLoss("win-tie-loss-" + (k + 1) + "-" + Report.slug(m.model()), m.model() + ": win / tie / loss",
                    "Share of judgments that " + m.model() + " won, tied and lost against each baseline, by dimension; the whisker is the "
                            + Formats.number(100 * r.resampling().level(), 0) + "% interval of the win rate.", groups(m)));
            s.table(table(m));
        }
        return s.build();
    }

    private static List<Charts.WtlGroup> groups(WinRates.ModelRates m) {
        List<Charts.WtlGroup> groups = new ArrayList<>();
        for (WinRates.ByBaseline b : m.baselines()) {
            List<Charts.WtlBar> bars = new ArrayList<>();
            for (WinRates.Cell c : m.cells())
                if (c.baseline().equals(b.baseline())) bars.add(bar(c.dimension(), c.counts(), c.rate().winRate()));
            groups.add(new Charts.WtlGroup("vs " + b.baseline(), bars));
        }
        if (m.baselines().size() > 1) {
            // shares averaged over the baselines' cells, so the win share equals the dimension's win rate
            List<Charts.WtlBar> bars = new ArrayList<>();
            for (WinRates.ByDimension d : m.dimensions()) {
                double w = 0, t = 0, l = 0;
                int n = 0;
                for (WinRates.Cell c : m.cells())
                    if (c.dimension().equals(d.dimension())) { w += c.counts().winRate(); t += c.counts().tieRate(); l += c.counts().lossRate(); n++; }
                Interval iv = d.rate().winRate();
                bars.add(new Charts.WtlBar(d.dimension(), w / n, t / n, l / n, iv.low(), iv.high()));
            }
            groups.add(new Charts.WtlGroup("mean over baselines", bars));
        }
        return groups;
    }

    private static Charts.WtlBar bar(String label, WinRates.Counts c, Interval iv) {
        return new Charts.WtlBar(label, c.winRate(), c.tieRate(), c.lossRate(), iv.low(), iv.high());
    }

    private static Table table(WinRates.ModelRates m) {
        Table.Builder t = Table.builder(m.model() + " against each baseline")
                .column("baseline").column("dimension").numberColumn("wins").numberColumn("ties").numberColumn("losses")
                .numberColumn("win rate [95% CI]").numberColumn("tie as half [95% CI]");
        for (WinRates.ByBaseline b : m.baselines()) {
            for (WinRates.Cell c : m.cells())
                if (c.baseline().equals(b.baseline())) t.row(row(b.baseline(), c.dimension(), c.counts(), c.rate()));
            t.row(row(b.baseline(), "mean over dimensions", b.counts(), b.rate()));
        }
        t.row(row("mean win rate", "all", m.counts(), m.meanWinRate()));
        return t.build();
    }

    private static List<String> row(String a, String b, WinRates.Counts c, WinRates.Rate r) {
        return List.of(a, b, Long.toString(c.wins()), Long.toString(c.ties()), Long.toString(c.losses()),
                Formats.percentWithInterval(r.winRate()), Formats.percentWithInterval(r.winTieHalf()));
    }

    /** Mean win rate per department and model: a chart and a table. */
    public static Report.Section departments(WinRates.Result r) {
        List<Charts.Point> pts = new ArrayList<>();
        Table.Builder t = Table.builder("Mean win rate by department").column("department").column("model").numberColumn("cases")
                .numberColumn("mean win rate [95% CI]").numberColumn("tie as half [95% CI]");
        for (WinRates.ModelRates m : r.models())
            for (WinRates.ByDepartment d : m.departments()) {
                Interval iv = d.meanWinRate().winRate();
                pts.add(new Charts.Point(m.model(), d.department(), iv.estimate(), iv.low(), iv.high()));
            }
        for (WinRates.ModelRates m : r.models())
            for (WinRates.ByDepartment d : m.departments())
                t.row(d.department(), m.model(), Integer.toString(d.cases()), Formats.percentWithInterval(d.meanWinRate().winRate()),
                        Formats.percentWithInterval(d.meanWinRate().winTieHalf()));
        return Report.Section.builder("By department")
                .chart(Charts.pointRanges("departments", "Mean win rate by department", "Mean win rate of each model on each department's "
                                + "cases, with its interval (resampling that department's cases); the dashed line is 50%.", "department",
                        Charts.ValueAxis.rate("mean win rate"), pts, true))
                .table(t.build())
                .build();
    }

    /** Ratings of every model and baseline on the Elo-like scale: a chart and a table. */
    public static Report.Section ratings(BradleyTerry.Ratings r) {
        List<Charts.Point> pts = new ArrayList<>();
        for (BradleyTerry.Rating x : r.ratings())
            pts.add(new Charts.Point("rating", x.player(), x.rating().estimate(), x.rating().low(), x.rating().high()));
        Table.Builder t = Table.builder("Bradley–Terry ratings").column("model").numberColumn("rating [95% CI]").numberColumn("wins")
                .numberColumn("ties").numberColumn("losses").numberColumn("P(beats " + r.anchor() + ")");
        for (BradleyTerry.Rating x : r.ratings())
            t.row(x.player(), Formats.numberWithInterval(x.rating(), 0), Long.toString(x.wins()), Long.toString(x.ties()),
                    Long.toString(x.losses()), Formats.percent(r.winProbability(x.player(), r.anchor())));
        Separation sep = r.separation();
        String axis = "rating (" + Formats.number(r.config().scale(), 0) + " points = 10:1 odds; " + r.anchor() + " = "
                + Formats.number(r.config().anchorRating(), 0) + ")";
        Report.SectionBuilder s = Report.Section.builder("Ratings")
                .paragraph("Bradley–Terry ratings fitted to every judgment of every model against every baseline (" + r.tieHandling()
                        + "; fitted by minorization–maximization), on an Elo-like scale anchored at " + r.anchor() + ". "
                        + sep.separated() + " of " + sep.pairs() + " pairs have non-overlapping intervals."
                        + (r.config().prior() > 0 ? " A prior of " + Formats.number(r.config().prior(), 2) + " virtual ties per compared pair shrinks the ratings." : "")
                        + (r.resamplesLeftOut() > 0 ? " " + r.resamplesLeftOut() + " resamples had no maximum-likelihood fit and were left out." : ""))
                .chart(Charts.pointRanges("ratings", "Bradley–Terry ratings", "Rating of each model with its interval over resampled cases; "
                        + "the anchor " + r.anchor() + " is fixed, so the others' intervals are relative to it.", "model",
                        Charts.ValueAxis.auto(axis).withReference(r.config().anchorRating(), r.anchor()), pts, true))
                .table(t.build());
        return s.build();
    }

    /**
     * Absolute 1–5 scores: means per model and dimension, and how well they separate the models; with
     * {@code relative} (may be null), the same models' separation by the pairwise ratings beside it.
     */
    public static Report.Section absolute(AbsoluteScores.Result a, BradleyTerry.Ratings relative) {
        List<Charts.Point> pts = new ArrayList<>();
        Table.Builder means = Table.builder("Absolute scores (1–5), mean [95% CI]").column("model");
        for (String d : a.dimensions()) means.numberColumn(d);
        means.numberColumn("overall");
        for (AbsoluteScores.ModelScores m : a.models()) {
            List<String> row = new ArrayList<>(List.of(m.model()));
            for (String d : a.dimensions()) {
                AbsoluteScores.Mean x = m.dimensions().stream().filter(y -> y.dimension().equals(d)).findFirst().orElse(null);
                row.add(x == null ? "n/a" : Formats.numberWithInterval(x.mean(), 2));
                if (x != null) pts.add(new Charts.Point(m.model(), d, x.mean().estimate(), x.mean().low(), x.mean().high()));
            }
            row.add(Formats.numberWithInterval(m.overall(), 2));
            pts.add(new Charts.Point(m.model(), "overall", m.overall().estimate(), m.overall().low(), m.overall().high()));
            means.row(row);
        }
        Table.Builder spread = Table.builder("How well absolute scores separate the models").column("dimension").numberColumn("range of means")
                .numberColumn("η² (variance explained by the model)").numberColumn("pairs separated");
        for (AbsoluteScores.Spread sp : a.spreads())
            spread.row(sp.dimension(), Formats.number(sp.range(), 2), Formats.number(sp.etaSquared(), 3),
                    sp.separation().separated() + " of " + sp.separation().pairs());
        Report.SectionBuilder s = Report.Section.builder("Absolute scores")
                .chart(Charts.pointRanges("absolute-scores", "Absolute scores by dimension", "Mean 1–5 score of each model on each "
                                + "dimension, with its interval.", "dimension", new Charts.ValueAxis("mean score (1–5)", 1, 5, false, Double.NaN, ""),
                        pts, false))
                .table(means.build())
                .table(spread.build());
        if (relative != null) {
            List<Interval> rel = new ArrayList<>();
            for (AbsoluteScores.ModelScores m : a.models())
                for (BradleyTerry.Rating x : relative.ratings()) if (x.player().equals(m.model())) rel.add(x.rating());
            Separation abs = a.spreads().getLast().separation(), pw = Separation.of(rel);
            s.paragraph("Separation of the same " + a.models().size() + " models: overall absolute scores separate " + abs.separated() + " of "
                    + abs.pairs() + " pairs; ratings from pairwise judgments separate " + pw.separated() + " of " + pw.pairs() + ".");
        }
        return s.build();
    }
}
