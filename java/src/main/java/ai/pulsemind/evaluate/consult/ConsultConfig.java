package ai.pulsemind.evaluate.consult;

import ai.pulsemind.evaluate.models.Replier;
import ai.pulsemind.evaluate.stats.Bootstrap;
import ai.pulsemind.judge.JudgeOptions;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;

/**
 * The settings of one {@code eval consult} run, saved as its {@code config.json}. Build one with {@link #builder}:
 * <pre>{@code
 * ConsultConfig cfg = ConsultConfig.builder(Path.of("data/meddiagnose"), Path.of("runs/consult"))
 *         .model("local:models/qwen3b,name=base").model("local:models/qwen3b,adapter=runs/crpo/adapter,name=crpo")
 *         .baseline("counterparts").judge("rubric").build();
 * ConsultSummary s = ConsultBench.run(cfg);
 * }</pre>
 *
 * @param models       models under test: {@link ParticipantSpecs} SPECs (model SPECs, or transcripts)
 * @param repliers     models under test an embedding caller opened itself (not closed by the benchmark)
 * @param baselines    what every model is compared with (SPECs); empty: {@code counterparts}
 * @param data         the dataset folder (MediScope JSONL shards)
 * @param out          the run folder
 * @param judge        the judge SPEC ({@code rubric}, {@code openai:…}, {@code local:DIR}, {@code jury:…})
 * @param judgeOptions endpoint and engine settings of the judge
 * @param mode         replay (the paper's) or simulated patient
 * @param maxCases     at most this many cases, the first ones (0: all)
 * @param seed         the bootstrap's seed (and the sampling seed, when sampling)
 * @param singleOrder  ask the judge a-first only (the paper's released judge) instead of both orders
 * @param absolute     also score every consultation 1–5 per dimension
 * @param expertLabels expert verdicts to measure the judge against (JSONL: pair, dimension, verdict), or null
 * @param perTurn      also judge each doctor turn where both sides follow the record's turns (replay)
 * @param maxNewTokens most tokens per doctor (or patient) reply
 * @param turnBudget   simulated mode: most doctor turns per consultation
 * @param patient      simulated mode: {@code scripted}, or a model SPEC for an LLM patient
 * @param batch        prompts per generation batch
 * @param resamples    bootstrap resamples
 * @param device       a local model's backend
 * @param threads      a local model's CPU threads (0: all cores)
 */
public record ConsultConfig(List<String> models, List<Replier> repliers, List<String> baselines, Path data, Path out, String judge,
                            JudgeOptions judgeOptions, Mode mode, int maxCases, long seed, boolean singleOrder, boolean absolute,
                            Path expertLabels, boolean perTurn, int maxNewTokens, int turnBudget, String patient, int batch,
                            int resamples, String device, int threads) {
    /** Bumped when the doctor's prompt changes, so a resumed run never mixes two prompts. */
    public static final int PROMPT_VERSION = 1;

    public enum Mode {
        REPLAY, SIMULATED;

        public String flag() { return name().toLowerCase(Locale.ROOT); }

        public static Mode parse(String s) {
            for (Mode m : values()) if (m.flag().equals(s == null ? "" : s.strip().toLowerCase(Locale.ROOT))) return m;
            throw new IllegalArgumentException("--mode: '" + s + "' is not replay or simulated");
        }
    }

    public ConsultConfig {
        models = List.copyOf(models);
        repliers = List.copyOf(repliers);
        baselines = List.copyOf(baselines.isEmpty() ? List.of(ParticipantSpecs.COUNTERPARTS) : baselines);
        if (models.isEmpty() && repliers.isEmpty()) throw new IllegalArgumentException("--model: at least one model under test");
        Objects.requireNonNull(data, "--data");
        Objects.requireNonNull(out, "--out");
        if (judge == null || judge.isBlank()) throw new IllegalArgumentException("--judge: a judge SPEC is required (e.g. rubric)");
        judgeOptions = judgeOptions == null ? JudgeOptions.defaults() : judgeOptions;
        mode = mode == null ? Mode.REPLAY : mode;
        if (maxCases < 0) throw new IllegalArgumentException("--max-cases must be >= 0 (0: all), got " + maxCases);
        if (maxNewTokens < 1) throw new IllegalArgumentException("--max-new-tokens must be >= 1, got " + maxNewTokens);
        if (turnBudget < 1) throw new IllegalArgumentException("--turn-budget must be >= 1, got " + turnBudget);
        if (batch < 1) throw new IllegalArgumentException("--batch must be >= 1, got " + batch);
        if (resamples < 1) throw new IllegalArgumentException("--resamples must be >= 1, got " + resamples);
        if (threads < 0) throw new IllegalArgumentException("--threads must be >= 0 (0: all cores), got " + threads);
        patient = patient == null || patient.isBlank() ? "scripted" : patient.strip();
        device = device == null ? "auto" : device;
    }

    public static Builder builder(Path data, Path out) { return new Builder(data, out); }

    /** config.json: every setting (the judge's API key never appears, only its variable's name). */
    public Map<String, Object> toJson() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("benchmark", "consult");
        m.put("mode", mode.flag());
        List<String> ms = new ArrayList<>(models);
        for (Replier r : repliers) ms.add("replier:" + r.name());
        m.put("models", ms);
        m.put("baselines", baselines);
        m.put("data", data.toAbsolutePath().normalize().toString());
        m.put("out", out.toAbsolutePath().normalize().toString());
        m.put("judge", judge);
        if (judgeOptions.model() != null) m.put("judge_model", judgeOptions.model());
        m.put("judge_orders", singleOrder ? "single (a first)" : "both");
        m.put("absolute", absolute);
        if (expertLabels != null) m.put("expert_labels", expertLabels.toAbsolutePath().normalize().toString());
        m.put("per_turn", perTurn);
        m.put("max_cases", maxCases);
        m.put("seed", seed);
        m.put("resamples", resamples);
        m.put("level", Bootstrap.DEFAULT_LEVEL);
        m.put("max_new_tokens", maxNewTokens);
        m.put("decoding", "greedy");
        if (mode == Mode.SIMULATED) { m.put("turn_budget", turnBudget); m.put("patient", patient); }
        m.put("batch", batch);
        m.put("device", device);
        m.put("threads", threads);
        m.put("prompt_version", PROMPT_VERSION);
        return m;
    }

    public static final class Builder {
        private final Path data, out;
        private final List<String> models = new ArrayList<>(), baselines = new ArrayList<>();
        private final List<Replier> repliers = new ArrayList<>();
        private String judge = "rubric", patient = "scripted", device = "auto";
        private JudgeOptions judgeOptions = JudgeOptions.defaults();
        private Mode mode = Mode.REPLAY;
        private int maxCases, maxNewTokens = 256, turnBudget = 6, batch = 8, resamples = Bootstrap.DEFAULT_RESAMPLES, threads;
        private long seed;
        private boolean singleOrder, absolute, perTurn = true;
        private Path expertLabels;

        private Builder(Path data, Path out) { this.data = data; this.out = out; }

        /** A model under test by SPEC; call once per model. */
        public Builder model(String spec) { models.add(spec); return this; }

        public Builder models(List<String> specs) { models.addAll(specs); return this; }

        /** A model under test the caller opened (kept open after the run). */
        public Builder model(Replier r) { repliers.add(r); return this; }

        public Builder baseline(String spec) { baselines.add(spec); return this; }

        public Builder baselines(List<String> specs) { baselines.addAll(specs); return this; }

        public Builder judge(String spec) { judge = spec; return this; }

        public Builder judgeOptions(JudgeOptions o) { judgeOptions = o; return this; }

        public Builder mode(Mode m) { mode = m; return this; }

        public Builder maxCases(int n) { maxCases = n; return this; }

        public Builder seed(long s) { seed = s; return this; }

        public Builder singleOrder(boolean b) { singleOrder = b; return this; }

        public Builder absolute(boolean b) { absolute = b; return this; }

        public Builder expertLabels(Path p) { expertLabels = p; return this; }

        public Builder perTurn(boolean b) { perTurn = b; return this; }

        public Builder maxNewTokens(int n) { maxNewTokens = n; return this; }

        public Builder turnBudget(int n) { turnBudget = n; return this; }

        public Builder patient(String spec) { patient = spec; return this; }

        public Builder batch(int n) { batch = n; return this; }

        public Builder resamples(int n) { resamples = n; return this; }

        public Builder device(String d) { device = d; return this; }

        public Builder threads(int n) { threads = n; return this; }

        public ConsultConfig build() {
            return new ConsultConfig(models, repliers, baselines, data, out, judge, judgeOptions, mode, maxCases, seed, singleOrder,
                    absolute, expertLabels, perTurn, maxNewTokens, turnBudget, patient, batch, resamples, device, threads);
        }
    }
}
