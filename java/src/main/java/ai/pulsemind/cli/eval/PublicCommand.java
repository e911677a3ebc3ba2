package ai.pulsemind.cli.eval;

import ai.pulsemind.evaluate.ModelSpec;
import ai.pulsemind.evaluate.publicbench.Match;
import ai.pulsemind.evaluate.publicbench.PublicBench;
import ai.pulsemind.evaluate.publicbench.PublicBenchConfig;
import ai.pulsemind.evaluate.publicbench.PublicSummary;
import ai.pulsemind.evaluate.models.Replier;
import ai.pulsemind.evaluate.models.Repliers;
import ai.pulsemind.evaluate.publicbench.Task;
import ai.pulsemind.evaluate.stats.Bootstrap;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.io.PrintStream;
import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.Callable;

/** {@code pulsemind eval public}: the public medical benchmarks with the paper's protocol. */
@Command(mixinStandardHelpOptions = true, name = "public",
        description = {"Public medical benchmarks (MedQA, MedMCQA, PubMedQA, MMLU-medical, VQA-RAD, SLAKE, PathVQA, PMC-VQA, "
                + "MMMU-medical): each task's standard zero-/few-shot prompt with the chat template, rule-based answer "
                + "extraction with a similarity fallback, closed/open VQA scoring, bootstrap 95% intervals.",
                "Writes RUN/config.json, RUN/predictions.jsonl and RUN/summary.json; an interrupted run resumes.",
                "Import the benchmark first: pulsemind data import --format mcq|vqa --input FILE --out DIR."})
public final class PublicCommand implements Callable<Integer> {
    @Option(names = "--model", paramLabel = "SPEC", description = "Model under test: DIR | local:DIR[,adapter=DIR][,name=LABEL] | "
            + "openai:BASE_URL,model=ID[,key-env=VAR][,name=LABEL]. Not with --predictions.")
    String model;

    @Option(names = "--predictions", paramLabel = "FILE", description = "Score replies recorded elsewhere (JSONL: id, [task], "
            + "raw_output|output|response|prediction) instead of running a model.")
    Path predictions;

    @Option(names = "--task", required = true, paramLabel = "NAME[,NAME...]", description = "Tasks, or 'all': ${COMPLETION-CANDIDATES}.",
            completionCandidates = TaskNames.class)
    String task;

    @Option(names = "--data", required = true, paramLabel = "DIR", description = "Imported benchmark dataset(s): one dataset folder or a folder of them.")
    Path data;

    @Option(names = "--out", required = true, paramLabel = "RUN", description = "Run folder (created; an existing run with the same settings is resumed).")
    Path out;

    @Option(names = "--limit", defaultValue = "0", paramLabel = "N", description = "At most N questions per task, the first ones (0: all; default ${DEFAULT-VALUE}).")
    int limit;

    @Option(names = "--shots", defaultValue = "0", paramLabel = "K", description = "Few-shot examples per prompt, as chat turns (default ${DEFAULT-VALUE}).")
    int shots;

    @Option(names = "--max-new-tokens", defaultValue = "128", description = "Most tokens per reply (default ${DEFAULT-VALUE}).")
    int maxNewTokens;

    @Option(names = "--batch", defaultValue = "8", description = "Questions per generation batch (default ${DEFAULT-VALUE}).")
    int batch;

    @Option(names = "--match", defaultValue = "pulsemind", description = "Multiple-choice extraction: pulsemind (rules, then "
            + "similarity) or lm-eval (lm-evaluation-harness's flexible-extract filter, for comparable numbers) (default ${DEFAULT-VALUE}).")
    String match;

    @Option(names = "--seed", defaultValue = "0", description = "Bootstrap seed, recorded in summary.json (default ${DEFAULT-VALUE}).")
    long seed;

    @Option(names = "--resamples", defaultValue = "" + Bootstrap.DEFAULT_RESAMPLES, description = "Bootstrap resamples (default ${DEFAULT-VALUE}).")
    int resamples;

    @Option(names = "--device", defaultValue = "auto", description = "Backend of a local model: auto, cpu, cpu-reference, cuda, cuda:N (default ${DEFAULT-VALUE}).")
    String device;

    @Option(names = "--threads", defaultValue = "0", description = "CPU threads of a local model, 0 = all cores (default ${DEFAULT-VALUE}).")
    int threads;

    static final class TaskNames implements Iterable<String> {
        @Override public java.util.Iterator<String> iterator() {
            return java.util.Arrays.stream(Task.values()).map(Task::display).iterator();
        }
    }

    @Override
    public Integer call() throws Exception {
        ModelSpec spec = model == null ? null : ModelSpec.parse("--model", model);
        PublicBenchConfig cfg = new PublicBenchConfig(spec, predictions, Task.parseList(task), data, out, limit, shots,
                maxNewTokens, batch, Match.parse(match), seed, resamples, device, threads);
        PublicBench.Outcome o;
        if (spec == null) {
            o = PublicBench.score(cfg, null, System.err);
        } else {
            spec.check("--model", System::getenv);
            try (Replier r = Repliers.open(spec, device, threads)) {
                o = PublicBench.run(cfg, r, null, System.err);
            }
        }
        print(o.summary(), System.out);
        var c = o.summary().counts();
        System.err.printf(Locale.ROOT, "eval public: wrote %s (asked %d, reused %d); skipped %d malformed record(s), %d question(s) "
                        + "with missing images, %d failed, %d without a reply%n", o.dir(), o.asked(), o.reused(), c.malformed(),
                c.missingImages(), c.failed(), c.missingPredictions());
        return 0;
    }

    static void print(PublicSummary s, PrintStream out) {
        out.printf(Locale.ROOT, "%-14s %-20s %6s %8s  %s%n", "task", "metric", "n", "score", "95% CI");
        for (PublicSummary.Row r : s.rows())
            out.printf(Locale.ROOT, "%-14s %-20s %6d %8.4f  [%.4f, %.4f]%n", r.task(), r.metric(), r.n(), r.estimate(), r.low(), r.high());
    }
}
