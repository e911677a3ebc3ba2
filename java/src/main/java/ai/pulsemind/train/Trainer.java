package ai.pulsemind.train;

import ai.pulsemind.autograd.Ops;
import ai.pulsemind.backend.Backend;
import ai.pulsemind.data.Progress;
import ai.pulsemind.model.io.SafetensorsFile;
import ai.pulsemind.model.io.SafetensorsWriter;
import ai.pulsemind.nn.ForwardMode;
import ai.pulsemind.tensor.DType;
import ai.pulsemind.tensor.Tensor;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The optimisation loop that SFT and CRPO share. Each optimiser step: zero the gradients, let the {@link Step}
 * accumulate them (micro-batches for SFT; a policy update on a rollout batch for CRPO), stop on a non-finite loss or
 * gradient, clip to the global norm, take the schedule's learning rate, run AdamW with master weights, then log,
 * evaluate and checkpoint on their intervals.
 *
 * <pre>
 *   step s:  zeroGrad → step.accumulate(ctx_s) → ‖g‖ → clip c = min(1, max/‖g‖) → adamw(lr(s), c) → log → eval? → save?
 *   ctx_s.mode(k): dropout keyed by (seed, s, k), so a resumed run draws the masks an uninterrupted one would
 * </pre>
 *
 * <p>A checkpoint holds the weights (through {@link WeightsIO}), the AdamW moments, the step and token counts, the
 * seed, a compatibility record checked on resume, and the step's own state ({@link Step#state()}: the data cursor,
 * a rollout generator's state). With the same backend and thread count, k steps + resume + k steps reproduces 2k
 * steps bit for bit: nothing else carries over between steps.
 */
public final class Trainer {
    public static final String STATE = "trainer_state.json";
    public static final String OPTIMIZER = "optimizer.safetensors";

    /** The part of a step that differs between trainers. */
    public interface Step {
        /** Accumulates the gradient of optimiser step {@code ctx.step()} into the store (zeroed before the call). */
        StepResult accumulate(StepContext ctx);

        /** Evaluation metrics (e.g. {@code eval_loss}); empty when there is nothing to evaluate. */
        default Map<String, Object> evaluate(StepContext ctx) { return Map.of(); }

        /** State saved beside the weights and handed back to {@link #restore} on resume. */
        JsonNode state();

        void restore(JsonNode state);

        /** Fractional epochs done. */
        double epoch();

        /** True when there is no data left for another step (the run ends early). */
        default boolean exhausted() { return false; }
    }

    /**
     * What a step measured.
     *
     * @param loss    the step's loss (token mean), NaN stops the run
     * @param tokens  input tokens processed
     * @param targets tokens the loss was taken on
     * @param extra   further metrics to log under their own names
     */
    public record StepResult(double loss, long tokens, long targets, Map<String, Object> extra) {}

    /** What a step needs: its number, the ops, the store and the forward mode of each micro-batch. */
    public record StepContext(int step, long seed, Ops ops, ParamStore store, boolean recompute) {
        /** The training forward of micro-batch {@code micro}: dropout keyed by (seed, step, micro). */
        public ForwardMode mode(int micro) { return ForwardMode.training(dropoutKey(seed, step, micro), recompute); }
    }

    /** Saves and loads the trained weights (a PEFT adapter, or full weights) into and out of the store. */
    public interface WeightsIO {
        void save(Path dir) throws IOException;

        void load(Path dir) throws IOException;

        /**
         * A LoRA adapter's weights in the PEFT layout: saved from the store's f32 masters, loaded back into them.
         *
         * @param baseModel the base model's directory, recorded in the adapter's config
         */
        static WeightsIO peft(Lora lora, ParamStore store, Backend be, Path baseModel) {
            return new WeightsIO() {
                @Override public void save(Path dir) throws IOException {
                    Map<String, Tensor> masters = new LinkedHashMap<>();
                    store.entries().forEach(e -> masters.put(e.name(), e.master()));
                    PeftAdapter.write(dir, lora.config(), masters, be, baseModel.toAbsolutePath().toString());
                }

                @Override public void load(Path dir) {
                    Map<String, Tensor> v = PeftAdapter.read(dir, lora);
                    v.forEach(store::set);
                    v.values().forEach(Tensor::close);
                }
            };
        }
    }

    /** Called after each logged step, evaluation and checkpoint (progress lines, CRPO's completion dumps, tests). */
    public interface Hooks {
        default void onLog(Map<String, Object> metrics) {}

        default void onCheckpoint(int step, Path dir) {}
    }

    /**
     * @param maxSteps     optimiser steps of the run (the schedule's T)
     * @param maxGradNorm  global-norm clipping bound (≤ 0: none)
     * @param evalEvery    steps between evaluations (0: only at the end)
     * @param saveEvery    steps between checkpoints (0: only at the end)
     * @param compat       what a checkpoint must match to be resumed (model, adapter shape, backend when deterministic)
     */
    public record Options(Schedule schedule, ParamStore.AdamW adamw, double maxGradNorm, int maxSteps, int logEvery,
                          int evalEvery, int saveEvery, int keepCheckpoints, long seed, boolean recompute,
                          ObjectNode compat) {
        public Options {
            if (maxSteps < 1) throw new IllegalArgumentException("--max-steps must be >= 1, got " + maxSteps);
            if (logEvery < 1) throw new IllegalArgumentException("--log-every must be >= 1, got " + logEvery);
            if (evalEvery < 0) throw new IllegalArgumentException("--eval-every must be >= 0, got " + evalEvery);
            if (saveEvery < 0) throw new IllegalArgumentException("--save-every must be >= 0, got " + saveEvery);
            if (keepCheckpoints < 0) throw new IllegalArgumentException("--keep-checkpoints must be >= 0, got " + keepCheckpoints);
        }
    }

    /** The run's end: steps done, the last losses, where the last checkpoint is. */
    public record Result(int steps, double lastLoss, Double lastEvalLoss, Path lastCheckpoint, long numTokens, double seconds) {}

    /** A run stopped for a reason the user must act on (NaN loss); the last good checkpoint is kept. */
    public static final class Stopped extends RuntimeException {
        public Stopped(String message) { super(message); }
    }

    private final Options opt;
    private final ParamStore store;
    private final Step body;
    private final Ops ops;
    private final WeightsIO weights;
    private final Path runDir;
    private final MetricsLog metrics;
    private final Hooks hooks;
    private final PrintStream log;
    private int step;             // optimiser steps done
    private long numTokens;
    private Path lastCheckpoint;
    private Double lastEval;

    public Trainer(Options opt, ParamStore store, Step body, Ops ops, WeightsIO weights, Path runDir, Hooks hooks, PrintStream log) {
        this.opt = opt;
        this.store = store;
        this.body = body;
        this.ops = ops;
        this.weights = weights;
        this.runDir = runDir;
        this.metrics = new MetricsLog(runDir.resolve("metrics.jsonl"));
        this.hooks = hooks == null ? new Hooks() {} : hooks;
        this.log = log;
    }

    public int step() { return step; }

    public Path checkpoints() { return runDir.resolve("checkpoints"); }

    /** Runs to {@code maxSteps} (or until the data runs out); evaluates and checkpoints at the end too. */
    public Result run(Progress progress) throws IOException {
        long t0 = System.nanoTime();
        double lastLoss = Double.NaN;
        long windowTokens = 0, windowStart = System.nanoTime();
        while (step < opt.maxSteps() && !body.exhausted()) {
            StepContext ctx = new StepContext(step, opt.seed(), ops, store, opt.recompute());
            store.zeroGrad();
            StepResult r = body.accumulate(ctx);
            if (r.targets() == 0 && body.exhausted()) break;
            double norm = store.gradNorm();
            if (!Double.isFinite(r.loss()) || !Double.isFinite(norm))
                throw new Stopped(String.format(Locale.ROOT, "training stopped at step %d: the loss is %s and the gradient norm %s "
                        + "(try a lower --lr or --max-grad-norm); the last good checkpoint is %s", step + 1, r.loss(), norm,
                        lastCheckpoint != null ? lastCheckpoint : "none (no checkpoint was written yet)"));
            float scale = opt.maxGradNorm() > 0 && norm > opt.maxGradNorm() ? (float) (opt.maxGradNorm() / (norm + 1e-6)) : 1f;
            double lr = opt.schedule().lr(step);
            store.adamw(opt.adamw(), (float) lr, scale, step + 1);
            step++;
            numTokens += r.tokens();
            windowTokens += r.tokens();
            lastLoss = r.loss();
            progress.advance(1);
            if (step % opt.logEvery() == 0 || step == opt.maxSteps()) {
                double secs = Math.max(1e-9, (System.nanoTime() - windowStart) / 1e9);
                Map<String, Object> m = new LinkedHashMap<>();
                m.put("loss", r.loss());
                m.put("grad_norm", norm);
                m.put("learning_rate", lr);
                m.put("epoch", body.epoch());
                m.put("step", step);
                m.put("num_tokens", numTokens);
                m.put("tokens_per_second", windowTokens / secs);
                m.putAll(r.extra());
                logLine(m);
                windowTokens = 0;
                windowStart = System.nanoTime();
            }
            boolean last = step == opt.maxSteps() || body.exhausted();
            if ((opt.evalEvery() > 0 && step % opt.evalEvery() == 0) || last) evaluate();
            if ((opt.saveEvery() > 0 && step % opt.saveEvery() == 0) || last) save();
        }
        progress.finish();
        return new Result(step, lastLoss, lastEval, lastCheckpoint, numTokens, (System.nanoTime() - t0) / 1e9);
    }

    /** Runs the step's evaluation now and logs it (as its own line, as transformers does). */
    public Map<String, Object> evaluate() {
        long t = System.nanoTime();
        Map<String, Object> e = body.evaluate(new StepContext(step, opt.seed(), ops, store, false));
        if (e.isEmpty()) return e;
        Map<String, Object> m = new LinkedHashMap<>(e);
        m.put("eval_runtime", (System.nanoTime() - t) / 1e9);
        m.put("epoch", body.epoch());
        m.put("step", step);
        if (m.get("eval_loss") instanceof Double d) lastEval = d;
        logLine(m);
        return m;
    }

    private void logLine(Map<String, Object> m) {
        metrics.write(m);
        hooks.onLog(m);
    }

    /** Writes checkpoint {@code step-N} and moves {@code latest} to it. */
    public Path save() throws IOException {
        lastCheckpoint = Checkpoints.save(checkpoints(), step, opt.keepCheckpoints(), dir -> {
            weights.save(dir);
            writeOptimizer(dir.resolve(OPTIMIZER));
            ObjectNode s = MetricsLog.JSON.createObjectNode();
            s.put("step", step);
            s.put("num_tokens", numTokens);
            s.put("epoch", body.epoch());
            s.put("seed", opt.seed());
            s.set("compat", opt.compat());
            s.set("state", body.state());
            Checkpoints.writeAtomically(dir.resolve(STATE), MetricsLog.JSON.writerWithDefaultPrettyPrinter().writeValueAsBytes(s));
        });
        hooks.onCheckpoint(step, lastCheckpoint);
        if (log != null) log.println("checkpoint " + lastCheckpoint);
        return lastCheckpoint;
    }

    private void writeOptimizer(Path file) {
        SafetensorsWriter w = new SafetensorsWriter().metadata("format", "pt");
        List<Tensor> hosts = new ArrayList<>();
        for (ParamStore.Entry e : store.entries()) {
            for (String kind : new String[] {"exp_avg", "exp_avg_sq"}) {
                Tensor src = kind.equals("exp_avg") ? e.m() : e.v();
                Tensor h = Tensor.hostEmpty(DType.F32, src.shape());
                store.backend().copy(src, h);
                hosts.add(h);
                w.add(e.name() + "." + kind, h);
            }
        }
        w.write(file);
        hosts.forEach(Tensor::close);
    }

    /**
     * Restores everything a checkpoint holds, after checking it was made by a compatible run.
     *
     * @throws IllegalArgumentException naming the first setting that differs
     */
    public void resume(Path dir) throws IOException {
        Path stateFile = dir.resolve(STATE);
        if (!Files.isRegularFile(stateFile)) throw new IllegalArgumentException("--resume: " + dir + " is not a checkpoint (no " + STATE + ")");
        JsonNode s = MetricsLog.JSON.readTree(stateFile.toFile());
        checkCompatible(dir, s.path("compat"), opt.compat());
        if (s.path("step").asInt() > opt.maxSteps())
            throw new IllegalArgumentException("--resume: " + dir + " is at step " + s.path("step").asInt() + ", beyond --max-steps " + opt.maxSteps());
        weights.load(dir);
        try (SafetensorsFile f = SafetensorsFile.open(dir.resolve(OPTIMIZER))) {
            for (ParamStore.Entry e : store.entries()) {
                for (String kind : new String[] {"exp_avg", "exp_avg_sq"}) {
                    String key = e.name() + "." + kind;
                    if (!f.contains(key)) throw new IllegalArgumentException("--resume: " + f.path() + " has no " + key);
                    store.backend().copy(f.tensor(key), kind.equals("exp_avg") ? e.m() : e.v());
                }
            }
        }
        step = s.path("step").asInt();
        numTokens = s.path("num_tokens").asLong();
        body.restore(s.path("state"));
        lastCheckpoint = dir;
        metrics.truncateAfter(step);
        if (log != null) log.println("resumed from " + dir + " at step " + step);
    }

    static void checkCompatible(Path dir, JsonNode saved, JsonNode now) {
        List<String> keys = new ArrayList<>();
        now.fieldNames().forEachRemaining(keys::add);
        saved.fieldNames().forEachRemaining(k -> { if (!keys.contains(k)) keys.add(k); });
        for (String k : keys) {
            JsonNode a = saved.get(k), b = now.get(k);
            if (a == null || b == null || !a.toString().equals(b.toString())) // text: a float read back is a double
                throw new IllegalArgumentException("--resume: " + dir + " was made with " + k + " = " + a + ", this run has " + k + " = " + b
                        + "; resume with the original settings or start a new --out");
        }
    }

    /** The dropout key of micro-batch {@code micro} of step {@code step}: a SplitMix64 hash of the three. */
    static long dropoutKey(long seed, int step, int micro) {
        long z = seed * 0x9E3779B97F4A7C15L + ((long) step << 20) + micro + 0x632BE59BD9B4E019L;
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }
}
