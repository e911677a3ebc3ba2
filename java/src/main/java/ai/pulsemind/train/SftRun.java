package ai.pulsemind.train;

import ai.pulsemind.autograd.Ops;
import ai.pulsemind.backend.Backend;
import ai.pulsemind.backend.Backends;
import ai.pulsemind.data.Progress;
import ai.pulsemind.data.batch.LoaderConfig;
import ai.pulsemind.data.batch.RecordIndex;
import ai.pulsemind.model.io.Qwen25VlCheckpoint;
import ai.pulsemind.model.io.Qwen25VlConfig;
import ai.pulsemind.model.qwen25vl.Qwen25VL;
import ai.pulsemind.model.qwen25vl.QwenSampleEncoder;
import ai.pulsemind.tensor.AllocationScope;
import ai.pulsemind.tensor.DType;
import ai.pulsemind.tensor.Tensor;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * {@code train sft} as a library call: opens the model (LoRA: the base mapped read-only and adapters attached; full
 * fine-tuning: the weights copied so they can change), the train and evaluation splits, and runs the {@link Trainer}
 * with an {@link SftStep}. Writes {@code RUN/config.json} (resolved), {@code RUN/metrics.jsonl},
 * {@code RUN/checkpoints/step-N/} and, at the end, {@code RUN/summary.json}.
 */
public final class SftRun {
    private SftRun() {}

    /** The end of a run, with what the data loader skipped and truncated. */
    public record Summary(Trainer.Result result, long trainRecords, long evalRecords, long failedRecords, long truncated,
                          long skippedTooLong, Double unigramLoss, Double initialEvalLoss, long trainableParams) {}

    public static Summary run(SftConfig cfg, PrintStream log) throws IOException { return run(cfg, log, null); }

    public static Summary run(SftConfig cfg, PrintStream log, Trainer.Hooks hooks) throws IOException {
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
        Files.createDirectories(out);
        Checkpoints.writeAtomically(out.resolve("config.json"), cfg.toPrettyJson().getBytes(StandardCharsets.UTF_8));
        try (Backend be = Backends.open(cfg.device(), cfg.threads());
             Qwen25VlCheckpoint ckpt = Qwen25VlCheckpoint.open(modelDir);
             var scope = AllocationScope.open()) {
            Qwen25VlConfig mc = ckpt.config();
            Qwen25VL model = cfg.fullFineTuning()
                    ? new Qwen25VL(be, mc, name -> ckpt.has(name) ? ownedF32(ckpt.tensor(name)) : null)
                    : Qwen25VL.load(be, ckpt);
            Lora lora = cfg.fullFineTuning() ? null : Lora.attach(be, model, cfg.lora(), cfg.seed());
            Map<String, Tensor> trainable = lora != null ? lora.tensors() : fullTrainable(model, cfg.trainVision());
            try (ParamStore store = ParamStore.of(be, trainable, ParamStore::defaultDecay)) {
                return train(cfg, log, hooks, be, mc, model, lora, store, resumeFrom);
            }
        }
    }

    private static Summary train(SftConfig cfg, PrintStream log, Trainer.Hooks hooks, Backend be, Qwen25VlConfig mc, Qwen25VL model,
                                 Lora lora, ParamStore store, Path resumeFrom) throws IOException {
        Path out = Path.of(cfg.out()), modelDir = Path.of(cfg.model());
        QwenSampleEncoder qe = QwenSampleEncoder.load(modelDir, cfg.systemPrompt());
        BoundedEncoder enc = new BoundedEncoder(qe, cfg.maxLength(), cfg.tooLong().equals("truncate"), mc.visionStartTokenId(), mc.visionEndTokenId());
        RecordIndex all = RecordIndex.of(Path.of(cfg.data()));
        RecordIndex train = all.where(r -> r.split() == null || r.split().equals(cfg.trainSplit()), cfg.trainSplit());
        RecordIndex eval = cfg.evalData() != null ? RecordIndex.of(Path.of(cfg.evalData()))
                : all.where(r -> cfg.evalSplit().equals(r.split()), cfg.evalSplit());
        if (train.size() == 0) throw new IllegalArgumentException("--data " + cfg.data() + ": no records in split '" + cfg.trainSplit() + "'");
        int window = Math.max(32, cfg.batchSize());
        int threads = Math.max(1, Math.min(4, Runtime.getRuntime().availableProcessors()));
        LoaderConfig trainCfg = new LoaderConfig(cfg.seed(), true, LoaderConfig.Layout.PACKED, cfg.batchSize() * cfg.maxLength(),
                cfg.batchSize(), window, threads, 0, 0);
        LoaderConfig evalCfg = new LoaderConfig(cfg.seed(), false, LoaderConfig.Layout.PACKED, cfg.batchSize() * cfg.maxLength(),
                cfg.batchSize(), window, threads, 0, 0);
        int perEpoch = (train.size() + cfg.batchSize() - 1) / cfg.batchSize();
        int steps = cfg.maxSteps() > 0 ? cfg.maxSteps() : Math.max(1, (perEpoch * cfg.epochs() + cfg.gradAccum() - 1) / cfg.gradAccum());
        int epochs = cfg.maxSteps() > 0 ? (int) Math.min(100_000, (long) steps * cfg.gradAccum() / Math.max(1, perEpoch) + 2) : cfg.epochs();
        CausalLm objective = CausalLm.of(cfg.lossScope(), mc.imageTokenId(), mc.visionStartTokenId(), mc.visionEndTokenId());
        Ops ops = new Ops(be);
        Schedule schedule = new Schedule(Schedule.kind(cfg.schedule()), cfg.lr(), Schedule.warmupSteps(cfg.warmup(), steps), steps);
        Trainer.Options opt = new Trainer.Options(schedule, new ParamStore.AdamW(cfg.adamBeta1(), cfg.adamBeta2(), cfg.adamEps(), cfg.weightDecay()),
                cfg.maxGradNorm(), steps, cfg.logEvery(), cfg.evalEvery(), cfg.saveEvery(), cfg.keepCheckpoints(), cfg.seed(),
                cfg.gradientCheckpointing(), compat(cfg, be, modelDir, train, store));
        SftStep step = new SftStep(model, objective, train, eval.size() == 0 ? null : eval, enc, trainCfg, evalCfg, cfg.gradAccum(), epochs);
        Trainer.WeightsIO io = lora != null ? Trainer.WeightsIO.peft(lora, store, be, Path.of(cfg.model())) : fullIO(model, store, be, modelDir);
        Trainer trainer = new Trainer(opt, store, step, ops, io, out, hooks, log);
        Double unigram = null, initial = null;
        try {
            if (resumeFrom != null) trainer.resume(resumeFrom);
            else {
                Files.deleteIfExists(out.resolve("metrics.jsonl"));
                if (eval.size() > 0) {
                    if (cfg.unigramBaseline()) unigram = Unigram.loss(objective, train, eval, enc, evalCfg, mc.text().vocabSize());
                    initial = (Double) trainer.evaluate().get("eval_loss");
                    if (unigram != null) new MetricsLog(out.resolve("metrics.jsonl")).write(Map.of("step", 0, "eval_unigram_loss", unigram));
                } else if (log != null) log.println("no records in split '" + cfg.evalSplit() + "': evaluation is skipped");
            }
            if (log != null) log.printf(java.util.Locale.ROOT, "train sft: %d train / %d eval records, %d steps, %,d trainable parameters (%s) on %s%n",
                    train.size(), eval.size(), steps, store.count(), lora != null ? "LoRA r=" + cfg.loraR() : "full", be.name());
            boolean terminal = System.console() != null && System.console().isTerminal();
            Trainer.Result r = trainer.run(terminal ? Progress.stderr("train", steps - trainer.step()) : Progress.NONE);
            var st = step.stats();
            Summary s = new Summary(r, train.size(), eval.size(), st.failed(), enc.truncated(), enc.skipped() + st.tooLong(), unigram, initial, store.count());
            writeSummary(out, s);
            return s;
        } finally {
            step.close();
        }
    }

    static Tensor ownedF32(Tensor t) {
        return AllocationScope.outside(() -> {
            Tensor h = Tensor.hostEmpty(DType.F32, t.shape());
            if (t.dtype() == DType.F32) java.lang.foreign.MemorySegment.copy(t.segment(), 0, h.segment(), 0, t.byteSize());
            else for (long i = 0; i < t.numel(); i++) h.setFloat(i, t.getFloat(i));
            return h;
        });
    }

    static Map<String, Tensor> fullTrainable(Qwen25VL model, boolean vision) {
        Map<String, Tensor> m = new LinkedHashMap<>();
        model.params().all().forEach((k, v) -> { if (vision || !k.startsWith("visual.")) m.put(k, v); });
        return m;
    }

    private static Trainer.WeightsIO fullIO(Qwen25VL model, ParamStore store, Backend be, Path baseDir) {
        return new Trainer.WeightsIO() {
            @Override public void save(Path dir) throws IOException {
                Map<String, Tensor> masters = new LinkedHashMap<>();
                store.entries().forEach(e -> masters.put(e.name(), e.master()));
                FullWeights.write(dir, model, masters, be, baseDir);
            }

            @Override public void load(Path dir) {
                Map<String, Tensor> v = FullWeights.read(dir, store.byName().keySet());
                v.forEach((k, t) -> store.set(k, t.reshape(store.get(k).master().shape().toArray())));
                v.values().forEach(Tensor::close);
            }
        };
    }

    /** What a resumed run must share with the one that wrote the checkpoint. */
    static ObjectNode compat(SftConfig cfg, Backend be, Path modelDir, RecordIndex train, ParamStore store) throws IOException {
        ObjectNode c = MetricsLog.JSON.createObjectNode();
        c.put("model-config", Integer.toHexString(Files.readString(modelDir.resolve("config.json")).hashCode()));
        c.put("data", train.fingerprint());
        c.put("lora-r", cfg.loraR());
        c.put("lora-alpha", cfg.loraAlpha());
        c.put("lora-targets", String.join(",", cfg.lora().targets()));
        c.put("lora-vision", cfg.loraVision());
        c.put("train-vision", cfg.trainVision());
        c.put("rslora", cfg.rslora());
        c.put("trainable-parameters", store.count());
        c.put("batch-size", cfg.batchSize());
        c.put("grad-accum", cfg.gradAccum());
        c.put("seed", cfg.seed());
        c.put("max-length", cfg.maxLength());
        c.put("loss-on", cfg.lossOn());
        if (cfg.deterministic()) {
            c.put("backend", be.name());
            c.put("threads", cfg.threads() > 0 ? cfg.threads() : Backends.defaultThreads());
        }
        return c;
    }

    private static void writeSummary(Path out, Summary s) throws IOException {
        ObjectNode o = MetricsLog.JSON.createObjectNode();
        o.put("steps", s.result().steps());
        o.put("loss", s.result().lastLoss());
        if (s.result().lastEvalLoss() != null) o.put("eval_loss", s.result().lastEvalLoss());
        if (s.initialEvalLoss() != null) o.put("initial_eval_loss", s.initialEvalLoss());
        if (s.unigramLoss() != null) o.put("eval_unigram_loss", s.unigramLoss());
        o.put("num_tokens", s.result().numTokens());
        o.put("train_runtime", s.result().seconds());
        o.put("train_records", s.trainRecords());
        o.put("eval_records", s.evalRecords());
        o.put("failed_records", s.failedRecords());
        o.put("truncated_records", s.truncated());
        o.put("skipped_too_long", s.skippedTooLong());
        o.put("trainable_parameters", s.trainableParams());
        if (s.result().lastCheckpoint() != null) o.put("last_checkpoint", s.result().lastCheckpoint().toString());
        Checkpoints.writeAtomically(out.resolve("summary.json"), MetricsLog.JSON.writerWithDefaultPrettyPrinter().writeValueAsBytes(o));
    }
}
