package ai.pulsemind.model.generate;

import ai.pulsemind.autograd.Ops;
import ai.pulsemind.model.qwen25vl.KvCache;
import ai.pulsemind.model.qwen25vl.Qwen25VL;
import ai.pulsemind.model.qwen25vl.RopeIndex;
import ai.pulsemind.model.io.TextConfig;
import ai.pulsemind.tensor.AllocationScope;
import ai.pulsemind.tensor.GradMode;
import ai.pulsemind.tensor.Tensor;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Generation with a KV cache for a batch of prompts of different lengths: one packed prefill, then one decoding
 * step per token for all unfinished sequences. Tokens stream to a {@link TokenListener} as they are chosen.
 */
public final class Generator {
    private final Qwen25VL model;
    private final Ops ops;

    public Generator(Qwen25VL model, Ops ops) {
        this.model = model;
        this.ops = ops;
    }

    /** Receives each new token; returning false ends that sequence (e.g. a stop string appeared). */
    @FunctionalInterface
    public interface TokenListener {
        boolean onToken(int sequence, int token);
    }

    /** A sequence's new tokens and why it ended: "stop" (a stop token or the listener), or "length". */
    public record Result(int[] newIds, String finishReason) {}

    public List<Result> generate(List<Qwen25VL.Sequence> prompts, GenerationConfig cfg, TokenListener listener) {
        TextConfig td = model.text().config();
        int b = prompts.size(), longest = 0;
        for (Qwen25VL.Sequence p : prompts) {
            if (p.ids().length == 0) throw new IllegalArgumentException("empty prompt");
            longest = Math.max(longest, p.ids().length);
        }
        if (longest + cfg.maxNewTokens() > td.maxPositionEmbeddings())
            throw new IllegalArgumentException("prompt of " + longest + " tokens plus " + cfg.maxNewTokens()
                    + " new tokens exceeds the model's context of " + td.maxPositionEmbeddings());
        int[] next = new int[b];
        int[][] seen = new int[b][];
        int[] seenCount = new int[b];
        Sampler[] samplers = new Sampler[b];
        for (int i = 0; i < b; i++) {
            Qwen25VL.Sequence p = prompts.get(i);
            next[i] = RopeIndex.of(p.ids(), model.imageTokenId(), p.images().stream().map(Qwen25VL.Image::grid).toList(), model.mergeSize()).next();
            seen[i] = Arrays.copyOf(p.ids(), p.ids().length + cfg.maxNewTokens());
            seenCount[i] = p.ids().length;
            samplers[i] = new Sampler(cfg, i);
        }
        List<List<Integer>> out = new ArrayList<>();
        for (int i = 0; i < b; i++) out.add(new ArrayList<>());
        String[] reason = new String[b];
        try (var g = GradMode.disabled();
             KvCache cache = new KvCache(ops.backend(), td.numLayers(), b, longest + cfg.maxNewTokens(), td.numKvHeads(), td.headDim())) {
            float[][] logits = prefill(prompts, cache);
            for (int step = 0; step < cfg.maxNewTokens(); step++) {
                int[] tokens = new int[b];
                boolean any = false;
                for (int i = 0; i < b; i++) {
                    if (reason[i] != null) continue;
                    int t = samplers[i].next(logits[i], seen[i], seenCount[i]);
                    tokens[i] = t;
                    seen[i][seenCount[i]++] = t;
                    out.get(i).add(t);
                    boolean go = listener == null || listener.onToken(i, t);
                    if (cfg.isStop(t) || !go) reason[i] = "stop";
                    else if (step == cfg.maxNewTokens() - 1) reason[i] = "length";
                    else any = true;
                }
                if (!any) break;
                logits = decodeStep(tokens, next, cache);
                for (int i = 0; i < b; i++) next[i]++;
            }
        }
        List<Result> results = new ArrayList<>();
        for (int i = 0; i < b; i++)
            results.add(new Result(out.get(i).stream().mapToInt(Integer::intValue).toArray(), reason[i] == null ? "length" : reason[i]));
        return results;
    }

    /** Runs all prompts packed, fills the cache, and returns each sequence's last-position logits. */
    private float[][] prefill(List<Qwen25VL.Sequence> prompts, KvCache cache) {
        try (AllocationScope s = AllocationScope.open()) {
            Tensor hidden = model.forward(ops, prompts, cache);   // (N, C)
            int[] last = new int[prompts.size()];
            int at = 0;
            for (int i = 0; i < last.length; i++) {
                at += prompts.get(i).ids().length;
                last[i] = at - 1;
            }
            Tensor rows = ops.gatherRows(hidden, upload(Tensor.ofInts(last, last.length)));
            return rowsToHost(model.logits(ops, rows));
        }
    }

    private float[][] decodeStep(int[] tokens, int[] positions, KvCache cache) {
        try (AllocationScope s = AllocationScope.open()) {
            return rowsToHost(model.decode(ops, tokens, positions, cache));
        }
    }

    private Tensor upload(Tensor host) { return ops.backend().device().isHost() ? host : ops.backend().upload(host); }

    private float[][] rowsToHost(Tensor logits) {
        Tensor host = logits;
        if (!logits.device().isHost()) {
            host = Tensor.hostEmpty(logits.dtype(), logits.shape());
            ops.backend().copy(logits, host);
        }
        int r = host.dim(0), v = host.dim(1);
        float[] all = host.toFloatArray();
        float[][] out = new float[r][];
        for (int i = 0; i < r; i++) out[i] = Arrays.copyOfRange(all, i * v, (i + 1) * v);
        return out;
    }
}
