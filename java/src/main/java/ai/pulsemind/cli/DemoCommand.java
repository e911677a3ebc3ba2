package ai.pulsemind.cli;

import ai.pulsemind.PulseMind;
import ai.pulsemind.crpo.CrpoConfig;
import ai.pulsemind.crpo.CrpoRun;
import ai.pulsemind.data.DatasetCard;
import ai.pulsemind.data.DatasetWriter;
import ai.pulsemind.data.ImageRef;
import ai.pulsemind.data.MediRecord;
import ai.pulsemind.data.Progress;
import ai.pulsemind.data.synth.KnowledgeBase;
import ai.pulsemind.data.synth.SynthGenerator;
import ai.pulsemind.data.synth.SynthOptions;
import ai.pulsemind.evaluate.consult.ConsultBench;
import ai.pulsemind.evaluate.consult.ConsultConfig;
import ai.pulsemind.evaluate.consult.ConsultSummary;
import ai.pulsemind.evaluate.stats.Bootstrap;
import ai.pulsemind.evaluate.stats.WinRates;
import ai.pulsemind.train.Checkpoints;
import ai.pulsemind.train.SftConfig;
import ai.pulsemind.train.SftRun;
import ai.pulsemind.train.Trainer;
import ai.pulsemind.train.init.ModelInit;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;

/**
 * {@code pulsemind demo}: the whole pipeline on the CPU with nothing downloaded, each stage through the same entry
 * its own command runs (so the demo is the product, not a sketch of it):
 * <pre>
 *   data synth  → OUT/data            synthetic MediScope consultations with counterparts; the test split's cases
 *                 OUT/eval-data       are copied apart, the rest trains
 *   model init  → OUT/model           a BPE tokenizer trained on the data + a tiny random Qwen2.5-VL
 *   train sft   → OUT/sft             full fine-tuning; its last checkpoint is the SFT model
 *   train crpo  → OUT/crpo            a LoRA adapter on the SFT model, rewarded by the rubric judge's comparisons
 *                                     with the records' counterparts
 *   eval consult → OUT/eval           base, SFT and CRPO consult the held-out cases (replay), each judged against
 *                                     the five counterparts; summary.json and report.html
 * </pre>
 * At the end it prints each model's mean win rate with its bootstrap 95% interval and where the report is.
 * Sizes follow the time budget ({@link DemoPlan}).
 */
@Command(name = "demo", mixinStandardHelpOptions = true, sortOptions = false,
        description = "Run the whole pipeline on the CPU, no downloads: synthesise a MediScope set, make a tiny model, "
                + "fine-tune it (SFT), train it with CRPO and the rubric judge, benchmark base vs SFT vs CRPO against the "
                + "counterparts, and write report.html; sizes follow --minutes.")
public final class DemoCommand implements Callable<Integer> {
    @Option(names = "--out", paramLabel = "DIR", defaultValue = "runs/demo", description = "Folder of the demo's data, models and runs (default ${DEFAULT-VALUE}).")
    Path out;
    @Option(names = "--minutes", paramLabel = "M", description = "Time budget the stage sizes follow, on 2 cores (default 15; 3 with --quick).")
    Double minutes;
    @Option(names = "--quick", description = "The shortest demo (a 3-minute budget), as CI runs it.")
    boolean quick;
    @Option(names = "--seed", defaultValue = "1", description = "Seed of the data, the model and training (default ${DEFAULT-VALUE}).")
    long seed;
    @Option(names = "--threads", defaultValue = "0", description = "CPU threads; 0 = all cores (default ${DEFAULT-VALUE}).")
    int threads;
    @Option(names = "--overwrite", description = "Replace what an earlier demo left in --out.")
    boolean overwrite;

    static final int STAGES = 5;

    @Override
    public Integer call() throws Exception {
        if (quick && minutes != null) throw new IllegalArgumentException("--quick is a 3-minute budget; give --quick or --minutes, not both");
        DemoPlan plan = DemoPlan.forMinutes(quick ? DemoPlan.QUICK_MINUTES : minutes != null ? minutes : DemoPlan.DEFAULT_MINUTES);
        PrintStream err = System.err;
        prepare();
        err.println("demo: " + plan.describe() + ", in " + out.toAbsolutePath());
        long t0 = System.nanoTime();
        Stage stage = new Stage(err);

        Path data = out.resolve("data"), evalData = out.resolve("eval-data"), model = out.resolve("model");
        stage.begin("data synth", "synthetic consultations with 5 graded counterparts each");
        SynthGenerator.Result synth = synth(plan, data);
        int held = holdOut(data, evalData);
        stage.end(String.format(Locale.ROOT, "%d cases, %d images; %d test-split cases held out in %s", synth.cases(), synth.images(), held, evalData));

        stage.begin("model init", "tiny Qwen2.5-VL, tokenizer trained on the training text");
        ModelInit.Result init = ModelInit.run(ModelInit.Shape.named("tiny"), data, model, seed, false);
        stage.end(String.format(Locale.ROOT, "%,d parameters, vocab %d in %s", init.parameters(), init.vocabSize(), model));

        stage.begin("train sft", plan.sftSteps() + " steps of full fine-tuning");
        SftRun.Summary sft = sft(plan, model, data, out.resolve("sft"), err);
        Path sftModel = sft.result().lastCheckpoint();
        stage.end(String.format(Locale.ROOT, "eval loss %.3f → %.3f (ln vocab %.3f) in %d steps; SFT model %s",
                sft.initialEvalLoss() != null ? sft.initialEvalLoss() : Double.NaN,
                sft.result().lastEvalLoss() != null ? sft.result().lastEvalLoss() : Double.NaN, Math.log(init.vocabSize()),
                sft.result().steps(), sftModel));

        stage.begin("train crpo", plan.crpoSteps() + " steps of " + plan.crpoBatch() + " prefixes × " + plan.groupSize()
                + " samples, rewarded by rubric-judged wins over the counterparts");
        CrpoRun.Summary crpo = crpo(plan, sftModel, data, out.resolve("crpo"), err);
        Path crpoAdapter = crpo.result().lastCheckpoint();
        stage.end(String.format(Locale.ROOT, "reward %s → %s over %d steps (%d judgements, %d failed); adapter %s",
                fmt(crpo.firstReward()), fmt(crpo.lastReward()), crpo.result().steps(), crpo.judged(), crpo.judgeFailures(), crpoAdapter));

        int cases = Math.min(plan.evalCases(), held);
        stage.begin("eval consult", "base, SFT and CRPO on " + cases + " held-out cases (replay), each vs 5 counterparts, rubric judge");
        ConsultSummary eval = ConsultBench.run(ConsultConfig.builder(evalData, out.resolve("eval")) // with its own stage lines on stderr
                .model("local:" + model.toAbsolutePath() + ",name=base")
                .model("local:" + sftModel.toAbsolutePath() + ",name=sft")
                .model("local:" + sftModel.toAbsolutePath() + ",adapter=" + crpoAdapter.toAbsolutePath() + ",name=crpo")
                .baseline("counterparts").judge("rubric").maxCases(cases).maxNewTokens(plan.maxNewTokens())
                .batch(16).device("cpu").threads(threads).seed(seed).build());
        var c = eval.counts();
        stage.end(String.format(Locale.ROOT, "%d consultations, %d pairs judged, %d generation and %d judge failures",
                c.generated() + c.reusedTranscripts(), c.judged() + c.reusedJudgments(), c.generationFailures(), c.judgeFailures()));

        table(eval, System.out);
        double total = (System.nanoTime() - t0) / 1e9;
        writeTimes(plan, stage, total);
        System.out.println("report: " + out.resolve("eval").resolve("report.html").toAbsolutePath());
        err.printf(Locale.ROOT, "demo: done in %.1f min (stage times in %s); everything is in %s%n", total / 60,
                out.resolve("demo.json"), out.toAbsolutePath());
        return 0;
    }

    /** OUT/demo.json: the plan, each stage's seconds and the machine's load, to size the stages by. */
    private void writeTimes(DemoPlan plan, Stage stage, double total) throws IOException {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("plan", plan);
        m.put("stage_seconds", stage.seconds);
        m.put("total_seconds", total);
        m.put("cores", Runtime.getRuntime().availableProcessors());
        m.put("load_average", java.lang.management.ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage());
        Checkpoints.writeAtomically(out.resolve("demo.json"),
                new com.fasterxml.jackson.databind.ObjectMapper().writerWithDefaultPrettyPrinter().writeValueAsBytes(m));
    }

    /** Refuses to mix with an earlier demo's files unless told to replace them. */
    private void prepare() throws IOException {
        List<String> ours = List.of("data", "eval-data", "model", "sft", "crpo", "eval", "demo.json");
        boolean earlier = false;
        for (String d : ours) earlier |= Files.exists(out.resolve(d));
        if (earlier && !overwrite)
            throw new IllegalArgumentException("--out " + out + " holds an earlier demo; pass --overwrite to replace it or choose another --out");
        for (String d : ours) if (Files.exists(out.resolve(d))) Checkpoints.deleteTree(out.resolve(d));
        Files.createDirectories(out);
    }

    private SynthGenerator.Result synth(DemoPlan plan, Path data) throws IOException {
        var opt = new SynthOptions(plan.cases(), seed, "en", Math.max(1, threads == 0 ? Runtime.getRuntime().availableProcessors() : threads), 5);
        DatasetCard card = new DatasetCard();
        card.name = "Synthetic MediScope (seed " + seed + ", pulsemind demo)";
        card.source = "pulsemind-synth (PulseMind-J knowledge base)";
        card.command = "pulsemind data synth --cases " + plan.cases() + " --seed " + seed + " --lang en --out " + data;
        card.limits = "Not real patients and not clinical advice: generated from templates to exercise the pipeline.";
        Progress p = Progress.stderr("synth", plan.cases());
        try (DatasetWriter w = new DatasetWriter(data, DatasetWriter.Options.defaults(), card)) {
            return SynthGenerator.generate(KnowledgeBase.bundled(), opt, w, p); // it finishes the progress line
        }
    }

    /**
     * Copies the test split's records (and their images) into their own dataset: the benchmark reads every record
     * of a folder, and these share no case template with the training split.
     */
    static int holdOut(Path data, Path evalData) throws IOException {
        DatasetCard card = new DatasetCard();
        card.name = "Synthetic MediScope, test split (pulsemind demo)";
        card.source = "the test split of " + data;
        int n = 0;
        try (DatasetWriter w = new DatasetWriter(evalData, DatasetWriter.Options.defaults(), card)) {
            for (MediRecord r : PulseMind.records(data)) {
                if (!"test".equals(r.split())) continue;
                for (ImageRef im : r.images()) w.addImage(data.resolve(im.path()), im.path());
                w.write(r);
                n++;
            }
        }
        if (n == 0) throw new IllegalStateException(data + ": no test-split case to evaluate on; give a larger --minutes");
        return n;
    }

    private SftRun.Summary sft(DemoPlan plan, Path model, Path data, Path run, PrintStream err) throws IOException {
        Map<String, Object> s = new LinkedHashMap<>();
        s.put("model", model.toString());
        s.put("data", data.toString());
        s.put("out", run.toString());
        s.put("lora-r", 0); // full fine-tuning: a random tiny model learns the consultations' language in minutes
        s.put("lr", 5e-3);
        s.put("warmup", "10");
        s.put("batch-size", plan.sftBatch());
        s.put("max-length", plan.maxLength());
        s.put("max-steps", plan.sftSteps());
        s.put("unigram-baseline", false);
        s.put("seed", seed);
        s.put("threads", threads);
        s.put("device", "cpu");
        SftConfig cfg = SftConfig.resolve(null, s);
        int every = Math.max(1, plan.sftSteps() / 10);
        long t0 = System.nanoTime();
        return PulseMind.trainSft(cfg, null, new Trainer.Hooks() {
            @Override public void onLog(Map<String, Object> m) {
                if (m.get("step") instanceof Number st && m.get("loss") instanceof Number loss
                        && (st.intValue() % every == 0 || st.intValue() == plan.sftSteps()))
                    err.printf(Locale.ROOT, "  sft step %d/%d  loss %.3f  (%.0f s)%n", st.intValue(), plan.sftSteps(), loss.doubleValue(),
                            (System.nanoTime() - t0) / 1e9);
            }
        });
    }

    private CrpoRun.Summary crpo(DemoPlan plan, Path sftModel, Path data, Path run, PrintStream err) throws IOException {
        CrpoConfig cfg = CrpoConfig.builder().model(sftModel.toString()).data(data.toString()).judge("rubric").out(run.toString())
                .groupSize(plan.groupSize()).batchSize(plan.crpoBatch()).maxSteps(plan.crpoSteps()).maxNewTokens(plan.maxNewTokens())
                .lr(1e-3) // a fresh LoRA adapter on a tiny model: the large-model default (1e-5) would not move it in minutes
                .seed(seed).set("threads", threads).set("device", "cpu").build();
        int every = Math.max(1, plan.crpoSteps() / 10);
        long t0 = System.nanoTime();
        return PulseMind.trainCrpo(cfg, null, new Trainer.Hooks() {
            @Override public void onLog(Map<String, Object> m) {
                if (m.get("step") instanceof Number st && m.get("reward") instanceof Number r
                        && (st.intValue() % every == 0 || st.intValue() == plan.crpoSteps()))
                    err.printf(Locale.ROOT, "  crpo step %d/%d  reward %.3f  kl %s  (%.0f s)%n", st.intValue(), plan.crpoSteps(), r.doubleValue(),
                            m.get("kl") instanceof Number k ? String.format(Locale.ROOT, "%.4f", k.doubleValue()) : "-", (System.nanoTime() - t0) / 1e9);
            }
        });
    }

    /**
     * Each model's mean win rate over the counterparts, whole consultations (the headline) and single doctor turns,
     * with bootstrap 95% intervals over cases and the win/tie/loss counts behind them.
     */
    static void table(ConsultSummary s, PrintStream out) {
        out.printf(Locale.ROOT, "%nmean win rate against the records' 5 counterparts, rubric judge (%d held-out cases; 95%% intervals over cases)%n",
                s.whole().cases());
        out.printf(Locale.ROOT, "%-6s  %-30s %-17s  %-30s %s%n", "model", "whole consultation", "wins/ties/losses", "per doctor turn", "wins/ties/losses");
        for (WinRates.ModelRates m : s.whole().models()) {
            WinRates.ModelRates t = s.perTurn() == null ? null : s.perTurn().models().stream().filter(x -> x.model().equals(m.model())).findFirst().orElse(null);
            out.printf(Locale.ROOT, "%-6s  %-30s %-17s  %-30s %s%n", m.model(), rate(m), counts(m), t == null ? "-" : rate(t), t == null ? "" : counts(t));
        }
    }

    private static String rate(WinRates.ModelRates m) {
        Bootstrap.Interval iv = m.meanWinRate().winRate();
        return String.format(Locale.ROOT, "%5.1f%%  [%5.1f%%, %5.1f%%]", 100 * iv.estimate(), 100 * iv.low(), 100 * iv.high());
    }

    private static String counts(WinRates.ModelRates m) {
        return m.counts().wins() + " / " + m.counts().ties() + " / " + m.counts().losses();
    }

    private static String fmt(Double d) { return d == null ? "-" : String.format(Locale.ROOT, "%.3f", d); }

    /** Numbered stage lines with their times. */
    static final class Stage {
        private final PrintStream err;
        final Map<String, Double> seconds = new LinkedHashMap<>();
        private int k;
        private long t0;
        private String name;

        Stage(PrintStream err) { this.err = err; }

        void begin(String name, String what) {
            k++;
            t0 = System.nanoTime();
            this.name = name;
            err.printf(Locale.ROOT, "[%d/%d] %s: %s%n", k, STAGES, name, what);
        }

        void end(String summary) {
            double t = (System.nanoTime() - t0) / 1e9;
            seconds.put(name, Math.round(t * 10) / 10.0);
            err.printf(Locale.ROOT, "[%d/%d] done in %.1f s: %s%n", k, STAGES, t, summary);
        }
    }
}
