package ai.pulsemind.crpo;

import ai.pulsemind.autograd.Ops;
import ai.pulsemind.backend.Backend;
import ai.pulsemind.data.Conversation;
import ai.pulsemind.judge.Judging;
import ai.pulsemind.judge.Reference;
import ai.pulsemind.model.generate.Completion;
import ai.pulsemind.model.generate.Engine;
import ai.pulsemind.model.generate.GenerationConfig;
import ai.pulsemind.model.qwen25vl.Prompt;
import ai.pulsemind.model.qwen25vl.Qwen25VL;
import ai.pulsemind.model.qwen25vl.QwenSampleEncoder;
import ai.pulsemind.nn.ForwardMode;
import ai.pulsemind.tensor.AllocationScope;
import ai.pulsemind.tensor.DType;
import ai.pulsemind.tensor.GradMode;
import ai.pulsemind.tensor.Tensor;
import ai.pulsemind.train.CausalLm;
import com.fasterxml.jackson.databind.ObjectMapper;
import ai.pulsemind.train.Trainer;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;

/**
 * One CRPO optimiser step = one policy update. Every μ-th step first makes a rollout batch:
 * <pre>
 *   rollout: B prefixes (Prefixes.batch(k, B)) → G samples each from the engine over the same weights, per-sample
 *            seeds (seed, k, prefix) and streams 0..G−1, log-probs on: ids + old log-probs, no second model
 *            → reference log-probs of the kept samples, LoRA off, no tape (when β > 0)
 *   judge:   Rewards (each sample vs each counterpart, or vs each other) → Advantages
 * </pre>
 * then the update: the kept samples in micro-batches, prompt + completion through the training forward (LoRA on,
 * dropout keyed by step and micro-batch), per-token log-probs (CausalLm.tokenLogprobs), the per-token loss terms and
 * their derivatives on the host ({@link PolicyLoss}), and backward through the surrogate Σ g·logp. A batch in
 * which no sample got a reward (every judgement failed, or every group dropped) is skipped, logged, and the next
 * batch drawn, up to {@link #MAX_SKIPS} times.
 */
final class CrpoStep implements Trainer.Step {
    static final int MAX_SKIPS = 3;
    static final ObjectMapper JSON = new ObjectMapper();

    private final CrpoConfig cfg;
    private final Qwen25VL model;
    private final QwenSampleEncoder encoder;
    private final Engine engine;
    private final Judging judging;
    private final Prefixes prefixes;
    private final Path dataRoot, runDir;
    private final int[] stopIds;
    private final PrintStream log;
    private final PolicyLoss.Settings loss;
    private RolloutBatch pending;
    private long nextBatch;            // rollout batches drawn so far (skipped ones included)
    private long skippedBatches, judgeFailures, judged, failedGroups, failedSamples, skippedPrompts;

    CrpoStep(CrpoConfig cfg, Qwen25VL model, QwenSampleEncoder encoder, Engine engine, Judging judging, Prefixes prefixes,
             Path dataRoot, Path runDir, int[] stopIds, PrintStream log) {
        this.cfg = cfg;
        this.model = model;
        this.encoder = encoder;
        this.engine = engine;
        this.judging = judging;
        this.prefixes = prefixes;
        this.dataRoot = dataRoot;
        this.runDir = runDir;
        this.stopIds = stopIds;
        this.log = log;
        this.loss = cfg.lossSettings();
    }

    @Override
    public Trainer.StepResult accumulate(Trainer.StepContext ctx) {
        double rolloutS = 0, judgeS = 0;
        boolean fresh = pending == null || ctx.step() % cfg.mu() == 0;
        if (fresh) {
            for (int tries = 0; ; tries++) {
                RolloutBatch b = rollout(ctx.ops(), nextBatch++, ctx.step());
                rolloutS += (double) b.metrics().get("time/rollout");
                judgeS += (double) b.metrics().get("time/judge");
                if (b.keptTokens() > 0 || tries + 1 >= MAX_SKIPS) {
                    pending = b;
                    break;
                }
                skippedBatches++;
                if (log != null) log.printf(Locale.ROOT, "step %d: rollout batch %d skipped: no sample has a reward to learn from "
                        + "(%s judgements failed of %s)%n", ctx.step() + 1, b.index(), b.metrics().get("judge_failures"), b.metrics().get("judged"));
            }
        }
        long t0 = System.nanoTime();
        Update u = update(ctx, pending);
        double updateS = (System.nanoTime() - t0) / 1e9;
        Map<String, Object> m = new LinkedHashMap<>(pending.metrics());
        m.remove("time/rollout");
        m.remove("time/judge");
        m.put("kl", u.kl);
        m.put("clip_ratio/low_mean", u.low);
        m.put("clip_ratio/high_mean", u.high);
        m.put("clip_ratio/region_mean", u.region);
        m.put("entropy", u.entropy);
        m.put("time/rollout", rolloutS);
        m.put("time/judge", judgeS);
        m.put("time/update", updateS);
        m.put("skipped_batches", skippedBatches);
        m.put("judge_failures_total", judgeFailures);
        m.put("failed_samples_total", failedSamples);
        m.put("skipped_prompts_total", skippedPrompts);
        if (log != null) log.printf(Locale.ROOT, "step %d: rollout %.2fs  judge %.2fs  update %.2fs%s%n", ctx.step() + 1, rolloutS, judgeS, updateS,
                fresh ? "" : "  (update " + (ctx.step() % cfg.mu() + 1) + " of " + cfg.mu() + " on batch " + pending.index() + ")");
        if (fresh && cfg.completionsEvery() > 0 && (ctx.step() + 1) % cfg.completionsEvery() == 0) dumpCompletions(ctx.step() + 1, pending);
        return new Trainer.StepResult(u.loss, u.tokens, pending.keptTokens(), m);
    }

    private record Update(double loss, double kl, double low, double high, double region, double entropy, long tokens) {}

    /** One policy update on the batch's kept samples. */
    private Update update(Trainer.StepContext ctx, RolloutBatch b) {
        List<Prefixes.Prefix> ps = prefixes.batch(b.index(), cfg.batchSize());
        List<Prompt> prompts = new ArrayList<>();
        for (Prefixes.Prefix p : ps) prompts.add(promptOf(p));
        List<RolloutBatch.Sample> kept = b.samples().stream().filter(RolloutBatch.Sample::keep).toList();
        double[] w = PolicyLoss.weights(kept.stream().mapToInt(s -> s.ids().length).toArray(), loss);
        double total = 0, kl = 0, ent = 0;
        long low = 0, high = 0, tokens = 0, inputTokens = 0;
        for (int from = 0, micro = 0; from < kept.size(); from += cfg.microBatch(), micro++) {
            int to = Math.min(kept.size(), from + cfg.microBatch());
            List<Qwen25VL.Sequence> seqs = new ArrayList<>();
            int[] promptLengths = new int[to - from];
            for (int i = from; i < to; i++) {
                Prompt p = prompts.get(kept.get(i).prefix());
                seqs.add(encoder.withCompletion(p, kept.get(i).ids()).sequence());
                promptLengths[i - from] = p.length();
            }
            PolicyUpdate.Sums x = PolicyUpdate.run(ctx.ops(), model, seqs, promptLengths, kept.subList(from, to),
                    java.util.Arrays.copyOfRange(w, from, to), loss, ctx.mode(micro), true);
            total += x.loss();
            kl += x.kl();
            ent += x.negOldLogp();
            low += x.lowClipped();
            high += x.highClipped();
            tokens += x.tokens();
            for (Qwen25VL.Sequence q : seqs) inputTokens += q.ids().length;
        }
        double n = Math.max(1, tokens);
        return new Update(total, kl / n, low / n, high / n, (low + high) / n, ent / n, inputTokens);
    }

    /** The prefix as the engine's prompt; a record that cannot be encoded throws with its id. */
    private Prompt promptOf(Prefixes.Prefix p) {
        Conversation c = Conversation.ofRecord(p.record(), p.turn(), dataRoot, cfg.systemPrompt());
        return encoder.forGeneration(c);
    }

    private long seedOf(long batch, int prefix) {
        long z = cfg.seed() * 0x9E3779B97F4A7C15L + (batch << 16) + prefix + 0x2545F4914F6CDD1DL;
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }

    /** Generates, scores and judges rollout batch {@code k}. */
    RolloutBatch rollout(Ops ops, long k, int step) {
        long t0 = System.nanoTime();
        List<Prefixes.Prefix> ps = prefixes.batch(k, cfg.batchSize());
        int gsz = cfg.groupSize();
        List<Prompt> prompts = new ArrayList<>();
        List<Engine.Request> requests = new ArrayList<>(); // null where the prompt was skipped
        List<Engine.Handle> handles = new ArrayList<>();
        for (int i = 0; i < ps.size(); i++) {
            Prompt p = null;
            try {
                p = promptOf(ps.get(i));
                if (p.length() > cfg.maxPromptLength()) {
                    if (log != null) log.println(ps.get(i).id() + ": prompt of " + p.length() + " tokens exceeds --max-prompt-length " + cfg.maxPromptLength() + "; skipped");
                    p = null;
                }
            } catch (RuntimeException e) {
                if (log != null) log.println(ps.get(i).id() + ": cannot be encoded, skipped: " + e.getMessage());
            }
            if (p == null) skippedPrompts++;
            prompts.add(p);
            GenerationConfig gen = GenerationConfig.sampling(cfg.maxNewTokens(), (float) cfg.temperature(), 0, (float) cfg.topP(),
                    seedOf(k, i), stopIds).withLogprobs(0);
            for (int g = 0; g < gsz; g++) requests.add(p == null ? null : new Engine.Request(p, gen, g, null));
        }
        // Every rollout of the batch in one group: the engine prefills them together instead of racing this loop.
        Iterator<Engine.Handle> submitted = engine.submitAll(requests.stream().filter(Objects::nonNull).toList()).iterator();
        for (Engine.Request r : requests) handles.add(r == null ? null : submitted.next());
        List<Completion> done = new ArrayList<>();
        for (Engine.Handle h : handles) {
            Completion c = null;
            if (h != null) {
                try {
                    c = h.join();
                } catch (RuntimeException e) {
                    if (log != null) log.println("a sample failed to generate: " + e.getMessage());
                }
            }
            if (c == null || c.ids().length == 0) failedSamples++;
            done.add(c == null || c.ids().length == 0 ? null : c);
        }
        double rolloutS = (System.nanoTime() - t0) / 1e9;

        long t1 = System.nanoTime();
        List<Rewards.Group> groups = new ArrayList<>();
        for (int i = 0; i < ps.size(); i++) {
            List<String> texts = new ArrayList<>();
            for (int g = 0; g < gsz; g++) {
                Completion c = done.get(i * gsz + g);
                texts.add(c == null ? "" : c.text());
            }
            Prefixes.Prefix p = ps.get(i);
            groups.add(new Rewards.Group(p.id(), Conversation.ofRecord(p.record(), p.turn(), dataRoot, null),
                    Reference.ofTurn(p.record(), p.turn()), texts, p.counterparts()));
        }
        Rewards.Result rw = Rewards.compute(groups, judging, cfg.rewardSettings());
        double[] r = rw.rewards().clone();
        for (int j = 0; j < r.length; j++) if (done.get(j) == null) r[j] = Double.NaN; // nothing generated: no reward
        Advantages.Result adv = Advantages.compute(r, gsz, cfg.scaling(), cfg.zeroSpreadMode(), 1e-4);
        judgeFailures += rw.failures();
        judged += rw.judged();
        failedGroups += rw.failedGroups();
        double judgeS = (System.nanoTime() - t1) / 1e9;

        long t2 = System.nanoTime();
        List<RolloutBatch.Sample> samples = new ArrayList<>();
        float[][] refs = cfg.beta() > 0 ? referenceLogprobs(ops, prompts, done, adv.keep(), gsz) : null;
        long clipped = 0, lengthSum = 0, generated = 0;
        for (int j = 0; j < done.size(); j++) {
            Completion c = done.get(j);
            if (c == null) {
                samples.add(new RolloutBatch.Sample(j / gsz, new int[0], new float[0], null, null, 0, false, "failed", ""));
                continue;
            }
            generated++;
            lengthSum += c.ids().length;
            if (c.finishReason() == Completion.FinishReason.LENGTH) clipped++;
            samples.add(new RolloutBatch.Sample(j / gsz, c.ids(), c.logprobs(), refs == null ? null : refs[j], Double.isNaN(r[j]) ? null : r[j], adv.advantages()[j],
                    adv.keep()[j], c.finishReason().openAi(), c.text()));
        }
        rolloutS += (System.nanoTime() - t2) / 1e9;

        Map<String, Object> m = new LinkedHashMap<>();
        double mean = Advantages.mean(r);
        m.put("reward", Double.isNaN(mean) ? 0.0 : mean);
        double stdSum = 0;
        for (double s : adv.groupStd()) stdSum += s;
        m.put("reward_std", adv.groupStd().length == 0 ? 0.0 : stdSum / adv.groupStd().length);
        m.put("frac_reward_zero_std", adv.fracZeroSpread());
        m.put("completions/mean_length", generated == 0 ? 0.0 : (double) lengthSum / generated);
        m.put("completions/clipped_ratio", generated == 0 ? 0.0 : (double) clipped / generated);
        for (int d = 0; d < Rewards.DIMS.size(); d++) {
            double s = 0;
            int n = 0;
            for (double[] row : rw.dimensions()) if (!Double.isNaN(row[d])) { s += row[d]; n++; }
            m.put("rewards/" + Rewards.DIMS.get(d).key() + "/mean", n == 0 ? 0.0 : s / n);
            if (cfg.rewardSettings().kind() == Rewards.Kind.CRPO && !cfg.intraGroup()) {
                double wr = rw.winRate(d);
                m.put("win_rate/" + Rewards.DIMS.get(d).key(), Double.isNaN(wr) ? 0.0 : wr);
            }
        }
        m.put("judged", rw.judged());
        m.put("judge_failures", rw.failures());
        m.put("failed_groups", rw.failedGroups());
        m.put("rollout_batch", k);
        m.put("time/rollout", rolloutS);
        m.put("time/judge", judgeS);
        RolloutBatch batch = new RolloutBatch(k, samples, m);
        lastVerdicts = rw.verdicts();
        lastDimensions = rw.dimensions();
        return batch;
    }

    private List<Map<String, Object>> lastVerdicts = List.of();
    private double[][] lastDimensions = new double[0][];

    /** Reference log-probs (LoRA off, no dropout, no tape) of each kept sample's completion tokens. */
    private float[][] referenceLogprobs(Ops ops, List<Prompt> prompts, List<Completion> done, boolean[] keep, int gsz) {
        float[][] out = new float[done.size()][];
        List<Integer> todo = new ArrayList<>();
        for (int j = 0; j < done.size(); j++) if (keep[j] && done.get(j) != null) todo.add(j);
        try (var g = GradMode.disabled()) {
            for (int from = 0; from < todo.size(); from += cfg.microBatch()) {
                List<Integer> part = todo.subList(from, Math.min(todo.size(), from + cfg.microBatch()));
                List<Qwen25VL.Sequence> seqs = new ArrayList<>();
                int[] pl = new int[part.size()];
                for (int q = 0; q < part.size(); q++) {
                    Prompt p = prompts.get(part.get(q) / gsz);
                    seqs.add(encoder.withCompletion(p, done.get(part.get(q)).ids()).sequence());
                    pl[q] = p.length();
                }
                int[] targets = CausalLm.completionTargets(seqs, pl);
                try (var scope = AllocationScope.open()) {
                    float[] lp = hostFloats(ops.backend(), CausalLm.tokenLogprobs(ops, model, seqs, targets, ForwardMode.BASE, 1f));
                    int at = 0;
                    for (int q = 0; q < part.size(); q++) {
                        int n = done.get(part.get(q)).ids().length;
                        out[part.get(q)] = java.util.Arrays.copyOfRange(lp, at + pl[q] - 1, at + pl[q] - 1 + n);
                        at += seqs.get(q).ids().length;
                    }
                }
            }
        }
        return out;
    }

    /** RUN/completions/step-N.jsonl: one line per sample with its text, reward, advantage and verdicts. */
    private void dumpCompletions(int step, RolloutBatch b) {
        List<Prefixes.Prefix> ps = prefixes.batch(b.index(), cfg.batchSize());
        StringBuilder sb = new StringBuilder();
        for (int j = 0; j < b.samples().size(); j++) {
            RolloutBatch.Sample s = b.samples().get(j);
            ObjectNode o = JSON.createObjectNode();
            o.put("step", step);
            o.put("prefix", ps.get(s.prefix()).id());
            o.put("sample", j % cfg.groupSize());
            o.put("text", s.text());
            o.put("finish_reason", s.finish());
            o.put("tokens", s.ids().length);
            if (s.reward() == null) o.putNull("reward");
            else o.put("reward", s.reward());
            o.put("advantage", s.advantage());
            o.put("kept", s.keep());
            if (j < lastDimensions.length) {
                ObjectNode d = o.putObject("dimensions");
                for (int x = 0; x < Rewards.DIMS.size(); x++) {
                    double v = lastDimensions[j][x];
                    if (Double.isNaN(v)) d.putNull(Rewards.DIMS.get(x).key());
                    else d.put(Rewards.DIMS.get(x).key(), v);
                }
            }
            if (j < lastVerdicts.size()) o.set("verdicts", JSON.valueToTree(lastVerdicts.get(j)));
            sb.append(o).append('\n');
        }
        try {
            Path dir = runDir.resolve("completions");
            Files.createDirectories(dir);
            Files.writeString(dir.resolve("step-" + step + ".jsonl"), sb.toString(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write the completions of step " + step + ": " + e.getMessage(), e);
        }
    }

    static float[] hostFloats(Backend be, Tensor t) {
        if (t.device().isHost()) return t.toFloatArray();
        Tensor h = Tensor.hostEmpty(DType.F32, t.shape());
        be.copy(t, h);
        return h.toFloatArray();
    }

    @Override
    public JsonNode state() {
        ObjectNode o = JSON.createObjectNode();
        o.put("next_batch", nextBatch);
        o.put("skipped_batches", skippedBatches);
        o.put("judge_failures", judgeFailures);
        o.put("judged", judged);
        o.put("failed_groups", failedGroups);
        o.put("failed_samples", failedSamples);
        o.put("skipped_prompts", skippedPrompts);
        if (pending != null) o.set("pending", JSON.valueToTree(pending));
        return o;
    }

    @Override
    public void restore(JsonNode s) {
        nextBatch = s.path("next_batch").asLong();
        skippedBatches = s.path("skipped_batches").asLong();
        judgeFailures = s.path("judge_failures").asLong();
        judged = s.path("judged").asLong();
        failedGroups = s.path("failed_groups").asLong();
        failedSamples = s.path("failed_samples").asLong();
        skippedPrompts = s.path("skipped_prompts").asLong();
        try {
            pending = s.hasNonNull("pending") ? JSON.treeToValue(s.get("pending"), RolloutBatch.class) : null;
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalArgumentException("--resume: the checkpoint's rollout batch is unreadable: " + e.getOriginalMessage(), e);
        }
    }

    @Override
    public double epoch() { return prefixes.epoch(nextBatch, cfg.batchSize()); }

    long judgeFailures() { return judgeFailures; }

    long judged() { return judged; }

    long skippedBatches() { return skippedBatches; }

    long failedSamples() { return failedSamples; }
}
