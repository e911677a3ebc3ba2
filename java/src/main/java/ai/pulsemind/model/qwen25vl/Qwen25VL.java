package ai.pulsemind.model.qwen25vl;

import ai.pulsemind.autograd.Ops;
import ai.pulsemind.backend.AttentionSpec;
import ai.pulsemind.backend.Backend;
import ai.pulsemind.model.io.Qwen25VlCheckpoint;
import ai.pulsemind.model.io.Qwen25VlConfig;
import ai.pulsemind.model.io.TextConfig;
import ai.pulsemind.model.io.VisionConfig;
import ai.pulsemind.nn.ForwardMode;
import ai.pulsemind.nn.Params;
import ai.pulsemind.tensor.DType;
import ai.pulsemind.tensor.Tensor;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;

/**
 * Qwen2.5-VL: the vision tower's merged patch embeddings replace the {@code <|image_pad|>} token embeddings, and
 * the text decoder runs over the mixed sequence with multimodal rotary positions. Written on {@link Ops} only, so
 * every backend runs the same code, with or without the autograd tape.
 *
 * <p>Memory: a forward allocates activations and small index tensors that the tape reads until backward; run it
 * inside an {@link ai.pulsemind.tensor.AllocationScope} (the trainers and the generator do), which frees them with
 * the step.
 */
public final class Qwen25VL {
    private final TextModel text;
    private final VisionTower vision; // null for a text-only checkpoint
    private final int imageTokenId;
    private final Params params;

    /**
     * @param weights a checkpoint's tensors by Hugging Face name (published layout: {@code visual.*},
     *                {@code model.layers.*}, {@code lm_head.weight}); null for a missing name
     */
    public Qwen25VL(Backend be, Qwen25VlConfig config, Function<String, Tensor> weights) { this(be, config, weights, false); }

    private Qwen25VL(Backend be, Qwen25VlConfig config, Function<String, Tensor> weights, boolean linearsAsStored) {
        this(be, config.text(), config.vision(), config.tieWordEmbeddings(), config.imageTokenId(), weights, linearsAsStored);
    }

    /**
     * A checkpoint's weights on {@code be} in its {@link Backend#computeDtype()} (F32 on the CPU, where F32 mapped
     * weights are not copied; BF16 on CUDA).
     */
    public static Qwen25VL load(Backend be, Qwen25VlCheckpoint ckpt) { return load(be, ckpt, false); }

    /**
     * As {@link #load(Backend, Qwen25VlCheckpoint)}; with {@code linearsAsStored}, BF16 linear-layer weights stay
     * BF16 on a backend that {@link Backend#takesBf16Weights() multiplies by them as stored} (the CPU: half the
     * memory and half the bytes read per decoded token, the same results bit for bit). Embeddings, the LM head,
     * norms and biases are in the compute dtype either way.
     */
    public static Qwen25VL load(Backend be, Qwen25VlCheckpoint ckpt, boolean linearsAsStored) {
        return new Qwen25VL(be, ckpt.config(), name -> ckpt.has(name) ? ckpt.tensor(name) : null, linearsAsStored);
    }

    /** @param vision null for a text-only decoder (benchmarks, text checkpoints) */
    public Qwen25VL(Backend be, TextConfig text, VisionConfig vision, boolean tied, int imageTokenId,
                    Function<String, Tensor> weights) {
        this(be, text, vision, tied, imageTokenId, weights, false);
    }

    /** @param linearsAsStored as in {@link #load(Backend, Qwen25VlCheckpoint, boolean)} */
    public Qwen25VL(Backend be, TextConfig text, VisionConfig vision, boolean tied, int imageTokenId,
                    Function<String, Tensor> weights, boolean linearsAsStored) {
        Weights w = new Weights(be, weights, be.computeDtype(), linearsAsStored);
        this.text = new TextModel(text, tied, w);
        this.vision = vision == null ? null : new VisionTower(vision, w);
        this.imageTokenId = imageTokenId;
        this.params = w.params;
        if (vision != null && vision.outHiddenSize() != text.hiddenSize())
            throw new IllegalArgumentException("vision out_hidden_size " + vision.outHiddenSize() + " differs from text hidden " + text.hiddenSize());
    }

    public TextModel text() { return text; }

    public VisionTower vision() { return vision; }

    public Params params() { return params; }

    public int imageTokenId() { return imageTokenId; }

    /** Patches merged per image token side (1 without a vision tower). */
    public int mergeSize() { return vision == null ? 1 : vision.config().spatialMergeSize(); }

    /**
     * One sequence: token ids, its images in order of their pad-token runs, and optionally its M-RoPE positions.
     *
     * @param positions (3, N) row-major temporal, height, width positions, as {@link RopeIndex} computes them (the
     *                  prompt encoder and the data loader precompute them); null to compute them here
     */
    public record Sequence(int[] ids, List<Image> images, int[] positions) {
        public Sequence {
            images = List.copyOf(images);
            if (positions != null && positions.length != 3 * ids.length)
                throw new IllegalArgumentException("sequence: " + positions.length + " position ids for 3 x " + ids.length + " tokens");
        }

        public Sequence(int[] ids, List<Image> images) { this(ids, images, null); }

        public static Sequence text(int[] ids) { return new Sequence(ids, List.of()); }
    }

    /**
     * One image after the processor.
     *
     * @param pixels (t·h·w, in·tp·p·p) flattened patches
     * @param grid   (t, h, w) in patches
     */
    public record Image(Tensor pixels, int[] grid) {}

    /** Packed forward for evaluation: {@link #forward(Ops, List, ForwardOptions)} with {@link ForwardOptions#INFERENCE}. */
    public Tensor forward(Ops ops, List<Sequence> seqs) { return forward(ops, seqs, ForwardOptions.INFERENCE); }

    /**
     * Packed forward over sequences (no padding): returns final-normed hidden states (N, C), N the total length,
     * sequences back to back in order. Positions are the sequences' own when given, else {@link RopeIndex}'s.
     *
     * @param opts how to run: adapters, dropout, recomputation, a cache to fill ({@link ForwardOptions}); null is
     *             {@link ForwardOptions#INFERENCE}
     */
    public Tensor forward(Ops ops, List<Sequence> seqs, ForwardOptions opts) {
        if (opts == null) opts = ForwardOptions.INFERENCE;
        ForwardMode mode = opts.mode();
        Backend be = ops.backend();
        if (opts.cache() != null && opts.cacheSlots().length != seqs.size())
            throw new IllegalArgumentException("forward: " + opts.cacheSlots().length + " cache slots for " + seqs.size() + " sequences");
        int n = 0;
        List<int[]> grids = new ArrayList<>();
        List<Tensor> pixels = new ArrayList<>();
        int[] lengths = new int[seqs.size()];
        for (int s = 0; s < seqs.size(); s++) {
            lengths[s] = seqs.get(s).ids().length;
            n += lengths[s];
            for (Image im : seqs.get(s).images()) {
                grids.add(im.grid());
                pixels.add(im.pixels());
            }
        }
        int[] ids = new int[n], pos = new int[3 * n];
        int at = 0;
        for (Sequence sq : seqs) {
            int[] p = sq.positions() != null ? sq.positions()
                    : RopeIndex.of(sq.ids(), imageTokenId, sq.images().stream().map(Image::grid).toList(), mergeSize()).positions();
            int len = sq.ids().length;
            System.arraycopy(sq.ids(), 0, ids, at, len);
            for (int a = 0; a < 3; a++) System.arraycopy(p, a * len, pos, a * n + at, len);
            at += len;
        }
        Tensor x = text.embed(ops, upload(be, Tensor.ofInts(ids, n)));
        if (!grids.isEmpty()) x = withImages(ops, x, ids, pixels, grids, mode);
        Tensor[] cs = text.rope(be, pos, n);
        AttentionSpec spec = AttentionSpec.selfAttention(lengths, true, text.config().headDim());
        return text.forward(ops, x, cs[0], cs[1], spec, opts.cache(), opts.cacheSlots(), mode);
    }

    /**
     * A data-loader batch as model input, in one call: its samples as sequences (padding dropped: the forward is
     * packed, and sample b's hidden rows are {@code [cuSeqlens[b], cuSeqlens[b+1])} whatever the batch's layout),
     * with the loader's precomputed positions and its processed images as host tensors.
     */
    public static List<Sequence> sequences(ai.pulsemind.data.batch.Batch batch) {
        List<Sequence> out = new ArrayList<>(batch.size());
        boolean packed = batch.layout() == ai.pulsemind.data.batch.LoaderConfig.Layout.PACKED;
        int total = batch.tokens().length, image = 0;
        for (int b = 0; b < batch.size(); b++) {
            int len = batch.cuSeqlens()[b + 1] - batch.cuSeqlens()[b];
            int start = packed ? batch.cuSeqlens()[b] : b * batch.rowLength();
            int[] ids = java.util.Arrays.copyOfRange(batch.tokens(), start, start + len);
            int[] pos = null;
            if (batch.positions() != null) {
                if (batch.positions().length != 3)
                    throw new IllegalArgumentException("batch: " + batch.positions().length + " position rows, Qwen2.5-VL needs 3");
                pos = new int[3 * len];
                for (int a = 0; a < 3; a++) System.arraycopy(batch.positions()[a], start, pos, a * len, len);
            }
            List<Image> ims = new ArrayList<>();
            for (int k = 0; k < batch.imageCounts()[b]; k++) ims.add(image(batch.images().get(image++)));
            out.add(new Sequence(ids, ims, pos));
        }
        if (total < batch.realTokens()) throw new IllegalStateException("batch: fewer tokens than its samples' lengths");
        return out;
    }

    /** A processed image as a host tensor (P, patchDim) and its grid. */
    public static Image image(ai.pulsemind.data.EncodedImage e) {
        return new Image(Tensor.of(e.pixels(), e.patches(), e.patchDim()), new int[] {e.gridT(), e.gridH(), e.gridW()});
    }

    /** Replaces pad-token rows of x (N, C) with the vision embeddings, differentiably (a gather over [x; vision]). */
    private Tensor withImages(Ops ops, Tensor x, int[] ids, List<Tensor> pixels, List<int[]> grids, ForwardMode mode) {
        if (vision == null) throw new IllegalArgumentException("this checkpoint has no vision tower but the prompt has images");
        Tensor pix = pixels.size() == 1 ? pixels.get(0) : ops.cat(0, pixels.toArray(Tensor[]::new));
        Tensor vis = vision.forward(ops, pix, grids, mode);  // (M, C)
        int n = ids.length, m = vis.dim(0), k = 0;
        int[] src = new int[n];
        for (int i = 0; i < n; i++) src[i] = ids[i] == imageTokenId ? n + k++ : i;
        if (k != m) throw new IllegalArgumentException("the prompt has " + k + " image pad tokens but the images give " + m + " embeddings");
        return ops.gatherRows(ops.cat(0, x, vis), upload(ops.backend(), Tensor.ofInts(src, n)));
    }

    static Tensor upload(Backend be, Tensor host) { return be.device().isHost() ? host : be.upload(host); }

    /** Model input data (pixels) on the backend in its compute dtype; the tensor itself when it already is. */
    static Tensor input(Backend be, Tensor t) {
        DType want = be.computeDtype();
        if (t.device().equals(be.device()) && t.dtype() == want) return t;
        Tensor on = t.device().equals(be.device()) ? t : be.upload(t);
        if (on.dtype() == want) return on;
        Tensor c = be.empty(want, on.shape());
        be.convert(on, c);
        if (on != t) on.close();
        return c;
    }

    /**
     * F32 logits (R, V) of selected hidden rows (R, C) — generation only needs each sequence's last row. The
     * products accumulate in F32 whatever the compute dtype; the sampler reads F32.
     */
    public Tensor logits(Ops ops, Tensor hiddenRows) { return ops.matmul(hiddenRows, false, text.logitsHead(), true, DType.F32); }

    /** One decoding step: new token ids (B) at positions (B) → logits (B, V); row b appends to cache slot b. */
    public Tensor decode(Ops ops, int[] tokens, int[] positions, KvCache cache) {
        return decode(ops, upload(ops.backend(), Tensor.ofInts(tokens, tokens.length)), positions, cache,
                ai.pulsemind.backend.OpChecks.identitySlots(tokens.length));
    }

    /**
     * One decoding step for the sequences in cache slots {@code slots}: new token ids (B) I32 on the backend's
     * device (the ids a device sampler just picked need not visit the host), at text positions (B) (the same on
     * all three M-RoPE axes) → F32 logits (B, V); row b appends its key/value to slot {@code slots[b]}.
     */
    public Tensor decode(Ops ops, Tensor tokens, int[] positions, KvCache cache, int[] slots) {
        int b = tokens.dim(0);
        if (positions.length != b) throw new IllegalArgumentException("decode: " + positions.length + " positions for " + b + " tokens");
        return logits(ops, decodeHidden(ops, tokens, positions, cache, slots));
    }

    /** {@link #decode(Ops, Tensor, int[], KvCache, int[])} up to the final norm: (B, C) hidden states. */
    public Tensor decodeHidden(Ops ops, Tensor tokens, int[] positions, KvCache cache, int[] slots) {
        Backend be = ops.backend();
        int b = tokens.dim(0);
        Tensor x = text.embed(ops, tokens);
        int[] pos = new int[3 * b];
        for (int a = 0; a < 3; a++) System.arraycopy(positions, 0, pos, a * b, b);
        Tensor[] cs = text.rope(be, pos, b);
        return text.decode(ops, x, cs[0], cs[1], cache, slots);
    }
}
