package ai.pulsemind.model.io;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Tensor names of Qwen2.5-VL checkpoints. The canonical names are those of the published checkpoints
 * ({@code model.layers.N.*}, {@code model.embed_tokens.weight}, {@code visual.blocks.N.*}, {@code visual.merger.*},
 * {@code lm_head.weight}); transformers 5 saves the same tensors as {@code model.language_model.*} and
 * {@code model.visual.*}, and {@link #canonical} maps those back.
 *
 * <p>Shapes ({@link #expectedShapes}) follow the PyTorch modules: Linear weights are (out, in); the patch embedding
 * is a bias-free Conv3d (Cv, channels, temporal, patch, patch); norms are RMSNorm weights only.
 */
public final class WeightNames {
    public static final String EMBED = "model.embed_tokens.weight";
    public static final String NORM = "model.norm.weight";
    public static final String LM_HEAD = "lm_head.weight";
    public static final String PATCH_EMBED = "visual.patch_embed.proj.weight";
    public static final String MERGER_NORM = "visual.merger.ln_q.weight";

    private static final String T5_TEXT = "model.language_model.";
    private static final String T5_VISION = "model.visual.";

    private WeightNames() {}

    /** {@code model.layers.<i>.<suffix>}, e.g. layer(0, "self_attn.q_proj.weight"). */
    public static String layer(int i, String suffix) { return "model.layers." + i + "." + suffix; }

    /** {@code visual.blocks.<i>.<suffix>}, e.g. block(0, "attn.qkv.weight"). */
    public static String block(int i, String suffix) { return "visual.blocks." + i + "." + suffix; }

    /** {@code visual.merger.mlp.<i>.<weight|bias>}: i is 0 (first Linear) or 2 (second; 1 is the GELU). */
    public static String mergerMlp(int i, String param) { return "visual.merger.mlp." + i + "." + param; }

    /** The canonical (published) name of a stored name; names already canonical are returned unchanged. */
    public static String canonical(String stored) {
        if (stored.startsWith(T5_TEXT)) return "model." + stored.substring(T5_TEXT.length());
        if (stored.startsWith(T5_VISION)) return "visual." + stored.substring(T5_VISION.length());
        return stored;
    }

    /** The name transformers 5 gives the canonical tensor {@code name}. */
    public static String transformers5(String name) {
        if (name.startsWith("visual.")) return T5_VISION + name.substring("visual.".length());
        if (name.startsWith("model.")) return T5_TEXT + name.substring("model.".length());
        return name;
    }

    /** Every tensor the config implies, canonical name → shape, in module order; lm_head only when untied. */
    public static Map<String, int[]> expectedShapes(Qwen25VlConfig c) {
        Map<String, int[]> m = new LinkedHashMap<>();
        VisionConfig v = c.vision();
        int cv = v.hiddenSize(), fv = v.intermediateSize(), md = v.mergedDim();
        m.put(PATCH_EMBED, new int[] {cv, v.inChannels(), v.temporalPatchSize(), v.patchSize(), v.patchSize()});
        for (int i = 0; i < v.depth(); i++) {
            m.put(block(i, "norm1.weight"), new int[] {cv});
            m.put(block(i, "norm2.weight"), new int[] {cv});
            m.put(block(i, "attn.qkv.weight"), new int[] {3 * cv, cv});
            m.put(block(i, "attn.qkv.bias"), new int[] {3 * cv});
            m.put(block(i, "attn.proj.weight"), new int[] {cv, cv});
            m.put(block(i, "attn.proj.bias"), new int[] {cv});
            for (String p : List.of("gate_proj", "up_proj")) {
                m.put(block(i, "mlp." + p + ".weight"), new int[] {fv, cv});
                m.put(block(i, "mlp." + p + ".bias"), new int[] {fv});
            }
            m.put(block(i, "mlp.down_proj.weight"), new int[] {cv, fv});
            m.put(block(i, "mlp.down_proj.bias"), new int[] {cv});
        }
        m.put(MERGER_NORM, new int[] {cv});
        m.put(mergerMlp(0, "weight"), new int[] {md, md});
        m.put(mergerMlp(0, "bias"), new int[] {md});
        m.put(mergerMlp(2, "weight"), new int[] {v.outHiddenSize(), md});
        m.put(mergerMlp(2, "bias"), new int[] {v.outHiddenSize()});
        textShapes(c.text(), m);
        if (!c.tieWordEmbeddings()) m.put(LM_HEAD, new int[] {c.text().vocabSize(), c.text().hiddenSize()});
        return m;
    }

    private static void textShapes(TextConfig t, Map<String, int[]> m) {
        int C = t.hiddenSize(), F = t.intermediateSize(), q = t.numHeads() * t.headDim(), kv = t.numKvHeads() * t.headDim();
        m.put(EMBED, new int[] {t.vocabSize(), C});
        for (int i = 0; i < t.numLayers(); i++) {
            m.put(layer(i, "input_layernorm.weight"), new int[] {C});
            m.put(layer(i, "self_attn.q_proj.weight"), new int[] {q, C});
            m.put(layer(i, "self_attn.q_proj.bias"), new int[] {q});
            m.put(layer(i, "self_attn.k_proj.weight"), new int[] {kv, C});
            m.put(layer(i, "self_attn.k_proj.bias"), new int[] {kv});
            m.put(layer(i, "self_attn.v_proj.weight"), new int[] {kv, C});
            m.put(layer(i, "self_attn.v_proj.bias"), new int[] {kv});
            m.put(layer(i, "self_attn.o_proj.weight"), new int[] {C, q});
            m.put(layer(i, "post_attention_layernorm.weight"), new int[] {C});
            m.put(layer(i, "mlp.gate_proj.weight"), new int[] {F, C});
            m.put(layer(i, "mlp.up_proj.weight"), new int[] {F, C});
            m.put(layer(i, "mlp.down_proj.weight"), new int[] {C, F});
        }
        m.put(NORM, new int[] {C});
    }
}
