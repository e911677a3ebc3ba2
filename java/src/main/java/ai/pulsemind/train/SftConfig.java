package ai.pulsemind.train;

import ai.pulsemind.config.RunSettings;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Everything {@code train sft} is run with. Keys in config files and {@code RUN/config.json} are the flag names
 * without dashes in front ({@code lora-r}, {@code grad-accum}; {@code lora_r} is read too). The defaults, one place:
 * LoRA r = 16, α = 32, dropout 0.1 (the paper's), on q, k, v, o, gate, up, down of the text decoder; AdamW
 * lr 2e-4, β (0.9, 0.999), ε 1e-8, no weight decay, clipping at 1.0; cosine schedule (the paper's) without warm-up;
 * batches of 8 samples, one epoch; loss on doctor turns; records over 2048 tokens truncated.
 */
@JsonPropertyOrder(alphabetic = false)
public record SftConfig(
        String model, String data, String out, String evalData,
        int loraR, float loraAlpha, float loraDropout, List<String> loraTargets, boolean rslora, boolean loraVision,
        boolean trainVision,
        double lr, float weightDecay, float adamBeta1, float adamBeta2, float adamEps, double maxGradNorm,
        int batchSize, int gradAccum, int maxSteps, int epochs, String warmup, String schedule,
        int maxLength, String tooLong, String lossOn, String trainSplit, String evalSplit, boolean unigramBaseline,
        long seed, boolean deterministic, int evalEvery, int saveEvery, int logEvery, int keepCheckpoints,
        boolean resume, boolean gradientCheckpointing, String device, int threads, String systemPrompt) {

    public static final SftConfig DEFAULTS = new SftConfig(null, null, null, null,
            16, 32f, 0.1f, LoraConfig.ALL_TEXT, false, false, false,
            2e-4, 0f, 0.9f, 0.999f, 1e-8f, 1.0,
            8, 1, 0, 1, "0", "cosine",
            2048, "truncate", "doctor", "train", "val", true,
            42, false, 0, 0, 1, 0,
            false, false, "cpu", 0, null);

    private static final RunSettings.Shape SHAPE = new RunSettings.Shape(Set.of("lora-targets"), Set.of(), Set.of("warmup"));

    public SftConfig {
        loraTargets = loraTargets == null ? LoraConfig.ALL_TEXT : List.copyOf(loraTargets);
        if (batchSize < 1) throw new IllegalArgumentException("--batch-size must be >= 1, got " + batchSize);
        if (gradAccum < 1) throw new IllegalArgumentException("--grad-accum must be >= 1, got " + gradAccum);
        if (maxSteps < 0) throw new IllegalArgumentException("--max-steps must be >= 0 (0: from --epochs), got " + maxSteps);
        if (epochs < 1) throw new IllegalArgumentException("--epochs must be >= 1, got " + epochs);
        if (maxLength < 8) throw new IllegalArgumentException("--max-length must be >= 8, got " + maxLength);
        if (!(lr >= 0)) throw new IllegalArgumentException("--lr must be >= 0, got " + lr);
        if (!List.of("truncate", "skip").contains(tooLong)) throw new IllegalArgumentException("--too-long must be truncate or skip, got '" + tooLong + "'");
        if (threads < 0) throw new IllegalArgumentException("--threads must be >= 0, got " + threads);
        LossScope.parse(lossOn);
        Schedule.kind(schedule);
        Schedule.warmupSteps(warmup, 1000);
        new LoraConfig(loraR, loraAlpha, loraDropout, rslora, loraTargets, loraVision); // checked with their flag names
        new ParamStore.AdamW(adamBeta1, adamBeta2, adamEps, weightDecay);
    }

    public LoraConfig lora() { return new LoraConfig(loraR, loraAlpha, loraDropout, rslora, loraTargets, loraVision); }

    public LossScope lossScope() { return LossScope.parse(lossOn); }

    public boolean fullFineTuning() { return loraR == 0; }

    /** Fails naming the flag when a required path is missing. */
    public SftConfig requirePaths() {
        if (model == null) throw new IllegalArgumentException("--model is required (a Hugging Face model directory)");
        if (data == null) throw new IllegalArgumentException("--data is required (a MediScope dataset folder or shard)");
        if (out == null) throw new IllegalArgumentException("--out is required (the run directory)");
        return this;
    }

    /** The config as JSON with its flag names as keys. */
    public ObjectNode toJson() { return RunSettings.JSON.valueToTree(this); }

    public String toPrettyJson() { return RunSettings.pretty(this); }

    /**
     * Defaults, overlaid with a config file (YAML or JSON, may be null), overlaid with the flags given on the
     * command line (their names without dashes → values).
     */
    public static SftConfig resolve(Path file, Map<String, Object> flags) {
        return RunSettings.resolve(DEFAULTS, SftConfig.class, SHAPE, file, flags);
    }
}
