package ai.pulsemind.evaluate.publicbench;

import ai.pulsemind.evaluate.models.Replier;
import ai.pulsemind.evaluate.ModelSpec;
import ai.pulsemind.evaluate.stats.Bootstrap;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * The resolved settings of one {@code eval public} run, saved as its {@code config.json}.
 *
 * @param model        the model under test; null when scoring recorded replies
 * @param predictions  the recorded replies to score (JSONL); null when a model runs
 * @param tasks        the benchmarks, in order
 * @param data         the dataset folder (or folder of dataset folders) holding the questions
 * @param out          the run folder
 * @param limit        at most this many questions per task (0: all)
 * @param shots        few-shot examples per prompt (0: zero-shot)
 * @param maxNewTokens at most this many tokens per reply
 * @param batch        questions per generation batch
 * @param match        how multiple-choice answers are extracted
 * @param seed         the bootstrap's seed
 * @param resamples    bootstrap resamples
 * @param device       the local model's backend ({@code --device})
 * @param threads      CPU threads for the local model (0: all cores)
 */
public record PublicBenchConfig(ModelSpec model, Path predictions, List<Task> tasks, Path data, Path out, int limit,
                                int shots, int maxNewTokens, int batch, Match match, long seed, int resamples,
                                String device, int threads) {
    /** Bumped whenever a prompt format changes, so a resumed run never mixes two formats. */
    public static final int PROMPT_VERSION = 1;
    public static final int MAX_SHOTS = 25;

    public PublicBenchConfig {
        if ((model == null) == (predictions == null))
            throw new IllegalArgumentException("give exactly one of --model (run a model) and --predictions (score recorded replies)");
        if (tasks == null || tasks.isEmpty()) throw new IllegalArgumentException("--task: at least one task; one of " + Task.names());
        tasks = List.copyOf(tasks);
        Objects.requireNonNull(data, "--data");
        Objects.requireNonNull(out, "--out");
        if (limit < 0) throw new IllegalArgumentException("--limit must be >= 0 (0: all questions), got " + limit);
        if (shots < 0 || shots > MAX_SHOTS) throw new IllegalArgumentException("--shots must be in 0.." + MAX_SHOTS + ", got " + shots);
        if (maxNewTokens < 1) throw new IllegalArgumentException("--max-new-tokens must be >= 1, got " + maxNewTokens);
        if (batch < 1) throw new IllegalArgumentException("--batch must be >= 1, got " + batch);
        if (resamples < 1) throw new IllegalArgumentException("--resamples must be >= 1, got " + resamples);
        if (threads < 0) throw new IllegalArgumentException("--threads must be >= 0 (0: all cores), got " + threads);
        Objects.requireNonNull(match, "--match");
        if (device == null) device = "auto";
    }

    public boolean scoringOnly() { return predictions != null; }

    public Replier.Decoding decoding() { return Replier.Decoding.greedy(maxNewTokens); }

    /** config.json: every setting, each task's prompt format and the harness it follows. */
    public Map<String, Object> toJson() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("benchmark", "public");
        m.put("mode", scoringOnly() ? "score" : "generate");
        if (model != null) { m.put("model", model.canonical()); m.put("model_name", model.name()); }
        if (predictions != null) m.put("predictions", predictions.toAbsolutePath().normalize().toString());
        List<Map<String, String>> ts = new ArrayList<>();
        for (Task t : tasks) ts.add(Map.of("task", t.display(), "prompt_format", t.style().name().toLowerCase(java.util.Locale.ROOT), "harness", t.style().harness()));
        m.put("tasks", ts);
        m.put("data", data.toAbsolutePath().normalize().toString());
        m.put("out", out.toAbsolutePath().normalize().toString());
        m.put("limit", limit);
        m.put("shots", shots);
        m.put("few_shot_format", "lm-evaluation-harness --apply_chat_template --fewshot_as_multiturn");
        m.put("max_new_tokens", maxNewTokens);
        m.put("decoding", "greedy");
        m.put("batch", batch);
        m.put("match", match.flag());
        m.put("seed", seed);
        m.put("resamples", resamples);
        m.put("level", Bootstrap.DEFAULT_LEVEL);
        m.put("device", device);
        m.put("threads", threads);
        m.put("prompt_version", PROMPT_VERSION);
        return m;
    }

    /** The settings a resumed run must share with the one it continues: flag → value. */
    Map<String, Object> resumeKey() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("--model", model == null ? null : model.canonical());
        m.put("--shots", shots);
        m.put("--max-new-tokens", maxNewTokens);
        m.put("prompt format version", PROMPT_VERSION);
        return m;
    }
}
