package ai.pulsemind.evaluate.consult;

import ai.pulsemind.evaluate.report.ConsultSections;
import ai.pulsemind.evaluate.report.Formats;
import ai.pulsemind.evaluate.report.Report;
import ai.pulsemind.evaluate.report.Table;
import ai.pulsemind.evaluate.stats.WinRates;
import ai.pulsemind.judge.Agreement;
import ai.pulsemind.judge.Diagnostics;
import ai.pulsemind.judge.Dimension;

/**
 * {@code report.html} of a consultation run: the headline mean win rates, win / tie / loss by baseline and dimension
 * (charts with intervals), the per-department breakdown, ratings, per-turn win rates, absolute scores beside the
 * relative judgments, agreement with experts, simulated-patient figures and the judge's diagnostics.
 */
final class ConsultReport {
    private ConsultReport() {}

    static Report build(ConsultConfig cfg, ConsultSummary s) {
        var c = s.counts();
        Report.Builder r = Report.builder("PulseMind Benchmark · " + cfg.data().toAbsolutePath().normalize().getFileName())
                .subtitle(c.cases() + " cases, " + s.mode() + " mode, judge " + s.judge() + " (" + (cfg.singleOrder() ? "a first only" : "both orders")
                        + "), " + s.whole().models().size() + " model(s)")
                .keyNumbers(ConsultSections.headlines(s.whole()))
                .section(ConsultSections.winRates(s.whole()))
                .section(ConsultSections.departments(s.whole()));
        if (s.ratings() != null) r.section(ConsultSections.ratings(s.ratings()));
        if (s.perTurn() != null) r.section(perTurn(s.perTurn()));
        if (s.absolute() != null) r.section(ConsultSections.absolute(s.absolute(), s.ratings()));
        if (s.experts() != null) r.section(experts(s.experts()));
        if (!s.simulation().isEmpty()) r.section(simulation(s));
        r.section(diagnostics(s.diagnostics()));
        r.section(counts(s));
        r.footnote("Intervals: " + Formats.method(s.whole().resampling()) + ".");
        r.footnote("Run folder: " + s.dir() + " (config.json, transcripts.jsonl, judgments.jsonl, summary.json).");
        return r.build();
    }

    private static Report.Section perTurn(WinRates.Result t) {
        Table.Builder tb = Table.builder("Per-turn win rate (each doctor turn judged against the baseline's reply to the same patient turn)")
                .column("model").numberColumn("judgments").numberColumn("mean win rate [95% CI]").numberColumn("tie as half [95% CI]");
        for (WinRates.ModelRates m : t.models())
            tb.row(m.model(), Long.toString(m.counts().total()), Formats.percentWithInterval(m.meanWinRate().winRate()),
                    Formats.percentWithInterval(m.meanWinRate().winTieHalf()));
        return Report.Section.builder("Per doctor turn").paragraph("Pairs where both consultations follow the record's turns (replay) "
                + "are also judged turn by turn, with the real doctor's reply at that turn as reference.").table(tb.build()).build();
    }

    private static Report.Section experts(ExpertLabels.Result e) {
        Table.Builder tb = Table.builder("Agreement with expert labels").column("judging").numberColumn("labels compared")
                .numberColumn("agreement").numberColumn("Cohen's κ");
        row(tb, "relative (pairwise verdicts)", e.relative());
        if (e.absolute() != null) row(tb, "absolute (1–5 scores compared)", e.absolute());
        return Report.Section.builder("Agreement with experts").paragraph(e.matched() + " of " + e.labels() + " expert labels name a pair of "
                + "this run. Absolute judging's verdict on a pair: the higher-scored consultation wins, equal scores tie.").table(tb.build()).build();
    }

    private static void row(Table.Builder tb, String name, Agreement a) {
        tb.row(name, Integer.toString(a.n()), Formats.percent(a.observed()), Formats.number(a.kappa(), 3));
    }

    private static Report.Section simulation(ConsultSummary s) {
        Table.Builder tb = Table.builder("Simulated patient").column("model").numberColumn("consultations").numberColumn("mean doctor turns")
                .numberColumn("facts elicited").numberColumn("ended with a diagnosis");
        for (ConsultSummary.SimulationStats x : s.simulation())
            tb.row(x.model(), Integer.toString(x.consultations()), Formats.number(x.meanTurnsUsed(), 2), Formats.percent(x.factsElicitedRate()),
                    Formats.percent(x.diagnosedRate()));
        return Report.Section.builder("Simulated patient").table(tb.build()).build();
    }

    private static Report.Section diagnostics(Diagnostics d) {
        Table.Builder tb = Table.builder("Judge diagnostics").column("dimension").numberColumn("flip rate").numberColumn("pairs with both orders")
                .numberColumn("tie rate").numberColumn("longer answer wins");
        for (Dimension x : Dimension.values()) rates(tb, x.key(), d.perDimension().get(x));
        rates(tb, "all", d.pooled());
        return Report.Section.builder("Judge diagnostics").paragraph("Flip rate: share of verdicts that change when the answers swap places "
                + "(turned into ties). Longer answer wins: share of decided verdicts won by the longer doctor text (0.5 is neutral). "
                + d.failed() + " of " + d.pairs() + " judgments failed.").table(tb.build()).build();
    }

    private static void rates(Table.Builder tb, String name, Diagnostics.Rates r) {
        tb.row(name, Formats.percent(r.flipRate()), Integer.toString(r.flipPairs()), Formats.percent(r.tieRate()), Formats.percent(r.longerWinRate()));
    }

    private static Report.Section counts(ConsultSummary s) {
        var c = s.counts();
        Table.Builder tb = Table.builder("What the run read, reused and counted").column("item").numberColumn("count");
        tb.row("cases evaluated", Integer.toString(c.cases()));
        tb.row("skipped: not a valid record", Long.toString(c.skippedMalformed()));
        tb.row("skipped: not a consultation", Long.toString(c.skippedNotConsultation()));
        tb.row("skipped: missing images", Long.toString(c.skippedMissingImages()));
        tb.row("consultations generated", Long.toString(c.generated()));
        tb.row("consultations reused", Long.toString(c.reusedTranscripts()));
        tb.row("consultations failed", Long.toString(c.generationFailures()));
        tb.row("pairs", Long.toString(c.pairs()));
        tb.row("pairs judged now", Long.toString(c.judged()));
        tb.row("judgments reused", Long.toString(c.reusedJudgments()));
        tb.row("judge failures", Long.toString(c.judgeFailures()));
        Report.SectionBuilder b = Report.Section.builder("Counts").table(tb.build());
        if (!s.problems().isEmpty()) b.paragraph("First problems: " + String.join(" · ", s.problems().subList(0, Math.min(10, s.problems().size()))));
        return b.build();
    }
}
