package ai.pulsemind.cli.train;

import ai.pulsemind.train.SftConfig;
import ai.pulsemind.train.SftRun;
import ai.pulsemind.train.Trainer;
import com.fasterxml.jackson.databind.JsonNode;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;

/**
 * {@code pulsemind train sft}: supervised fine-tuning on MediScope records. Settings come from the defaults, then
 * {@code --config FILE} (YAML or JSON, keys = flag names), then the flags given; the resolved config is printed and
 * saved as {@code RUN/config.json}.
 */
@Command(name = "sft", mixinStandardHelpOptions = true, defaultValueProvider = SftCommand.Defaults.class,
        description = "Supervised fine-tuning (LoRA, or full with --lora-r 0) of a Qwen2.5-VL model on MediScope records; "
                + "metrics in RUN/metrics.jsonl, checkpoints in RUN/checkpoints/ (latest = the last complete one).")
public final class SftCommand implements Callable<Integer> {
    @CommandLine.Spec CommandLine.Model.CommandSpec spec;

    @Option(names = "--config", description = "YAML or JSON file of settings (keys are flag names); flags override it.") Path config;
    @Option(names = "--model", description = "Hugging Face Qwen2.5-VL model directory.") String model;
    @Option(names = "--data", description = "MediScope dataset folder or shard; split 'train' (or none) trains, 'val' evaluates.") String data;
    @Option(names = "--out", description = "Run directory.") String out;
    @Option(names = "--eval-data", description = "Separate evaluation dataset (default: the --eval-split records of --data).") String evalData;
    @Option(names = "--lora-r", description = "LoRA rank; 0 = full fine-tuning (default ${DEFAULT-VALUE}).") Integer loraR;
    @Option(names = "--lora-alpha", description = "LoRA alpha (default ${DEFAULT-VALUE}).") Float loraAlpha;
    @Option(names = "--lora-dropout", description = "LoRA dropout on the adapter input (default ${DEFAULT-VALUE}).") Float loraDropout;
    @Option(names = "--lora-targets", description = "Projections to adapt, comma-separated (default ${DEFAULT-VALUE}).") String loraTargets;
    @Option(names = "--rslora", arity = "0..1", description = "rsLoRA scaling alpha/sqrt(r) (default ${DEFAULT-VALUE}).") Boolean rslora;
    @Option(names = "--lora-vision", arity = "0..1", description = "Also adapt the vision tower (default ${DEFAULT-VALUE}).") Boolean loraVision;
    @Option(names = "--train-vision", arity = "0..1", description = "Full fine-tuning: also train the vision tower (default ${DEFAULT-VALUE}).") Boolean trainVision;
    @Option(names = "--lr", description = "Peak learning rate (default ${DEFAULT-VALUE}).") Double lr;
    @Option(names = "--weight-decay", description = "AdamW weight decay, not on biases and norms (default ${DEFAULT-VALUE}).") Float weightDecay;
    @Option(names = "--adam-beta1", description = "AdamW beta1 (default ${DEFAULT-VALUE}).") Float adamBeta1;
    @Option(names = "--adam-beta2", description = "AdamW beta2 (default ${DEFAULT-VALUE}).") Float adamBeta2;
    @Option(names = "--adam-eps", description = "AdamW epsilon (default ${DEFAULT-VALUE}).") Float adamEps;
    @Option(names = "--max-grad-norm", description = "Global gradient-norm clip; 0 = none (default ${DEFAULT-VALUE}).") Double maxGradNorm;
    @Option(names = "--batch-size", description = "Samples per micro-batch (default ${DEFAULT-VALUE}).") Integer batchSize;
    @Option(names = "--grad-accum", description = "Micro-batches per optimiser step (default ${DEFAULT-VALUE}).") Integer gradAccum;
    @Option(names = "--max-steps", description = "Optimiser steps; 0 = from --epochs (default ${DEFAULT-VALUE}).") Integer maxSteps;
    @Option(names = "--epochs", description = "Passes over the training split when --max-steps is 0 (default ${DEFAULT-VALUE}).") Integer epochs;
    @Option(names = "--warmup", description = "Warm-up: steps (10) or a ratio of the run (0.03) (default ${DEFAULT-VALUE}).") String warmup;
    @Option(names = "--schedule", description = "constant, linear or cosine (default ${DEFAULT-VALUE}).") String schedule;
    @Option(names = "--max-length", description = "Tokens per record at most (default ${DEFAULT-VALUE}).") Integer maxLength;
    @Option(names = "--too-long", description = "A longer record is 'truncate'd or 'skip'ped, and counted (default ${DEFAULT-VALUE}).") String tooLong;
    @Option(names = "--loss-on", description = "doctor (every doctor turn), last (the last one) or all tokens (default ${DEFAULT-VALUE}).") String lossOn;
    @Option(names = "--train-split", description = "Split that trains (records without a split too) (default ${DEFAULT-VALUE}).") String trainSplit;
    @Option(names = "--eval-split", description = "Split that evaluates (default ${DEFAULT-VALUE}).") String evalSplit;
    @Option(names = "--unigram-baseline", arity = "0..1", description = "Log the unigram baseline's eval loss first (default ${DEFAULT-VALUE}).") Boolean unigramBaseline;
    @Option(names = "--seed", description = "Seed of adapter init, shuffling and dropout (default ${DEFAULT-VALUE}).") Long seed;
    @Option(names = "--deterministic", arity = "0..1", description = "Resume only on the same backend and thread count, "
            + "so k steps + resume + k steps equals 2k steps bit for bit (default ${DEFAULT-VALUE}).") Boolean deterministic;
    @Option(names = "--eval-every", description = "Steps between evaluations; 0 = at the end (default ${DEFAULT-VALUE}).") Integer evalEvery;
    @Option(names = "--save-every", description = "Steps between checkpoints; 0 = at the end (default ${DEFAULT-VALUE}).") Integer saveEvery;
    @Option(names = "--log-every", description = "Steps between metrics lines (default ${DEFAULT-VALUE}).") Integer logEvery;
    @Option(names = "--keep-checkpoints", description = "Complete checkpoints kept; 0 = all (default ${DEFAULT-VALUE}).") Integer keepCheckpoints;
    @Option(names = "--resume", arity = "0..1", description = "Continue from RUN/checkpoints/latest (default ${DEFAULT-VALUE}).") Boolean resume;
    @Option(names = "--gradient-checkpointing", arity = "0..1", description = "Recompute each decoder layer in backward (default ${DEFAULT-VALUE}).") Boolean gradientCheckpointing;
    @Option(names = "--device", description = "auto, cpu, cpu-reference, cuda or cuda:N (default ${DEFAULT-VALUE}).") String device;
    @Option(names = "--threads", description = "CPU threads; 0 = all cores (default ${DEFAULT-VALUE}).") Integer threads;
    @Option(names = "--system-prompt", description = "System message of every sample (default: the chat template's).") String systemPrompt;

    /** Shows SftConfig's defaults in --help; the values used come from SftConfig.resolve. */
    public static final class Defaults implements CommandLine.IDefaultValueProvider {
        @Override public String defaultValue(CommandLine.Model.ArgSpec arg) {
            if (!(arg instanceof CommandLine.Model.OptionSpec o)) return null;
            JsonNode v = SftConfig.DEFAULTS.toJson().get(o.longestName().substring(2));
            if (v == null || v.isNull()) return null;
            if (v.isArray()) {
                StringBuilder sb = new StringBuilder();
                v.forEach(x -> sb.append(sb.isEmpty() ? "" : ",").append(x.asText()));
                return sb.toString();
            }
            return v.asText();
        }
    }

    /** The flags given on the command line, by setting name. */
    Map<String, Object> given() {
        Map<String, Object> m = new LinkedHashMap<>();
        for (CommandLine.Model.OptionSpec o : spec.commandLine().getParseResult().matchedOptions()) {
            String key = o.longestName().substring(2);
            if (key.equals("config") || key.equals("help") || key.equals("version")) continue;
            m.put(key, o.getValue());
        }
        return m;
    }

    @Override
    public Integer call() throws Exception {
        SftConfig cfg = SftConfig.resolve(config, given()).requirePaths();
        System.err.println("config:\n" + cfg.toPrettyJson());
        try {
            SftRun.Summary s = SftRun.run(cfg, System.err, new Trainer.Hooks() {
                @Override public void onLog(Map<String, Object> m) { System.err.println(line(m)); }
            });
            System.err.printf(Locale.ROOT, "train sft: %d steps in %.1fs; loss %.4f%s%s; %d records failed, %d truncated, %d skipped as too long; "
                            + "last checkpoint %s%n", s.result().steps(), s.result().seconds(), s.result().lastLoss(),
                    s.result().lastEvalLoss() != null ? String.format(Locale.ROOT, ", eval_loss %.4f", s.result().lastEvalLoss()) : "",
                    s.unigramLoss() != null ? String.format(Locale.ROOT, " (unigram baseline %.4f)", s.unigramLoss()) : "",
                    s.failedRecords(), s.truncated(), s.skippedTooLong(), s.result().lastCheckpoint());
        } catch (Trainer.Stopped e) {
            System.err.println("error: " + e.getMessage());
            return 2;
        }
        return 0;
    }

    static String line(Map<String, Object> m) {
        StringBuilder sb = new StringBuilder();
        m.forEach((k, v) -> sb.append(sb.isEmpty() ? "" : " ").append(k).append('=')
                .append(v instanceof Double d ? String.format(Locale.ROOT, Math.abs(d) < 1e-3 && d != 0 ? "%.3g" : "%.4f", d) : v));
        return sb.toString();
    }
}
