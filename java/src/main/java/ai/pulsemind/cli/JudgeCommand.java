package ai.pulsemind.cli;

import ai.pulsemind.data.DataError;
import ai.pulsemind.data.JsonlReader;
import ai.pulsemind.data.Progress;
import ai.pulsemind.judge.Diagnostics;
import ai.pulsemind.judge.JudgeJson;
import ai.pulsemind.judge.JudgeOptions;
import ai.pulsemind.judge.JudgeRequest;
import ai.pulsemind.judge.JudgeSpecs;
import ai.pulsemind.judge.Judging;
import ai.pulsemind.judge.Judgment;
import ai.pulsemind.judge.PairsJsonl;
import ai.pulsemind.judge.SqliteVerdictCache;
import ai.pulsemind.judge.VerdictCache;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.io.BufferedWriter;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;

/** {@code pulsemind judge …}: judges as a command. */
@Command(mixinStandardHelpOptions = true, name = "judge", description = "Compare doctor replies or consultations with a judge.",
        subcommands = JudgeCommand.Pairs.class)
public final class JudgeCommand implements Runnable {
    @picocli.CommandLine.Spec picocli.CommandLine.Model.CommandSpec spec;

    @Override public void run() { spec.commandLine().usage(System.out); }

    /** {@code judge pairs --input PAIRS.jsonl --out JUDGMENTS.jsonl --judge SPEC}. */
    @Command(mixinStandardHelpOptions = true, name = "pairs", description = {
            "Judge pairs of answers on proactiveness, accuracy, usefulness and language, in both orders (disagreement = tie).",
            "Input lines: {\"id\", \"context\": [OpenAI messages], \"reference\": text | {\"record\": …[, \"turn\": N]}, \"a\", \"b\"};",
            "a and b are reply strings, {\"turns\": […]} or OpenAI messages. Output lines: id, verdicts, rationales, both orders' raw verdicts, error."})
    public static final class Pairs implements Callable<Integer> {
        @Option(names = "--input", required = true, description = "pairs JSONL file")
        Path input;
        @Option(names = "--out", required = true, description = "judgments JSONL file to write (replaced)")
        Path out;
        @Option(names = "--judge", required = true, description = "rubric | openai:BASE_URL[,model=ID][,key-env=VAR] | local:MODEL_DIR | jury:SPEC,SPEC,…")
        String judge;
        @Option(names = "--judge-model", description = "served model name for openai: judges")
        String judgeModel;
        @Option(names = "--concurrency", defaultValue = "16", description = "requests in flight per endpoint (default ${DEFAULT-VALUE})")
        int concurrency;
        @Option(names = "--single-order", description = "ask only a-first, as the paper's released judge (default: both orders)")
        boolean singleOrder;
        @Option(names = "--cache", description = "SQLite verdict cache file (created if missing); a rerun makes no judge calls for what it holds")
        Path cache;
        @Option(names = "--api-key-env", defaultValue = "OPENAI_API_KEY", description = "environment variable with the endpoint's API key (default ${DEFAULT-VALUE})")
        String apiKeyEnv;
        @Option(names = "--judge-temperature", defaultValue = "0", description = "judge sampling temperature (default ${DEFAULT-VALUE})")
        @Setting("temperature")
        double temperature;
        @Option(names = "--judge-max-tokens", defaultValue = "768", description = "longest judge answer in tokens (default ${DEFAULT-VALUE})")
        @Setting("maxTokens")
        int maxTokens;
        @Option(names = "--timeout", defaultValue = "120", description = "seconds per request (default ${DEFAULT-VALUE})")
        @Setting("timeout")
        int timeoutSeconds;
        @Option(names = "--max-attempts", defaultValue = "5", description = "attempts per request, the first included (default ${DEFAULT-VALUE})")
        int maxAttempts;
        @Option(names = "--prompt", description = "pairwise prompt template file to use instead of the bundled English/Chinese ones")
        Path prompt;
        @Option(names = "--device", defaultValue = "auto", description = "backend for local: judges (default ${DEFAULT-VALUE})")
        String device;
        @Option(names = "--threads", defaultValue = "0", description = "CPU threads for local: judges, 0 = all (default ${DEFAULT-VALUE})")
        int threads;
        @Option(names = "--batch-size", defaultValue = "8", description = "prompts per engine call for local: judges (default ${DEFAULT-VALUE})")
        int batchSize;

        @Override
        public Integer call() throws IOException {
            if (!Files.isRegularFile(input)) throw new IllegalArgumentException("--input " + input + ": no such file");
            if (timeoutSeconds < 1) throw new IllegalArgumentException("--timeout must be >= 1 second, got " + timeoutSeconds);
            JudgeOptions opts = new JudgeOptions(judgeModel, apiKeyEnv, concurrency, temperature, maxTokens, Duration.ofSeconds(timeoutSeconds),
                    maxAttempts, prompt, null, device, threads, batchSize);
            long total = countLines(input);
            VerdictCache vc = cache == null ? VerdictCache.NONE : SqliteVerdictCache.open(cache);
            Judging judging;
            try {
                judging = JudgeSpecs.open(judge, opts, singleOrder ? Judging.Config.SINGLE_ORDER : Judging.Config.BOTH_ORDERS, vc);
            } catch (RuntimeException e) {
                vc.close();
                throw e;
            }
            try (judging) {
                return run(judging, total);
            }
        }

        private int run(Judging judging, long total) throws IOException {
            Progress progress = Progress.stderr("judge " + judging.name(), total);
            int chunk = Math.max(64, 4 * concurrency), skipped = 0;
            List<JudgeRequest> all = new ArrayList<>();
            List<Judgment> done = new ArrayList<>();
            Path base = input.toAbsolutePath().getParent();
            if (out.toAbsolutePath().getParent() != null) Files.createDirectories(out.toAbsolutePath().getParent());
            try (JsonlReader in = new JsonlReader(input);
                 BufferedWriter w = Files.newBufferedWriter(out, StandardCharsets.UTF_8)) {
                List<JudgeRequest> batch = new ArrayList<>();
                for (JsonlReader.Line line = in.next(); line != null; line = in.next()) {
                    try {
                        batch.add(PairsJsonl.parse(input.toString(), line, base));
                    } catch (DataError e) {
                        System.err.println("skipped " + e.getMessage());
                        skipped++;
                        progress.failed(1);
                        progress.advance(1);
                    }
                    if (batch.size() >= chunk) { flush(judging, batch, w, progress, all, done); batch.clear(); }
                }
                flush(judging, batch, w, progress, all, done);
            }
            progress.finish();
            summary(judging, all, done, skipped);
            return 0;
        }

        /** Judges one chunk and writes its lines in input order, so an interrupted run keeps every finished chunk. */
        private static void flush(Judging judging, List<JudgeRequest> batch, BufferedWriter w, Progress progress,
                                  List<JudgeRequest> all, List<Judgment> done) throws IOException {
            if (batch.isEmpty()) return;
            List<Judgment> js = judging.compare(batch, progress);
            for (Judgment j : js) {
                w.write(JudgeJson.judgment(j).toString());
                w.newLine();
                if (!j.ok()) progress.failed(1);
            }
            w.flush();
            all.addAll(batch);
            done.addAll(js);
        }

        private void summary(Judging judging, List<JudgeRequest> reqs, List<Judgment> js, int skipped) {
            long failed = js.stream().filter(j -> !j.ok()).count();
            Diagnostics d = Diagnostics.of(reqs, js);
            Judging.Stats s = judging.stats();
            System.err.printf(Locale.ROOT, "judged %d pairs with %s: %d with verdicts, %d failed, %d input line(s) skipped; "
                            + "%d judge calls, %d from the cache; flip rate %s, tie rate %s, longer answer wins %s -> %s%n",
                    js.size(), judging.name(), js.size() - failed, failed, skipped, s.judged(), s.cacheHits(),
                    pct(d.pooled().flipRate()), pct(d.pooled().tieRate()), pct(d.pooled().longerWinRate()), out);
            if (failed > 0) js.stream().filter(j -> !j.ok()).limit(3).forEach(j -> System.err.println("  failed " + j.id() + ": " + j.error()));
        }

        private static String pct(double x) { return Double.isNaN(x) ? "n/a" : String.format(Locale.ROOT, "%.1f%%", 100 * x); }

        private static long countLines(Path f) throws IOException {
            try (var lines = Files.lines(f, StandardCharsets.UTF_8)) {
                return lines.filter(l -> !l.isBlank()).count();
            } catch (java.io.UncheckedIOException e) {
                return -1; // not UTF-8: the reader names the line
            }
        }
    }
}
