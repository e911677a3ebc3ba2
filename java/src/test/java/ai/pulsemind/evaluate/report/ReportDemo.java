package ai.pulsemind.evaluate.report;

import ai.pulsemind.data.Quality;
import ai.pulsemind.evaluate.stats.AbsoluteScore;
import ai.pulsemind.evaluate.stats.AbsoluteScores;
import ai.pulsemind.evaluate.stats.Bootstrap;
import ai.pulsemind.evaluate.stats.BradleyTerry;
import ai.pulsemind.evaluate.stats.Outcome;
import ai.pulsemind.evaluate.stats.PairwiseOutcome;
import ai.pulsemind.evaluate.stats.Resampling;
import ai.pulsemind.evaluate.stats.WinRates;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/**
 * A demo report from simulated judgments, with ground truth known by construction: two models under test and
 * three baselines with latent qualities per dimension; a pairwise judgment is a Bradley–Terry draw with a tie band,
 * an absolute score is the judge's usual 4-ish with a small push from the quality (so absolute scores compress).
 * Also simulated CRPO metrics over steps and public-benchmark accuracies, so every section kind appears.
 */
final class ReportDemo {
    private ReportDemo() {}

    static final String STRONG = "pulsemind-crpo", SFT = "pulsemind-sft";
    static final List<String> MODELS = List.of(STRONG, SFT);
    static final List<String> BASELINES = List.of("gpt-4o", "qwen2.5-vl-72b", "huatuo-gpt-vision");
    static final List<String> DEPARTMENTS = List.of("dermatology", "cardiology", "gastroenterology", "obstetrics & gynaecology", "pediatrics");

    /** Latent quality (logit units) per player and dimension. */
    static double quality(String player, int dim) {
        double base = switch (player) {
            case STRONG -> 1.0;
            case SFT -> 0.55;
            case "gpt-4o" -> 0.4;
            case "qwen2.5-vl-72b" -> 0.0;
            default -> -0.5;
        };
        return base + (dim == 0 ? 0.3 : dim == 3 ? -0.2 : 0); // proactiveness is where CRPO helps most
    }

    record Data(List<PairwiseOutcome> pairwise, List<AbsoluteScore> absolute) {}

    static Data simulate(int cases, long seed) {
        SplittableRandom rnd = new SplittableRandom(seed);
        List<PairwiseOutcome> pw = new ArrayList<>();
        List<AbsoluteScore> abs = new ArrayList<>();
        for (int c = 0; c < cases; c++) {
            String id = "case-" + c, dep = DEPARTMENTS.get(c % DEPARTMENTS.size());
            double hard = rnd.nextGaussian() * 0.3; // case difficulty, shared by every comparison of the case
            for (String m : MODELS)
                for (int d = 0; d < Quality.DIMENSIONS.size(); d++) {
                    String dim = Quality.DIMENSIONS.get(d);
                    for (String b : BASELINES) {
                        double p = 1 / (1 + Math.exp(-(quality(m, d) - quality(b, d) + hard)));
                        double u = rnd.nextDouble();
                        Outcome o = u < p - 0.12 ? Outcome.WIN : u < p + 0.12 ? Outcome.TIE : Outcome.LOSS;
                        pw.add(PairwiseOutcome.of(id, dep, m, b, dim, o).withLengths(300 + rnd.nextInt(200), 300 + rnd.nextInt(200)));
                    }
                    int score = (int) Math.round(4.1 + 0.12 * quality(m, d) + 0.6 * rnd.nextGaussian());
                    abs.add(AbsoluteScore.of(id, dep, m, dim, Math.max(1, Math.min(5, score))));
                }
            // the SFT model is also a baseline for the CRPO model
            for (int d = 0; d < Quality.DIMENSIONS.size(); d++) {
                double p = 1 / (1 + Math.exp(-(quality(STRONG, d) - quality(SFT, d))));
                double u = rnd.nextDouble();
                Outcome o = u < p - 0.12 ? Outcome.WIN : u < p + 0.12 ? Outcome.TIE : Outcome.LOSS;
                pw.add(PairwiseOutcome.of(id, dep, STRONG, SFT, Quality.DIMENSIONS.get(d), o));
            }
        }
        return new Data(pw, abs);
    }

    static Report build() {
        Resampling res = new Resampling(1000, 0.95, 17);
        Data data = simulate(240, 1);
        WinRates.Result wr = WinRates.analyze(data.pairwise(), res);
        BradleyTerry.Ratings bt = BradleyTerry.fit(data.pairwise(), BradleyTerry.Config.anchoredAt("qwen2.5-vl-72b"), res);
        AbsoluteScores.Result abs = AbsoluteScores.analyze(data.absolute(), res);
        return Report.builder("PulseMind Benchmark · simulated demo")
                .subtitle("240 simulated cases, 5 departments, 2 models against 3 baselines on 4 dimensions; ground truth known by construction <not a real run>")
                .keyNumbers(ConsultSections.headlines(wr))
                .section(ConsultSections.winRates(wr))
                .section(ConsultSections.departments(wr))
                .section(ConsultSections.ratings(bt))
                .section(ConsultSections.absolute(abs, bt))
                .section(Sections.overSteps("CRPO training", "crpo-metrics", "step", crpoPanels()))
                .section(Sections.publicBenchmarks("Public benchmarks", publicScores()))
                .footnote(Formats.method(res))
                .footnote("Simulated data: the models' latent qualities are fixed in ReportDemo; nothing here was measured.")
                .build();
    }

    static List<Charts.Panel> crpoPanels() {
        SplittableRandom rnd = new SplittableRandom(3);
        int n = 120;
        double[] steps = new double[n], reward = new double[n], lo = new double[n], hi = new double[n], loss = new double[n], kl = new double[n];
        for (int i = 0; i < n; i++) {
            steps[i] = i + 1;
            reward[i] = 0.45 + 0.25 * (1 - Math.exp(-i / 40.0)) + 0.03 * rnd.nextGaussian();
            lo[i] = reward[i] - 0.12;
            hi[i] = reward[i] + 0.12;
            loss[i] = 0.02 * rnd.nextGaussian() - 0.005 * (1 - Math.exp(-i / 30.0));
            kl[i] = 0.002 * i * (1 + 0.1 * rnd.nextGaussian());
        }
        return List.of(
                new Charts.Panel("reward", List.of(new Charts.Line("reward (± std over the group)", steps, reward, lo, hi))),
                new Charts.Panel("loss", List.of(Charts.Line.of("loss", steps, loss))),
                new Charts.Panel("KL to reference", List.of(Charts.Line.of("kl", steps, kl))));
    }

    static List<Sections.Accuracy> publicScores() {
        List<Sections.Accuracy> out = new ArrayList<>();
        String[] tasks = {"MedQA", "MedMCQA", "PubMedQA", "VQA-RAD"};
        double[][] acc = {{0.71, 0.58, 0.74, 0.62}, {0.66, 0.55, 0.72, 0.57}};
        int[] n = {1273, 4183, 500, 451};
        for (int m = 0; m < MODELS.size(); m++)
            for (int t = 0; t < tasks.length; t++) {
                int k = (int) Math.round(acc[m][t] * n[t]);
                double[] x = new double[n[t]];
                for (int i = 0; i < k; i++) x[i] = 1;
                out.add(new Sections.Accuracy(MODELS.get(m), tasks[t], t == 3 ? "closed accuracy" : "accuracy", n[t], t == 3 ? 2 : 0,
                        Bootstrap.mean(x, 1000, 0.95, 5)));
            }
        return out;
    }
}
