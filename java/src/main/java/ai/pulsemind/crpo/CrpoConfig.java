package ai.pulsemind.crpo;

import ai.pulsemind.config.RunSettings;
import ai.pulsemind.train.LoraConfig;
import ai.pulsemind.train.ParamStore;
import ai.pulsemind.train.Schedule;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Everything {@code train crpo} is run with; keys in config files and {@code RUN/config.json} are the flag names
 * ({@code group-size}, {@code epsilon-high}; {@code group_size} is read too). Defaults: G = 4 samples of each of
 * B = 2 prefixes per rollout batch, 64 new tokens at temperature 1; the paper's reward (win 1, tie 0, loss 0, mean
 * over counterparts and the four dimensions, both presentation orders); advantages scaled per group, zero-spread
 * groups kept at zero; TRL's defaults for the loss (dapo token mean, ε = 0.2 both sides, one update per batch) with
 * β = 0.04; LoRA r = 16, α = 32, dropout 0.1 (the paper's) unless an SFT adapter is given, which is trained on;
 * AdamW lr 1e-5, constant schedule, clipping at 1.0.
 *
 * <p>Use {@link #builder()} from code ({@code CrpoConfig.builder().model(m).data(d).judge("rubric").out(o).build()})
 * or {@link #resolve} from flags and files.
 */
@JsonPropertyOrder(alphabetic = false)
public record CrpoConfig(
        String model, String adapter, String data, String judge, String out, String judgeModel, String judgeCache,
        int groupSize, int batchSize, int maxSteps, int maxNewTokens, double temperature, double topP, int maxPromptLength,
        String reward, double tieScore, List<Double> dimensionWeights, boolean bothOrders, boolean intraGroup,
        boolean normalizeDimensions, boolean firstTurnOnly,
        String scale, String zeroSpread, String lossType, double beta, double epsilon, double epsilonHigh, int mu,
        int loraR, float loraAlpha, float loraDropout, List<String> loraTargets,
        double lr, float weightDecay, float adamBeta1, float adamBeta2, float adamEps, double maxGradNorm,
        String schedule, String warmup, int microBatch, String trainSplit,
        long seed, int saveEvery, int logEvery, int keepCheckpoints, int completionsEvery, boolean resume,
        String device, int threads, String systemPrompt) {

    public static final CrpoConfig DEFAULTS = new CrpoConfig(null, null, null, "rubric", null, null, null,
            4, 2, 20, 64, 1.0, 1.0, 1024,
            "crpo", 0, null, true, false,
            false, false,
            "group", "keep", "dapo", 0.04, 0.2, 0.2, 1,
            16, 32f, 0.1f, LoraConfig.ALL_TEXT,
            1e-5, 0f, 0.9f, 0.999f, 1e-8f, 1.0,
            "constant", "0", 8, "train",
            42, 0, 1, 0, 1, false,
            "cpu", 0, null);

    private static final RunSettings.Shape SHAPE = new RunSettings.Shape(Set.of("lora-targets"), Set.of("dimension-weights"), Set.of("warmup"));

    public CrpoConfig {
        loraTargets = loraTargets == null ? LoraConfig.ALL_TEXT : List.copyOf(loraTargets);
        dimensionWeights = dimensionWeights == null ? null : List.copyOf(dimensionWeights);
        if (groupSize < 2) throw new IllegalArgumentException("--group-size must be >= 2 (advantages compare samples of one prompt), got " + groupSize);
        if (batchSize < 1) throw new IllegalArgumentException("--batch-size must be >= 1, got " + batchSize);
        if (maxSteps < 1) throw new IllegalArgumentException("--max-steps must be >= 1, got " + maxSteps);
        if (maxNewTokens < 1) throw new IllegalArgumentException("--max-new-tokens must be >= 1, got " + maxNewTokens);
        if (!(temperature > 0 && temperature <= 4)) throw new IllegalArgumentException("--temperature must be in (0, 4], got " + temperature);
        if (!(topP > 0 && topP <= 1)) throw new IllegalArgumentException("--top-p must be in (0, 1], got " + topP);
        if (maxPromptLength < 8) throw new IllegalArgumentException("--max-prompt-length must be >= 8, got " + maxPromptLength);
        if (mu < 1) throw new IllegalArgumentException("--mu must be >= 1, got " + mu);
        if (microBatch < 1) throw new IllegalArgumentException("--micro-batch must be >= 1, got " + microBatch);
        if (completionsEvery < 0) throw new IllegalArgumentException("--completions-every must be >= 0, got " + completionsEvery);
        if (threads < 0) throw new IllegalArgumentException("--threads must be >= 0, got " + threads);
        if (!(lr >= 0)) throw new IllegalArgumentException("--lr must be >= 0, got " + lr);
        Advantages.Scaling.parse(scale);
        Advantages.ZeroSpread.parse(zeroSpread);
        rewardSettingsOf(reward, tieScore, dimensionWeights, intraGroup, normalizeDimensions);
        new ai.pulsemind.crpo.PolicyLoss.Settings(PolicyLoss.Aggregation.parse(lossType), epsilon, epsilonHigh, beta, maxNewTokens);
        Schedule.kind(schedule);
        Schedule.warmupSteps(warmup, 1000);
        new LoraConfig(loraR, loraAlpha, loraDropout, false, loraTargets, false);
        new ParamStore.AdamW(adamBeta1, adamBeta2, adamEps, weightDecay);
    }

    private static Rewards.Settings rewardSettingsOf(String reward, double tie, List<Double> w, boolean intra, boolean norm) {
        double[] ws = w == null ? null : w.stream().mapToDouble(Double::doubleValue).toArray();
        return new Rewards.Settings(Rewards.Kind.parse(reward), tie, ws, intra, norm);
    }

    public Rewards.Settings rewardSettings() { return rewardSettingsOf(reward, tieScore, dimensionWeights, intraGroup, normalizeDimensions); }

    public PolicyLoss.Settings lossSettings() {
        return new PolicyLoss.Settings(PolicyLoss.Aggregation.parse(lossType), epsilon, epsilonHigh, beta, maxNewTokens);
    }

    public Advantages.Scaling scaling() { return Advantages.Scaling.parse(scale); }

    public Advantages.ZeroSpread zeroSpreadMode() { return Advantages.ZeroSpread.parse(zeroSpread); }

    public LoraConfig lora() { return new LoraConfig(loraR, loraAlpha, loraDropout, false, loraTargets, false); }

    /** Fails naming the flag when a required setting is missing. */
    public CrpoConfig requirePaths() {
        if (model == null) throw new IllegalArgumentException("--model is required (a Hugging Face model directory)");
        if (data == null) throw new IllegalArgumentException("--data is required (a MediScope dataset folder or shard with counterparts)");
        if (judge == null) throw new IllegalArgumentException("--judge is required (rubric, openai:URL, local:DIR or jury:…)");
        if (out == null) throw new IllegalArgumentException("--out is required (the run directory)");
        if (loraR < 1 && adapter == null) throw new IllegalArgumentException("--lora-r must be >= 1: CRPO trains a LoRA adapter (the reference is the base with it off)");
        return this;
    }

    public ObjectNode toJson() { return RunSettings.JSON.valueToTree(this); }

    public String toPrettyJson() { return RunSettings.pretty(this); }

    /** Defaults, overlaid with a config file (YAML or JSON, may be null), overlaid with the given settings by flag name. */
    public static CrpoConfig resolve(Path file, Map<String, Object> flags) {
        return RunSettings.resolve(DEFAULTS, CrpoConfig.class, SHAPE, file, flags);
    }

    /** A builder over the defaults: {@code set("group-size", 8)} or the typed shortcuts. */
    public static Builder builder() { return new Builder(); }

    public static final class Builder {
        private final Map<String, Object> m = new java.util.LinkedHashMap<>();

        public Builder set(String key, Object value) { m.put(key, value); return this; }

        public Builder model(String v) { return set("model", v); }

        public Builder adapter(String v) { return set("adapter", v); }

        public Builder data(String v) { return set("data", v); }

        public Builder judge(String v) { return set("judge", v); }

        public Builder out(String v) { return set("out", v); }

        public Builder groupSize(int v) { return set("group-size", v); }

        public Builder batchSize(int v) { return set("batch-size", v); }

        public Builder maxSteps(int v) { return set("max-steps", v); }

        public Builder maxNewTokens(int v) { return set("max-new-tokens", v); }

        public Builder seed(long v) { return set("seed", v); }

        public Builder lr(double v) { return set("lr", v); }

        public Builder beta(double v) { return set("beta", v); }

        public Builder reward(String v) { return set("reward", v); }

        public CrpoConfig build() { return resolve(null, m); }
    }
}
