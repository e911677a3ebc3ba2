package ai.pulsemind.model.generate;

import ai.pulsemind.autograd.Ops;
import ai.pulsemind.backend.Backend;
import ai.pulsemind.backend.SamplingParams;
import ai.pulsemind.model.io.TextConfig;
import ai.pulsemind.model.qwen25vl.KvCache;
import ai.pulsemind.model.qwen25vl.Qwen25VL;
import ai.pulsemind.model.qwen25vl.RopeIndex;
import ai.pulsemind.tensor.AllocationScope;
import ai.pulsemind.tensor.DType;
import ai.pulsemind.tensor.GradMode;
import ai.pulsemind.tensor.Shape;
import ai.pulsemind.tensor.Tensor;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Generation with a KV cache for a batch of prompts of different lengths: one packed prefill, then one decoding
 * step per token for all unfinished sequences. Tokens stream to a {@link TokenListener} as they are chosen.
 *
 * <p>Where the tokens are picked: on a host backend, {@link Sampler} per sequence reads each row of logits (seeded
 * per sequence, so a batch gives the same tokens as the same prompts one by one). On a device backend the logits
 * never leave it: {@link Backend#sample} picks every row at once (Philox keyed by the seed, the step and the row
 * index in the batch) and only the B sampled ids come back per step; they also feed the next step's embedding
 * lookup from the device. Greedy decoding picks the same ids either way. {@link Sampling#BACKEND} asks for the
 * backend's sampler on the CPU too (the reference backend runs the device sampler's algorithm), so a CPU run can
 * reproduce a GPU run's sampled ids.
 */
public final class Generator {
    /** Who picks the tokens. */
    public enum Sampling {
        /** {@link #BACKEND} on a device backend, {@link #HOST} on a host one. */
        AUTO,
        /** {@link Sampler} per sequence on host copies of the logits. */
        HOST,
        /** {@link Backend#sample} on the backend, all rows at once. */
        BACKEND
    }

    private final Qwen25VL model;
    private final Ops ops;
    private final Sampling sampling;

    public Generator(Qwen25VL model, Ops ops) { this(model, ops, Sampling.AUTO); }

    public Generator(Qwen25VL model, Ops ops, Sampling sampling) {
        this.model = model;
        this.ops = ops;
        this.sampling = sampling;
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
        for (int i = 0; i < b; i++) {
            Qwen25VL.Sequence p = prompts.get(i);
            next[i] = RopeIndex.of(p.ids(), model.imageTokenId(), p.images().stream().map(Qwen25VL.Image::grid).toList(), model.mergeSize()).next();
        }
        List<List<Integer>> out = new ArrayList<>();
        for (int i = 0; i < b; i++) out.add(new ArrayList<>());
        String[] reason = new String[b];
        Backend be = ops.backend();
        try (var g = GradMode.disabled();
             KvCache cache = new KvCache(be, td.numLayers(), b, longest + cfg.maxNewTokens(), td.numKvHeads(), td.headDim());
             TokenPicker picker = onBackend(be) ? new DevicePicker(be, prompts, cfg, longest) : new HostPicker(be, prompts, cfg)) {
            int[] picked = prefill(prompts, cache, picker, reason);
            for (int step = 0; step < cfg.maxNewTokens(); step++) {
                int[] tokens = new int[b];
                boolean any = false;
                for (int i = 0; i < b; i++) {
                    if (reason[i] != null) continue;
                    int t = picked[i];
                    tokens[i] = t;
                    picker.append(i, t);
                    out.get(i).add(t);
                    boolean go = listener == null || listener.onToken(i, t);
                    if (cfg.isStop(t) || !go) reason[i] = "stop";
                    else if (step == cfg.maxNewTokens() - 1) reason[i] = "length";
                    else any = true;
                }
                if (!any) break;
                picked = decodeStep(tokens, next, cache, picker, step + 1, reason);
                for (int i = 0; i < b; i++) next[i]++;
            }
        }
        List<Result> results = new ArrayList<>();
        for (int i = 0; i < b; i++)
            results.add(new Result(out.get(i).stream().mapToInt(Integer::intValue).toArray(), reason[i] == null ? "length" : reason[i]));
        return results;
    }

    private boolean onBackend(Backend be) {
        return switch (sampling) {
            case AUTO -> !be.device().isHost();
            case HOST -> false;
            case BACKEND -> true;
        };
    }

    /** Runs all prompts packed, fills the cache, and picks each sequence's first new token from its last position. */
    private int[] prefill(List<Qwen25VL.Sequence> prompts, KvCache cache, TokenPicker picker, String[] done) {
        try (AllocationScope s = AllocationScope.open()) {
            Tensor hidden = model.forward(ops, prompts, cache);   // (N, C)
            int[] last = new int[prompts.size()];
            int at = 0;
            for (int i = 0; i < last.length; i++) {
                at += prompts.get(i).ids().length;
                last[i] = at - 1;
            }
            Tensor rows = ops.gatherRows(hidden, upload(Tensor.ofInts(last, last.length)));
            return picker.pick(model.logits(ops, rows), 0, done);
        }
    }

    private int[] decodeStep(int[] tokens, int[] positions, KvCache cache, TokenPicker picker, int step, String[] done) {
        try (AllocationScope s = AllocationScope.open()) {
            Tensor onDevice = picker.lastPicked();
            Tensor logits = onDevice != null ? model.decode(ops, onDevice, positions, cache) : model.decode(ops, tokens, positions, cache);
            return picker.pick(logits, step, done);
        }
    }

    private Tensor upload(Tensor host) { return ops.backend().device().isHost() ? host : ops.backend().upload(host); }

    /** Picks one token per sequence from (B, V) F32 logits and keeps what the repetition penalty needs. */
    private interface TokenPicker extends AutoCloseable {
        /** Ids for the rows whose {@code done[i]} is null (other entries are unspecified). */
        int[] pick(Tensor logits, int step, String[] done);

        /** Sequence i took token t. */
        void append(int i, int t);

        /** The last picked ids (B) I32 on the backend's device, or null when the picker works on the host. */
        default Tensor lastPicked() { return null; }

        @Override default void close() {}
    }

    /** {@link Sampler} per sequence on host copies of the logits: the CPU path. */
    private static final class HostPicker implements TokenPicker {
        private final Backend be;
        private final Sampler[] samplers;
        private final int[][] seen;
        private final int[] seenCount;

        HostPicker(Backend be, List<Qwen25VL.Sequence> prompts, GenerationConfig cfg) {
            this.be = be;
            int b = prompts.size();
            samplers = new Sampler[b];
            seen = new int[b][];
            seenCount = new int[b];
            for (int i = 0; i < b; i++) {
                int[] ids = prompts.get(i).ids();
                seen[i] = Arrays.copyOf(ids, ids.length + cfg.maxNewTokens());
                seenCount[i] = ids.length;
                samplers[i] = new Sampler(cfg, i);
            }
        }

        @Override
        public int[] pick(Tensor logits, int step, String[] done) {
            Tensor host = logits;
            if (!logits.device().isHost()) { // freed with the step's allocation scope
                host = Tensor.hostEmpty(logits.dtype(), logits.shape());
                be.copy(logits, host);
            }
            int r = host.dim(0), v = host.dim(1);
            float[] all = host.toFloatArray();
            int[] ids = new int[r];
            for (int i = 0; i < r; i++)
                if (done[i] == null) ids[i] = samplers[i].next(Arrays.copyOfRange(all, i * v, (i + 1) * v), seen[i], seenCount[i]);
            return ids;
        }

        @Override
        public void append(int i, int t) { seen[i][seenCount[i]++] = t; }
    }

    /**
     * {@link Backend#sample} on the device: the logits stay there, the B ids come back. Previous ids for the
     * repetition penalty live on the device too, (B, P) with the prompts in columns [0, longest) padded with −1 and
     * step s's ids in column longest + s, written there from the device.
     */
    private static final class DevicePicker implements TokenPicker {
        private final Backend be;
        private final SamplingParams params;
        private final long seed;
        private final int promptCols;
        private final Tensor ids, idsHost, prev; // (B) I32 on the device and on the host; (B, P) I32 or null

        DevicePicker(Backend be, List<Qwen25VL.Sequence> prompts, GenerationConfig cfg, int longest) {
            this.be = be;
            this.params = cfg.greedy() ? SamplingParams.greedy(cfg.repetitionPenalty())
                    : new SamplingParams(cfg.temperature(), cfg.topK(), cfg.topP(), cfg.repetitionPenalty());
            this.seed = cfg.seed();
            this.promptCols = longest;
            int b = prompts.size(), cols = longest + cfg.maxNewTokens();
            // they live for the whole generation, across the steps' allocation scopes
            Tensor[] t = AllocationScope.outside(() -> {
                Tensor d = be.empty(DType.I32, Shape.of(b)), h = Tensor.hostEmpty(DType.I32, Shape.of(b));
                Tensor p = null;
                if (cfg.repetitionPenalty() != 1f) {
                    int[] all = new int[b * cols];
                    Arrays.fill(all, -1);
                    for (int i = 0; i < b; i++) {
                        int[] ids = prompts.get(i).ids();
                        System.arraycopy(ids, 0, all, i * cols, ids.length);
                    }
                    try (Tensor host = Tensor.ofInts(all, b, cols)) {
                        p = be.upload(host);
                    }
                }
                return new Tensor[] {d, h, p};
            });
            this.ids = t[0];
            this.idsHost = t[1];
            this.prev = t[2];
        }

        @Override
        public int[] pick(Tensor logits, int step, String[] done) {
            be.sample(logits, params, seed, step, prev, ids);
            if (prev != null) be.copy(ids.reshape(ids.dim(0), 1), prev.narrow(1, promptCols + step, 1));
            be.copy(ids, idsHost); // the one transfer to the host per step
            return idsHost.toIntArray();
        }

        @Override public void append(int i, int t) {} // already in prev, from the device

        @Override public Tensor lastPicked() { return ids; }

        @Override
        public void close() {
            ids.close();
            idsHost.close();
            if (prev != null) prev.close();
        }
    }
}
