package ai.pulsemind.model.qwen25vl;

import ai.pulsemind.autograd.Checkpoint;
import ai.pulsemind.autograd.Ops;
import ai.pulsemind.backend.AttentionSpec;
import ai.pulsemind.backend.Backend;
import ai.pulsemind.backend.RopeSpec;
import ai.pulsemind.model.io.TextConfig;
import ai.pulsemind.nn.ForwardMode;
import ai.pulsemind.nn.Linear;
import ai.pulsemind.tensor.DType;
import ai.pulsemind.tensor.Shape;
import ai.pulsemind.tensor.Tensor;

import java.util.ArrayList;
import java.util.List;

/**
 * The Qwen2 decoder: embeddings, pre-norm layers (RMSNorm → GQA attention with q/k/v bias and M-RoPE → residual →
 * RMSNorm → SwiGLU MLP → residual), a final RMSNorm and the LM head (tied to the embeddings or not).
 */
public final class TextModel {
    private final TextConfig dims;
    private final float eps;
    private final Tensor embed;    // (V, C)
    private final List<Layer> layers = new ArrayList<>();
    private final Tensor norm;     // (C)
    private final Tensor head;     // (V, C), the embedding table when tied
    private final Tensor logitsHead; // (V, C) the head as stored (BF16) when linears are kept so, else head

    public record Layer(Tensor inputNorm, Linear q, Linear k, Linear v, Linear o, Tensor postNorm,
                        Linear gate, Linear up, Linear down) {
        /** The projections by their Hugging Face module names (q_proj, …, down_proj), in module order. */
        public java.util.Map<String, Linear> linears() {
            var m = new java.util.LinkedHashMap<String, Linear>();
            m.put("self_attn.q_proj", q);
            m.put("self_attn.k_proj", k);
            m.put("self_attn.v_proj", v);
            m.put("self_attn.o_proj", o);
            m.put("mlp.gate_proj", gate);
            m.put("mlp.up_proj", up);
            m.put("mlp.down_proj", down);
            return m;
        }

        /** Every tensor the layer reads, adapters included (what a recomputed layer may train). */
        public List<Tensor> tensors() {
            List<Tensor> t = new ArrayList<>(List.of(inputNorm, postNorm));
            for (Linear l : linears().values()) {
                t.add(l.weight());
                if (l.bias() != null) t.add(l.bias());
                if (l.lora() != null) { t.add(l.lora().a()); t.add(l.lora().b()); }
            }
            return t;
        }
    }

    TextModel(TextConfig d, boolean tied, Weights w) {
        this.dims = d;
        this.eps = (float) d.rmsNormEps();
        int c = d.hiddenSize(), kv = d.numKvHeads() * d.headDim(), f = d.intermediateSize();
        embed = w.take("model.embed_tokens.weight", d.vocabSize(), c);
        for (int i = 0; i < d.numLayers(); i++) {
            String p = "model.layers." + i + ".";
            layers.add(new Layer(w.take(p + "input_layernorm.weight", c),
                    new Linear(w.takeLinear(p + "self_attn.q_proj.weight", c, c), w.take(p + "self_attn.q_proj.bias", c)),
                    new Linear(w.takeLinear(p + "self_attn.k_proj.weight", kv, c), w.take(p + "self_attn.k_proj.bias", kv)),
                    new Linear(w.takeLinear(p + "self_attn.v_proj.weight", kv, c), w.take(p + "self_attn.v_proj.bias", kv)),
                    new Linear(w.takeLinear(p + "self_attn.o_proj.weight", c, c), null),
                    w.take(p + "post_attention_layernorm.weight", c),
                    new Linear(w.takeLinear(p + "mlp.gate_proj.weight", f, c), null),
                    new Linear(w.takeLinear(p + "mlp.up_proj.weight", f, c), null),
                    new Linear(w.takeLinear(p + "mlp.down_proj.weight", c, f), null)));
        }
        norm = w.take("model.norm.weight", c);
        head = tied ? embed : w.take("lm_head.weight", d.vocabSize(), c);
        // The logits product reads the whole head once per decoded token: from a BF16 checkpoint opened for
        // generation it reads a BF16 copy (a 0.5B model's tied head is 544 MB in F32 of ~1.26 GB a token reads).
        logitsHead = w.asStoredOperand(tied ? "model.embed_tokens.weight" : "lm_head.weight", head);
    }

    public TextConfig config() { return dims; }

    public Tensor embedding() { return embed; }

    /** The LM head weight (V, C) in the compute dtype: the parameter, which the fused log-prob and training read. */
    public Tensor head() { return head; }

    /**
     * The LM head as the logits product reads it: {@link #head()}, or its BF16 copy when a BF16 checkpoint's linear
     * layers are kept as stored (the same values; only a matmul operand, never trained).
     */
    public Tensor logitsHead() { return logitsHead; }

    public List<Layer> layers() { return layers; }

    /** ids (N) I32 → (N, C). */
    Tensor embed(Ops ops, Tensor ids) { return ops.gatherRows(embed, ids); }

    /** cos, sin (N, D/2) for positions (3, N). */
    Tensor[] rope(Backend be, int[] positions, int n) {
        int hd = dims.headDim();
        Tensor cos = be.empty(DType.F32, Shape.of(n, hd / 2)), sin = be.empty(DType.F32, Shape.of(n, hd / 2));
        be.ropeTable(RopeSpec.mrope(hd, dims.ropeTheta(), dims.mropeSection().stream().mapToInt(Integer::intValue).toArray()), Qwen25VL.upload(be, Tensor.ofInts(positions, 3, n)), cos, sin);
        return new Tensor[] {cos, sin};
    }

    /**
     * Packed causal forward over S sequences.
     *
     * @param x     (N, C) input embeddings
     * @param spec  one causal segment per sequence
     * @param cache when not null, each sequence s's keys/values are written to cache slot {@code cacheRows[s]} from
     *              its current length on
     * @param mode  adapters on or off, their dropout, and whether layers are recomputed in backward (not with a cache)
     * @return (N, C) final-normed hidden states
     */
    Tensor forward(Ops ops, Tensor x, Tensor cos, Tensor sin, AttentionSpec spec, KvCache cache, int[] cacheRows,
                   ForwardMode mode) {
        for (int l = 0; l < layers.size(); l++) {
            Layer ly = layers.get(l);
            int li = l;
            if (cache == null && mode.recompute()) {
                x = Checkpoint.apply(ops, h -> layer(ops, ly, h, cos, sin, spec, null, li, cacheRows, mode), x, ly.tensors());
            } else {
                x = layer(ops, ly, x, cos, sin, spec, cache, l, cacheRows, mode);
            }
        }
        if (cache != null) {
            int[] added = new int[spec.segments()];
            for (int s = 0; s < added.length; s++) added[s] = spec.cuSeqlensQ()[s + 1] - spec.cuSeqlensQ()[s];
            cache.advance(cacheRows, added);
        }
        return ops.rmsnorm(x, norm, eps);
    }

    /** One decoder layer over x (N, C). */
    private Tensor layer(Ops ops, Layer ly, Tensor x, Tensor cos, Tensor sin, AttentionSpec spec, KvCache cache, int l,
                         int[] cacheRows, ForwardMode mode) {
        int n = x.dim(0), hq = dims.numHeads(), hkv = dims.numKvHeads(), hd = dims.headDim();
        Tensor h = ops.rmsnorm(x, ly.inputNorm(), eps);
        Tensor q = ops.rope(ly.q().forward(ops, h, mode).reshape(n, hq, hd), cos, sin);
        Tensor k = ops.rope(ly.k().forward(ops, h, mode).reshape(n, hkv, hd), cos, sin);
        Tensor v = ly.v().forward(ops, h, mode).reshape(n, hkv, hd);
        if (cache != null) {
            for (int s = 0; s < spec.segments(); s++) {
                int a = spec.cuSeqlensQ()[s], len = spec.cuSeqlensQ()[s + 1] - a;
                cache.write(ops.backend(), l, cacheRows[s], cache.length(cacheRows[s]), k.narrow(0, a, len), v.narrow(0, a, len));
            }
        }
        Tensor att = ops.attention(q, k, v, spec).reshape(n, hq * hd);
        x = ops.add(x, ly.o().forward(ops, att, mode));
        return mlp(ops, ly, x, mode);
    }

    private Tensor mlp(Ops ops, Layer ly, Tensor x, ForwardMode mode) {
        Tensor m = ops.rmsnorm(x, ly.postNorm(), eps);
        return ops.add(x, ly.down().forward(ops, ops.swiglu(ly.gate().forward(ops, m, mode), ly.up().forward(ops, m, mode)), mode));
    }

    /**
     * One decoding step for B sequences held in cache slots {@code slots} (any subset of the cache's slots, in any
     * order): x (B, C) the new tokens' embeddings, cos/sin (B, D/2) their positions. Appends each row's key/value to
     * its slot and returns (B, C) final-normed hidden states. Inference only (no tape).
     */
    Tensor decode(Ops ops, Tensor x, Tensor cos, Tensor sin, KvCache cache, int[] slots) {
        Backend be = ops.backend();
        int b = x.dim(0), hq = dims.numHeads(), hkv = dims.numKvHeads(), hd = dims.headDim();
        if (slots.length != b) throw new IllegalArgumentException("decode: " + slots.length + " cache slots for " + b + " tokens");
        int[] lengths = new int[b], visible = new int[b];
        for (int i = 0; i < b; i++) {
            lengths[i] = cache.length(slots[i]);
            visible[i] = lengths[i] + 1;
        }
        for (int l = 0; l < layers.size(); l++) {
            Layer ly = layers.get(l);
            Tensor h = ops.rmsnorm(x, ly.inputNorm(), eps);
            Tensor q = ops.rope(ly.q().forward(ops, h).reshape(b, hq, hd), cos, sin);
            Tensor k = ops.rope(ly.k().forward(ops, h).reshape(b, hkv, hd), cos, sin);
            Tensor v = ly.v().forward(ops, h).reshape(b, hkv, hd);
            cache.writeStep(be, l, slots, lengths, k, v);
            Tensor att = be.empty(q.dtype(), Shape.of(b, hq, hd));
            be.attentionDecode(q, cache.keys(l), cache.values(l), slots, visible, (float) (1 / Math.sqrt(hd)), att);
            x = ops.add(x, ly.o().forward(ops, att.reshape(b, hq * hd)));
            x = mlp(ops, ly, x, ForwardMode.INFERENCE);
        }
        int[] one = new int[b];
        java.util.Arrays.fill(one, 1);
        cache.advance(slots, one);
        return ops.rmsnorm(x, norm, eps);
    }
}
