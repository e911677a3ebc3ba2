package ai.pulsemind.cli.train;

import ai.pulsemind.crpo.CrpoConfig;
import ai.pulsemind.crpo.CrpoRun;
import ai.pulsemind.data.Progress;
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
 * {@code pulsemind train crpo}: comparison-based policy optimisation after SFT. Settings: defaults, then
 * {@code --config FILE} (YAML or JSON, keys = flag names), then the flags given; the resolved config is printed and
 * saved as {@code RUN/config.json}.
 */
@Command(name = "crpo", mixinStandardHelpOptions = true, defaultValueProvider = CrpoCommand.Defaults.class,
        description = "CRPO (or, with --reward grpo, GRPO) training of a LoRA adapter: G samples per consultation prefix from the "
                + "engine, rewards from the judge's comparisons with the record's counterparts, PPO-clipped loss with a KL "
                + "to the base model; metrics in RUN/metrics.jsonl (TRL's names), samples in RUN/completions/, "
                + "checkpoints in RUN/checkpoints/.")
public final class CrpoCommand implements Callable<Integer> {
    @CommandLine.Spec CommandLine.Model.CommandSpec spec;

    @Option(names = "--config", description = "YAML or JSON file of settings (keys are flag names); flags override it.") Path config;
    @Option(names = "--model", description = "Hugging Face Qwen2.5-VL model directory (the base).") String model;
    @Option(names = "--adapter", description = "PEFT LoRA adapter to start from and train (e.g. the SFT run's checkpoint); default: a fresh one.") String adapter;
    @Option(names = "--data", description = "MediScope dataset folder or shard; records need counterparts (unless --intra-group or --reward grpo).") String data;
    @Option(names = "--judge", description = "Judge spec: rubric, openai:URL[#MODEL], local:DIR or jury:SPEC,SPEC (default ${DEFAULT-VALUE}).") String judge;
    @Option(names = "--judge-model", description = "Served model name for openai: judges without #MODEL.") String judgeModel;
    @Option(names = "--judge-cache", description = "SQLite verdict cache file (default: none).") String judgeCache;
    @Option(names = "--out", description = "Run directory.") String out;
    @Option(names = "--group-size", description = "G: samples per prefix (default ${DEFAULT-VALUE}).") Integer groupSize;
    @Option(names = "--batch-size", description = "B: prefixes per rollout batch (default ${DEFAULT-VALUE}).") Integer batchSize;
    @Option(names = "--max-steps", description = "Optimiser steps (policy updates) (default ${DEFAULT-VALUE}).") Integer maxSteps;
    @Option(names = "--max-new-tokens", description = "Longest sampled reply (default ${DEFAULT-VALUE}).") Integer maxNewTokens;
    @Option(names = "--temperature", description = "Sampling temperature (default ${DEFAULT-VALUE}).") Double temperature;
    @Option(names = "--top-p", description = "Nucleus sampling (default ${DEFAULT-VALUE}).") Double topP;
    @Option(names = "--max-prompt-length", description = "Prefixes longer than this many tokens are skipped and counted (default ${DEFAULT-VALUE}).") Integer maxPromptLength;
    @Option(names = "--reward", description = "crpo (comparisons with counterparts, the paper) or grpo (absolute 1-5 scores) (default ${DEFAULT-VALUE}).") String reward;
    @Option(names = "--tie-score", description = "What a tie is worth; the paper: 0 (default ${DEFAULT-VALUE}).") Double tieScore;
    @Option(names = "--dimension-weights", description = "Weights of proactiveness,accuracy,usefulness,language (default: equal).") String dimensionWeights;
    @Option(names = "--both-orders", arity = "0..1", description = "Judge each pair in both presentation orders, disagreement = tie (default ${DEFAULT-VALUE}).") Boolean bothOrders;
    @Option(names = "--intra-group", arity = "0..1", description = "Compare the samples of a group with each other instead of with counterparts (default ${DEFAULT-VALUE}).") Boolean intraGroup;
    @Option(names = "--normalize-dimensions", arity = "0..1", description = "Z-score each dimension within the group before summing (default ${DEFAULT-VALUE}).") Boolean normalizeDimensions;
    @Option(names = "--first-turn-only", arity = "0..1", description = "Only each record's first doctor turn (default ${DEFAULT-VALUE}).") Boolean firstTurnOnly;
    @Option(names = "--scale", description = "Advantage scaling: group, batch or none (default ${DEFAULT-VALUE}).") String scale;
    @Option(names = "--zero-spread", description = "Groups with equal rewards: keep (advantage 0) or drop (default ${DEFAULT-VALUE}).") String zeroSpread;
    @Option(names = "--loss-type", description = "dapo or bnpo (token mean), grpo (sequence mean), dr_grpo (default ${DEFAULT-VALUE}).") String lossType;
    @Option(names = "--beta", description = "KL coefficient to the base model, k3 estimator; 0 = none (default ${DEFAULT-VALUE}).") Double beta;
    @Option(names = "--epsilon", description = "Lower clip range epsilon_low (default ${DEFAULT-VALUE}).") Double epsilon;
    @Option(names = "--epsilon-high", description = "Upper clip range epsilon_high (default ${DEFAULT-VALUE}).") Double epsilonHigh;
    @Option(names = "--mu", description = "Policy updates per rollout batch (default ${DEFAULT-VALUE}).") Integer mu;
    @Option(names = "--lora-r", description = "Rank of a fresh adapter (default ${DEFAULT-VALUE}).") Integer loraR;
    @Option(names = "--lora-alpha", description = "Alpha of a fresh adapter (default ${DEFAULT-VALUE}).") Float loraAlpha;
    @Option(names = "--lora-dropout", description = "Dropout of a fresh adapter (default ${DEFAULT-VALUE}).") Float loraDropout;
    @Option(names = "--lora-targets", description = "Projections a fresh adapter adapts (default ${DEFAULT-VALUE}).") String loraTargets;
    @Option(names = "--lr", description = "Peak learning rate (default ${DEFAULT-VALUE}).") Double lr;
    @Option(names = "--weight-decay", description = "AdamW weight decay (default ${DEFAULT-VALUE}).") Float weightDecay;
    @Option(names = "--adam-beta1", description = "AdamW beta1 (default ${DEFAULT-VALUE}).") Float adamBeta1;
    @Option(names = "--adam-beta2", description = "AdamW beta2 (default ${DEFAULT-VALUE}).") Float adamBeta2;
    @Option(names = "--adam-eps", description = "AdamW epsilon (default ${DEFAULT-VALUE}).") Float adamEps;
    @Option(names = "--max-grad-norm", description = "Global gradient-norm clip; 0 = none (default ${DEFAULT-VALUE}).") Double maxGradNorm;
    @Option(names = "--schedule", description = "constant, linear or cosine (default ${DEFAULT-VALUE}).") String schedule;
    @Option(names = "--warmup", description = "Warm-up: steps or a ratio of the run (default ${DEFAULT-VALUE}).") String warmup;
    @Option(names = "--micro-batch", description = "Sequences per training forward (default ${DEFAULT-VALUE}).") Integer microBatch;
    @Option(names = "--train-split", description = "Split that trains (records without a split too) (default ${DEFAULT-VALUE}).") String trainSplit;
    @Option(names = "--seed", description = "Seed of adapter init, prefix order, sampling and dropout (default ${DEFAULT-VALUE}).") Long seed;
    @Option(names = "--save-every", description = "Steps between checkpoints; 0 = at the end (default ${DEFAULT-VALUE}).") Integer saveEvery;
    @Option(names = "--log-every", description = "Steps between metrics lines (default ${DEFAULT-VALUE}).") Integer logEvery;
    @Option(names = "--keep-checkpoints", description = "Complete checkpoints kept; 0 = all (default ${DEFAULT-VALUE}).") Integer keepCheckpoints;
    @Option(names = "--completions-every", description = "Rollout steps between RUN/completions/step-N.jsonl dumps; 0 = none (default ${DEFAULT-VALUE}).") Integer completionsEvery;
    @Option(names = "--resume", arity = "0..1", description = "Continue from RUN/checkpoints/latest (default ${DEFAULT-VALUE}).") Boolean resume;
    @Option(names = "--device", description = "auto, cpu, cpu-reference, cuda or cuda:N (default ${DEFAULT-VALUE}).") String device;
    @Option(names = "--threads", description = "CPU threads; 0 = all cores (default ${DEFAULT-VALUE}).") Integer threads;
    @Option(names = "--system-prompt", description = "System message of every prompt (default: the chat template's).") String systemPrompt;

    /** Shows CrpoConfig's defaults in --help; the values used come from CrpoConfig.resolve. */
    public static final class Defaults implements CommandLine.IDefaultValueProvider {
        @Override public String defaultValue(CommandLine.Model.ArgSpec arg) {
            if (!(arg instanceof CommandLine.Model.OptionSpec o)) return null;
            JsonNode v = CrpoConfig.DEFAULTS.toJson().get(o.longestName().substring(2));
            if (v == null || v.isNull()) return null;
            if (v.isArray()) {
                StringBuilder sb = new StringBuilder();
                v.forEach(x -> sb.append(sb.isEmpty() ? "" : ",").append(x.asText()));
                return sb.toString();
            }
            return v.asText();
        }
    }

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
        CrpoConfig cfg = CrpoConfig.resolve(config, given()).requirePaths();
        System.err.println("config:\n" + cfg.toPrettyJson());
        try {
            CrpoRun.Summary s = CrpoRun.run(cfg, System.err, new Trainer.Hooks() {
                @Override public void onLog(Map<String, Object> m) { System.err.println(SftCommand.line(m)); }
            }, Progress.stderr("train crpo", cfg.maxSteps()));
            System.err.printf(Locale.ROOT, "train crpo: %d steps in %.1fs; reward %s -> %s; %d judgements, %d failed; %d batches skipped; last checkpoint %s%n",
                    s.result().steps(), s.result().seconds(), fmt(s.firstReward()), fmt(s.lastReward()), s.judged(), s.judgeFailures(),
                    s.skippedBatches(), s.result().lastCheckpoint());
        } catch (Trainer.Stopped e) {
            System.err.println("error: " + e.getMessage());
            return 2;
        }
        return 0;
    }

    private static String fmt(Double d) { return d == null ? "-" : String.format(Locale.ROOT, "%.4f", d); }
}
