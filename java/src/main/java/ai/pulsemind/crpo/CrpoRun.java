package ai.pulsemind.crpo;

import ai.pulsemind.autograd.Ops;
import ai.pulsemind.backend.Backend;
import ai.pulsemind.backend.Backends;
import ai.pulsemind.data.DataError;
import ai.pulsemind.data.MediRecord;
import ai.pulsemind.data.Progress;
import ai.pulsemind.data.batch.RecordIndex;
import ai.pulsemind.judge.JudgeOptions;
import ai.pulsemind.judge.JudgeSpecs;
import ai.pulsemind.judge.Judging;
import ai.pulsemind.judge.SqliteVerdictCache;
import ai.pulsemind.judge.VerdictCache;
import ai.pulsemind.model.generate.Engine;
import ai.pulsemind.model.io.Qwen25VlCheckpoint;
import ai.pulsemind.model.qwen25vl.Qwen25VL;
import ai.pulsemind.model.qwen25vl.QwenSampleEncoder;
import ai.pulsemind.tensor.AllocationScope;
import ai.pulsemind.tensor.Tensor;
import ai.pulsemind.train.Checkpoints;
import ai.pulsemind.train.Lora;
import ai.pulsemind.train.ParamStore;
import ai.pulsemind.train.PeftAdapter;
import ai.pulsemind.train.Schedule;
import ai.pulsemind.train.Trainer;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * {@code train crpo} as a library call, for the CLI, the demo and services:
 * <pre>{@code
 * CrpoRun.Summary s = CrpoRun.run(CrpoConfig.builder().model(m).adapter(sftAdapter).data(d).judge("rubric").out(run).build(),
 *                                 System.err, null, Progress.NONE);
 * }</pre>
 * Opens the model (base mapped read-only), attaches the LoRA adapter to train (the SFT one given, else a fresh one
 * whose B = 0 starts the policy at the base), starts a generation engine over the same weights, opens the judge,
 * and runs the {@link Trainer} with a {@link CrpoStep}. Writes {@code RUN/config.json}, {@code RUN/metrics.jsonl}
 * (TRL's GRPO metric names), {@code RUN/completions/step-N.jsonl}, {@code RUN/checkpoints/step-N/} (the adapter in
 * PEFT layout, AdamW state, the rollout state), {@code RUN/summary.json} and {@code RUN/report.html} ({@link RunReport}).
 */
public final class CrpoRun {
    private CrpoRun() {}

    /** The end of a run. */
    public record Summary(Path runDir, Trainer.Result result, int prefixes, long judged, long judgeFailures, long skippedBatches,
                          long failedSamples, long trainableParams, Double firstReward, Double lastReward) {}

    public static Summary run(CrpoConfig cfg, PrintStream log) throws IOException { return run(cfg, log, null, Progress.NONE); }

    public static Summary run(CrpoConfig cfg, PrintStream log, Trainer.Hooks hooks, Progress progress) throws IOException {
        cfg.requirePaths();
        Path out = Path.of(cfg.out()), modelDir = Path.of(cfg.model());
        Path ckptRoot = out.resolve("checkpoints");
        Path resumeFrom = null;
        if (cfg.resume()) {
            resumeFrom = Checkpoints.latest(ckptRoot);
            if (resumeFrom == null) throw new IllegalArgumentException("--resume: no complete checkpoint under " + ckptRoot + " (no 'latest')");
        } else if (Checkpoints.latest(ckptRoot) != null) {
            throw new IllegalArgumentException("--out " + out + " already holds a run with checkpoints; pass --resume to continue it or choose a new --out");
        }
        List<MediRecord> records = readRecords(Path.of(cfg.data()), cfg.trainSplit(), log);
        RecordIndex index = RecordIndex.of(Path.of(cfg.data()));
        boolean compare = cfg.rewardSettings().kind() == Rewards.Kind.CRPO && !cfg.intraGroup();
        Prefixes prefixes = Prefixes.of(records, compare, cfg.firstTurnOnly(), cfg.seed());
        if (prefixes.size() == 0)
            throw new IllegalArgumentException("--data " + cfg.data() + ": no doctor turn in split '" + cfg.trainSplit() + "'"
                    + (compare ? " with a counterpart reply at the same point (records need counterparts; or use --intra-group)" : ""));
        Files.createDirectories(out);
        Checkpoints.writeAtomically(out.resolve("config.json"), cfg.toPrettyJson().getBytes(StandardCharsets.UTF_8));
        JudgeOptions jo = JudgeOptions.defaults();
        if (cfg.judgeModel() != null) jo = jo.withModel(cfg.judgeModel());
        VerdictCache cache = cfg.judgeCache() != null ? SqliteVerdictCache.open(Path.of(cfg.judgeCache())) : VerdictCache.NONE;
        try (Backend be = Backends.open(cfg.device(), cfg.threads());
             Qwen25VlCheckpoint ckpt = Qwen25VlCheckpoint.open(modelDir);
             Judging judging = JudgeSpecs.open(cfg.judge(), jo, cfg.bothOrders() ? Judging.Config.BOTH_ORDERS : Judging.Config.SINGLE_ORDER, cache);
             var scope = AllocationScope.open()) {
            Qwen25VL model = Qwen25VL.load(be, ckpt);
            Lora lora = cfg.adapter() != null ? PeftAdapter.attach(Path.of(cfg.adapter()), be, model) : Lora.attach(be, model, cfg.lora(), cfg.seed());
            QwenSampleEncoder enc = QwenSampleEncoder.load(modelDir);
            int maxLen = Math.min(model.text().config().maxPositionEmbeddings(), cfg.maxPromptLength() + cfg.maxNewTokens());
            Set<Integer> stops = new LinkedHashSet<>(ckpt.config().eosTokenIds());
            int imEnd = enc.tokenizer().tokenToId("<|im_end|>");
            if (imEnd >= 0) stops.add(imEnd);
            int[] stopIds = stops.stream().mapToInt(Integer::intValue).toArray();
            try (ParamStore store = ParamStore.of(be, lora.tensors(), ParamStore::defaultDecay);
                 Engine engine = new Engine(model, be, Engine.Config.of(cfg.batchSize() * cfg.groupSize(), maxLen), enc.tokenizer())) {
                CrpoStep step = new CrpoStep(cfg, model, enc, engine, judging, prefixes, index.root(), out, stopIds, log);
                Schedule schedule = new Schedule(Schedule.kind(cfg.schedule()), cfg.lr(), Schedule.warmupSteps(cfg.warmup(), cfg.maxSteps()), cfg.maxSteps());
                Trainer.Options opt = new Trainer.Options(schedule, new ParamStore.AdamW(cfg.adamBeta1(), cfg.adamBeta2(), cfg.adamEps(), cfg.weightDecay()),
                        cfg.maxGradNorm(), cfg.maxSteps(), cfg.logEvery(), 0, cfg.saveEvery(), cfg.keepCheckpoints(), cfg.seed(), false,
                        compat(cfg, modelDir, index, store));
                Trainer trainer = new Trainer(opt, store, step, new Ops(be), Trainer.WeightsIO.peft(lora, store, be, Path.of(cfg.model())), out, hooks, log);
                if (resumeFrom != null) trainer.resume(resumeFrom);
                else Files.deleteIfExists(out.resolve("metrics.jsonl"));
                if (log != null) log.printf(java.util.Locale.ROOT, "train crpo: %d prefixes from %d records, %d steps of B=%d x G=%d, judge %s, %,d trainable parameters on %s%n",
                        prefixes.size(), records.size(), cfg.maxSteps(), cfg.batchSize(), cfg.groupSize(), judging.name(), store.count(), be.name());
                Trainer.Result r = trainer.run(progress);
                List<JsonNode> logged = RunReport.rewardRows(out.resolve("metrics.jsonl"));
                Double first = logged.isEmpty() ? null : logged.getFirst().get("reward").asDouble();
                Double last = logged.isEmpty() ? null : logged.getLast().get("reward").asDouble();
                Summary s = new Summary(out, r, prefixes.size(), step.judged(), step.judgeFailures(), step.skippedBatches(), step.failedSamples(),
                        store.count(), first, last);
                writeSummary(s);
                RunReport.write(out, logged);
                return s;
            }
        }
    }

    /** The records of the training split (records without a split count); a bad record is counted and skipped. */
    static List<MediRecord> readRecords(Path data, String split, PrintStream log) throws IOException {
        RecordIndex idx = RecordIndex.of(data);
        List<MediRecord> out = new ArrayList<>();
        FileChannel[] chs = idx.channels();
        int bad = 0;
        try {
            for (int i = 0; i < idx.size(); i++) {
                try {
                    MediRecord r = idx.read(i, chs);
                    if (r.split() == null || r.split().equals(split)) out.add(r);
                } catch (DataError e) {
                    bad++;
                    if (log != null) log.println("skipped: " + e.getMessage());
                }
            }
        } finally {
            RecordIndex.close(chs);
        }
        if (bad > 0 && log != null) log.println(bad + " records could not be read and were skipped");
        return out;
    }

    /** What a resumed run must share with the one that wrote the checkpoint. */
    static ObjectNode compat(CrpoConfig cfg, Path modelDir, RecordIndex data, ParamStore store) throws IOException {
        ObjectNode c = CrpoStep.JSON.createObjectNode();
        c.put("model-config", Integer.toHexString(Files.readString(modelDir.resolve("config.json")).hashCode()));
        c.put("data", data.fingerprint());
        c.put("adapter", cfg.adapter() == null ? "" : cfg.adapter());
        c.put("trainable-parameters", store.count());
        c.put("group-size", cfg.groupSize());
        c.put("batch-size", cfg.batchSize());
        c.put("mu", cfg.mu());
        c.put("seed", cfg.seed());
        c.put("reward", cfg.reward());
        c.put("judge", cfg.judge());
        return c;
    }

    private static void writeSummary(Summary s) throws IOException {
        ObjectNode o = CrpoStep.JSON.createObjectNode();
        o.put("steps", s.result().steps());
        o.put("loss", s.result().lastLoss());
        o.put("num_tokens", s.result().numTokens());
        o.put("train_runtime", s.result().seconds());
        o.put("prefixes", s.prefixes());
        o.put("judged", s.judged());
        o.put("judge_failures", s.judgeFailures());
        o.put("skipped_batches", s.skippedBatches());
        o.put("failed_samples", s.failedSamples());
        o.put("trainable_parameters", s.trainableParams());
        if (s.firstReward() != null) o.put("first_reward", s.firstReward());
        if (s.lastReward() != null) o.put("last_reward", s.lastReward());
        if (s.result().lastCheckpoint() != null) o.put("last_checkpoint", s.result().lastCheckpoint().toString());
        Checkpoints.writeAtomically(s.runDir().resolve("summary.json"), CrpoStep.JSON.writerWithDefaultPrettyPrinter().writeValueAsBytes(o));
    }
}
