package ai.pulsemind.model.qwen25vl;

import ai.pulsemind.model.io.TextConfig;
import ai.pulsemind.model.io.VisionConfig;
import ai.pulsemind.tensor.Tensor;
import ai.pulsemind.testing.Rand;

import java.util.HashMap;
import java.util.List;
import java.util.Map;

/** Random tiny Qwen2.5-VL checkpoints (Hugging Face names) for self-consistency tests. */
public final class TinyModels {
    public static final TextConfig TEXT = new TextConfig(16, 2, 4, 2, 24, 40, 1e-6, 10000, List.of(1, 1, 0), 256, "silu");
    /** Patch 2, merge 2, temporal 2, windows of 8 px (2×2 merged units); block 1 attends fully. */
    public static final VisionConfig VISION = new VisionConfig(2, 16, 20, 2, 2, 2, 2, 8, List.of(1), 16, 3, "silu", 2);
    public static final boolean TIED = false;
    public static final int IMAGE_TOKEN = 39;

    private TinyModels() {}

    public static Map<String, Tensor> weights(TextConfig t, VisionConfig v, long seed) {
        Rand r = new Rand(seed);
        Map<String, Tensor> w = new HashMap<>();
        int c = t.hiddenSize(), kv = t.numKvHeads() * t.headDim(), f = t.intermediateSize();
        w.put("model.embed_tokens.weight", r.uniform(1, t.vocabSize(), c));
        for (int i = 0; i < t.numLayers(); i++) {
            String p = "model.layers." + i + ".";
            w.put(p + "input_layernorm.weight", r.uniform(1, c));
            w.put(p + "post_attention_layernorm.weight", r.uniform(1, c));
            w.put(p + "self_attn.q_proj.weight", r.uniform(0.4f, c, c));
            w.put(p + "self_attn.q_proj.bias", r.uniform(0.1f, c));
            w.put(p + "self_attn.k_proj.weight", r.uniform(0.4f, kv, c));
            w.put(p + "self_attn.k_proj.bias", r.uniform(0.1f, kv));
            w.put(p + "self_attn.v_proj.weight", r.uniform(0.4f, kv, c));
            w.put(p + "self_attn.v_proj.bias", r.uniform(0.1f, kv));
            w.put(p + "self_attn.o_proj.weight", r.uniform(0.4f, c, c));
            w.put(p + "mlp.gate_proj.weight", r.uniform(0.4f, f, c));
            w.put(p + "mlp.up_proj.weight", r.uniform(0.4f, f, c));
            w.put(p + "mlp.down_proj.weight", r.uniform(0.4f, c, f));
        }
        w.put("model.norm.weight", r.uniform(1, c));
        if (!TIED) w.put("lm_head.weight", r.uniform(1, t.vocabSize(), c));
        if (v != null) {
            int vc = v.hiddenSize(), vf = v.intermediateSize(), u = v.mergedDim();
            w.put("visual.patch_embed.proj.weight", r.uniform(0.3f, vc, v.inChannels(), v.temporalPatchSize(), v.patchSize(), v.patchSize()));
            for (int i = 0; i < v.depth(); i++) {
                String p = "visual.blocks." + i + ".";
                w.put(p + "norm1.weight", r.uniform(1, vc));
                w.put(p + "norm2.weight", r.uniform(1, vc));
                w.put(p + "attn.qkv.weight", r.uniform(0.4f, 3 * vc, vc));
                w.put(p + "attn.qkv.bias", r.uniform(0.1f, 3 * vc));
                w.put(p + "attn.proj.weight", r.uniform(0.4f, vc, vc));
                w.put(p + "attn.proj.bias", r.uniform(0.1f, vc));
                w.put(p + "mlp.gate_proj.weight", r.uniform(0.4f, vf, vc));
                w.put(p + "mlp.gate_proj.bias", r.uniform(0.1f, vf));
                w.put(p + "mlp.up_proj.weight", r.uniform(0.4f, vf, vc));
                w.put(p + "mlp.up_proj.bias", r.uniform(0.1f, vf));
                w.put(p + "mlp.down_proj.weight", r.uniform(0.4f, vc, vf));
                w.put(p + "mlp.down_proj.bias", r.uniform(0.1f, vc));
            }
            w.put("visual.merger.ln_q.weight", r.uniform(1, vc));
            w.put("visual.merger.mlp.0.weight", r.uniform(0.3f, u, u));
            w.put("visual.merger.mlp.0.bias", r.uniform(0.1f, u));
            w.put("visual.merger.mlp.2.weight", r.uniform(0.3f, v.outHiddenSize(), u));
            w.put("visual.merger.mlp.2.bias", r.uniform(0.1f, v.outHiddenSize()));
        }
        return w;
    }

    /** Flattened random patches for a (t, h, w) grid. */
    public static Qwen25VL.Image image(Rand r, int t, int h, int w) {
        int dim = VISION.patchDim();
        return new Qwen25VL.Image(r.uniform(1, t * h * w, dim), new int[] {t, h, w});
    }
}
