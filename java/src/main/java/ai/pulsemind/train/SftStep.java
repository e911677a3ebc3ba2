package ai.pulsemind.train;

import ai.pulsemind.autograd.Ops;
import ai.pulsemind.data.SampleEncoder;
import ai.pulsemind.data.batch.Batch;
import ai.pulsemind.data.batch.DataLoader;
import ai.pulsemind.data.batch.LoaderConfig;
import ai.pulsemind.data.batch.LoaderCursor;
import ai.pulsemind.data.batch.RecordIndex;
import ai.pulsemind.model.qwen25vl.Qwen25VL;
import ai.pulsemind.nn.ForwardMode;
import ai.pulsemind.tensor.AllocationScope;
import ai.pulsemind.tensor.GradMode;
import ai.pulsemind.tensor.Tensor;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * One SFT optimiser step: {@code gradAccum} packed micro-batches from the loader, the causal-LM loss of each
 * normalised by the step's total target tokens, backward after each (so one micro-batch's activations live at a
 * time). Evaluation is the token-mean loss over the evaluation split, adapters on and no dropout.
 */
final class SftStep implements Trainer.Step {
    private final Qwen25VL model;
    private final CausalLm objective;
    private final RecordIndex train, eval;
    private final SampleEncoder encoder;
    private final LoaderConfig trainCfg, evalCfg;
    private final int gradAccum, epochs;
    private DataLoader loader;
    private boolean exhausted;
    private long failedBefore, tooLongBefore; // counts of loaders closed on resume or epoch end

    SftStep(Qwen25VL model, CausalLm objective, RecordIndex train, RecordIndex eval, SampleEncoder encoder,
            LoaderConfig trainCfg, LoaderConfig evalCfg, int gradAccum, int epochs) {
        this.model = model;
        this.objective = objective;
        this.train = train;
        this.eval = eval;
        this.encoder = encoder;
        this.trainCfg = trainCfg;
        this.evalCfg = evalCfg;
        this.gradAccum = gradAccum;
        this.epochs = epochs;
        this.loader = new DataLoader(train, encoder, trainCfg, LoaderCursor.start(trainCfg.seed(), train.fingerprint()), epochs);
    }

    @Override
    public Trainer.StepResult accumulate(Trainer.StepContext ctx) {
        List<Batch> micro = new ArrayList<>(gradAccum);
        while (micro.size() < gradAccum && loader.hasNext()) micro.add(loader.next());
        if (!loader.hasNext()) exhausted = true;
        List<int[]> targets = micro.stream().map(objective::targets).toList();
        long total = targets.stream().mapToLong(CausalLm::count).sum(), tokens = micro.stream().mapToLong(Batch::realTokens).sum();
        double loss = 0;
        for (int k = 0; k < micro.size() && total > 0; k++) {
            if (CausalLm.count(targets.get(k)) == 0) continue;
            try (var scope = AllocationScope.open()) {
                Tensor l = objective.loss(ctx.ops(), model, Qwen25VL.sequences(micro.get(k)), targets.get(k), total, ctx.mode(k));
                loss += CausalLm.hostFloats(ctx.ops().backend(), l)[0];
                ctx.ops().backward(l);
            }
        }
        DataLoader.Stats st = loader.stats();
        Map<String, Object> extra = new LinkedHashMap<>();
        extra.put("num_target_tokens", total);
        extra.put("skipped_records", failedBefore + st.failed() + tooLongBefore + st.tooLong());
        return new Trainer.StepResult(total == 0 ? 0 : loss, tokens, total, extra);
    }

    @Override
    public Map<String, Object> evaluate(Trainer.StepContext ctx) {
        if (eval == null || eval.size() == 0) return Map.of();
        double[] r = evalLoss(ctx.ops(), model, objective, eval, encoder, evalCfg);
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("eval_loss", r[0]);
        m.put("eval_num_tokens", (long) r[1]);
        return m;
    }

    /** {token-mean loss, target tokens} over one pass of {@code index}, adapters on, no dropout, no tape. */
    static double[] evalLoss(Ops ops, Qwen25VL model, CausalLm objective, RecordIndex index, SampleEncoder encoder, LoaderConfig cfg) {
        double sum = 0;
        long count = 0;
        try (DataLoader dl = new DataLoader(index, encoder, cfg, LoaderCursor.start(cfg.seed(), index.fingerprint()), 1);
             var g = GradMode.disabled()) {
            while (dl.hasNext()) {
                Batch b = dl.next();
                int[] t = objective.targets(b);
                int n = CausalLm.count(t);
                if (n == 0) continue;
                try (var scope = AllocationScope.open()) {
                    Tensor lp = CausalLm.tokenLogprobs(ops, model, Qwen25VL.sequences(b), t, ForwardMode.INFERENCE, 1f);
                    for (float v : CausalLm.hostFloats(ops.backend(), lp)) sum -= v;
                }
                count += n;
            }
        }
        return new double[] {count == 0 ? Double.NaN : sum / count, count};
    }

    @Override
    public JsonNode state() {
        ObjectNode o = MetricsLog.JSON.createObjectNode();
        o.set("cursor", MetricsLog.JSON.valueToTree(loader.cursor()));
        DataLoader.Stats st = loader.stats();
        o.put("failed", failedBefore + st.failed());
        o.put("too_long", tooLongBefore + st.tooLong());
        return o;
    }

    @Override
    public void restore(JsonNode state) {
        LoaderCursor c;
        try {
            c = MetricsLog.JSON.treeToValue(state.path("cursor"), LoaderCursor.class);
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalArgumentException("--resume: the checkpoint's data cursor is unreadable: " + e.getOriginalMessage(), e);
        }
        loader.close();
        failedBefore = state.path("failed").asLong();
        tooLongBefore = state.path("too_long").asLong();
        loader = new DataLoader(train, encoder, trainCfg, c, epochs);
        exhausted = !loader.hasNext();
    }

    @Override
    public double epoch() {
        LoaderCursor c = loader.cursor();
        return c.epoch() + (train.size() == 0 ? 0 : (double) c.position() / train.size());
    }

    @Override
    public boolean exhausted() { return exhausted; }

    DataLoader.Stats stats() { return loader.stats(); }

    void close() { loader.close(); }
}
