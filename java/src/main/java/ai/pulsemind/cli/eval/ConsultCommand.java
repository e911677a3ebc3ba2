package ai.pulsemind.cli.eval;

import ai.pulsemind.evaluate.consult.ConsultBench;
import ai.pulsemind.evaluate.consult.ConsultConfig;
import ai.pulsemind.evaluate.consult.ConsultSummary;
import ai.pulsemind.evaluate.stats.Bootstrap;
import ai.pulsemind.evaluate.stats.BradleyTerry;
import ai.pulsemind.evaluate.stats.WinRates;
import ai.pulsemind.judge.JudgeOptions;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.io.PrintStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;

/** {@code pulsemind eval consult}: the PulseMind consultation benchmark. */
@Command(mixinStandardHelpOptions = true, name = "consult",
        description = {"The PulseMind consultation benchmark: each model writes every doctor turn (replay: the record's patient turns "
                + "replayed, its own replies in context; simulated: a patient answering from the record's hidden facts), a judge compares "
                + "it with each baseline on proactiveness, accuracy, usefulness and language, with the real doctor's record as reference. "
                + "Reports win/tie/loss and the mean win rate with bootstrap 95% intervals, Bradley-Terry ratings and judge diagnostics.",
                "Writes RUN/config.json, transcripts.jsonl, judgments.jsonl, summary.json and report.html (with PNG charts); an "
                        + "interrupted run resumes.",
                "SPECs: a model (DIR | local:DIR[,adapter=DIR][,name=LABEL] | openai:BASE_URL,model=ID[,key-env=VAR][,name=LABEL]), or "
                        + "transcripts: counterparts | counterpart:NAME | graded | transcripts:FILE | run:DIR."})
public final class ConsultCommand implements Callable<Integer> {
    @Option(names = "--model", required = true, paramLabel = "SPEC", description = "Model under test; repeat for several (e.g. base, SFT and CRPO checkpoints).")
    List<String> models = new ArrayList<>();

    @Option(names = "--baseline", paramLabel = "SPEC", description = "What every model is compared with; repeat for several (default: counterparts).")
    List<String> baselines = new ArrayList<>();

    @Option(names = "--data", required = true, paramLabel = "DIR", description = "Consultation dataset (MediScope JSONL: data synth, or imported MedDiagnose / CMtMedQA).")
    Path data;

    @Option(names = "--judge", required = true, paramLabel = "SPEC", description = "rubric | openai:BASE_URL[,model=ID][,key-env=VAR] | local:DIR | jury:SPEC,SPEC,...")
    String judge;

    @Option(names = "--judge-model", paramLabel = "NAME", description = "The served judge model for openai: judges without model=.")
    String judgeModel;

    @Option(names = "--out", required = true, paramLabel = "RUN", description = "Run folder (created; a run with the same settings is resumed).")
    Path out;

    @Option(names = "--mode", defaultValue = "replay", description = "replay (the paper's) or simulated (default ${DEFAULT-VALUE}).")
    String mode;

    @Option(names = "--max-cases", defaultValue = "0", paramLabel = "N", description = "At most N cases, the first ones (0: all; default ${DEFAULT-VALUE}).")
    int maxCases;

    @Option(names = "--seed", defaultValue = "0", description = "Bootstrap seed, recorded in summary.json (default ${DEFAULT-VALUE}).")
    long seed;

    @Option(names = "--single-order", description = "Ask the judge with the model's answer first only (the paper's mode); default: both orders.")
    boolean singleOrder;

    @Option(names = "--absolute", description = "Also score every consultation 1-5 per dimension, reported beside the pairwise results.")
    boolean absolute;

    @Option(names = "--expert-labels", paramLabel = "FILE", description = "Expert verdicts (JSONL: pair, dimension, verdict A|B|tie) to report "
            + "percent agreement and Cohen's kappa of relative and absolute judging; 'grades' derives them from the counterparts' quality labels.")
    Path expertLabels;

    @Option(names = "--no-per-turn", description = "Judge whole consultations only (default: also each doctor turn, in replay).")
    boolean noPerTurn;

    @Option(names = "--max-new-tokens", defaultValue = "256", description = "Most tokens per reply (default ${DEFAULT-VALUE}).")
    int maxNewTokens;

    @Option(names = "--turn-budget", defaultValue = "6", description = "Simulated mode: most doctor turns per consultation (default ${DEFAULT-VALUE}).")
    int turnBudget;

    @Option(names = "--patient", defaultValue = "scripted", paramLabel = "SPEC", description = "Simulated mode: scripted (reveals a hidden fact when "
            + "asked about it) or a model SPEC for an LLM patient (default ${DEFAULT-VALUE}).")
    String patient;

    @Option(names = "--batch", defaultValue = "8", description = "Prompts per generation batch (default ${DEFAULT-VALUE}).")
    int batch;

    @Option(names = "--resamples", defaultValue = "" + Bootstrap.DEFAULT_RESAMPLES, description = "Bootstrap resamples (default ${DEFAULT-VALUE}).")
    int resamples;

    @Option(names = "--device", defaultValue = "auto", description = "Backend of local models: auto, cpu, cpu-reference, cuda, cuda:N (default ${DEFAULT-VALUE}).")
    String device;

    @Option(names = "--threads", defaultValue = "0", description = "CPU threads of local models, 0 = all cores (default ${DEFAULT-VALUE}).")
    int threads;

    @Override
    public Integer call() throws Exception {
        ConsultConfig cfg = ConsultConfig.builder(data, out).models(models).baselines(baselines).judge(judge)
                .judgeOptions(JudgeOptions.defaults().withModel(judgeModel)).mode(ConsultConfig.Mode.parse(mode)).maxCases(maxCases).seed(seed)
                .singleOrder(singleOrder).absolute(absolute).expertLabels(expertLabels).perTurn(!noPerTurn).maxNewTokens(maxNewTokens)
                .turnBudget(turnBudget).patient(patient).batch(batch).resamples(resamples).device(device).threads(threads).build();
        ConsultSummary s = ConsultBench.run(cfg);
        print(s, System.out);
        var c = s.counts();
        System.err.printf(Locale.ROOT, "eval consult: wrote %s (%d consultations generated, %d reused, %d failed; %d pairs judged, %d reused, "
                        + "%d judge failures); skipped %d malformed record(s), %d non-consultation(s), %d case(s) with missing images%n",
                s.dir(), c.generated(), c.reusedTranscripts(), c.generationFailures(), c.judged(), c.reusedJudgments(), c.judgeFailures(),
                c.skippedMalformed(), c.skippedNotConsultation(), c.skippedMissingImages());
        return 0;
    }

    static void print(ConsultSummary s, PrintStream out) {
        out.printf(Locale.ROOT, "%-28s %6s %10s  %s%n", "model", "cases", "mean win", "95% CI");
        for (WinRates.ModelRates m : s.whole().models()) {
            var iv = m.meanWinRate().winRate();
            out.printf(Locale.ROOT, "%-28s %6d %9.1f%%  [%.1f%%, %.1f%%]%n", m.model(), m.cases(), 100 * iv.estimate(), 100 * iv.low(), 100 * iv.high());
        }
        if (s.ratings() != null) {
            out.println("Bradley-Terry ratings (95% CI):");
            for (BradleyTerry.Rating r : s.ratings().ratings())
                out.printf(Locale.ROOT, "  %-26s %7.0f  [%.0f, %.0f]%n", r.player(), r.rating().estimate(), r.rating().low(), r.rating().high());
        }
        if (s.experts() != null) {
            out.printf(Locale.ROOT, "agreement with experts: relative %.1f%% (kappa %.3f)", 100 * s.experts().relative().observed(), s.experts().relative().kappa());
            if (s.experts().absolute() != null)
                out.printf(Locale.ROOT, ", absolute %.1f%% (kappa %.3f)", 100 * s.experts().absolute().observed(), s.experts().absolute().kappa());
            out.println();
        }
        for (ConsultSummary.SimulationStats x : s.simulation())
            out.printf(Locale.ROOT, "simulated %s: %.2f doctor turns, %.1f%% facts elicited, %.1f%% diagnosed%n", x.model(), x.meanTurnsUsed(),
                    100 * x.factsElicitedRate(), 100 * x.diagnosedRate());
    }
}
