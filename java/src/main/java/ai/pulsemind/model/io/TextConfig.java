package ai.pulsemind.model.io;

import java.util.List;

/**
 * The Qwen2.5-VL language model's shape (Qwen2 decoder with M-RoPE).
 *
 * @param hiddenSize            C, the residual width
 * @param numLayers             decoder layers
 * @param numHeads              Hq, query heads
 * @param numKvHeads            Hkv, key/value heads (GQA: Hq is a multiple of Hkv)
 * @param intermediateSize      F, the SwiGLU width
 * @param vocabSize             V, rows of the embedding and of lm_head (padded beyond the tokenizer's ids)
 * @param rmsNormEps            RMSNorm epsilon
 * @param ropeTheta             rotary base
 * @param mropeSection          rotary frequency pairs given to the temporal, height and width positions; sums to D/2
 * @param maxPositionEmbeddings the context the checkpoint was trained for
 * @param hiddenAct             the MLP activation (only "silu")
 */
public record TextConfig(int hiddenSize, int numLayers, int numHeads, int numKvHeads, int intermediateSize,
                         int vocabSize, double rmsNormEps, double ropeTheta, List<Integer> mropeSection,
                         int maxPositionEmbeddings, String hiddenAct) {
    public TextConfig {
        mropeSection = List.copyOf(mropeSection);
        requirePositive("hidden_size", hiddenSize);
        requirePositive("num_hidden_layers", numLayers);
        requirePositive("num_attention_heads", numHeads);
        requirePositive("num_key_value_heads", numKvHeads);
        requirePositive("intermediate_size", intermediateSize);
        requirePositive("vocab_size", vocabSize);
        requirePositive("max_position_embeddings", maxPositionEmbeddings);
        if (hiddenSize % numHeads != 0)
            throw new IllegalArgumentException("hidden_size " + hiddenSize + " is not a multiple of num_attention_heads " + numHeads);
        if (numHeads % numKvHeads != 0)
            throw new IllegalArgumentException("num_attention_heads " + numHeads + " is not a multiple of num_key_value_heads " + numKvHeads);
        if (!(rmsNormEps > 0)) throw new IllegalArgumentException("rms_norm_eps must be > 0, got " + rmsNormEps);
        if (!(ropeTheta > 0)) throw new IllegalArgumentException("rope_theta must be > 0, got " + ropeTheta);
        int half = hiddenSize / numHeads / 2;
        if (mropeSection.size() != 3 || mropeSection.stream().anyMatch(s -> s < 0)
                || mropeSection.stream().mapToInt(Integer::intValue).sum() != half)
            throw new IllegalArgumentException("mrope_section " + mropeSection + " must be 3 sizes summing to head_dim/2 = " + half);
        if (!"silu".equals(hiddenAct)) throw new IllegalArgumentException("hidden_act '" + hiddenAct + "' is not supported (only silu)");
    }

    /** D, the per-head width: Qwen2 has no separate head_dim field. */
    public int headDim() { return hiddenSize / numHeads; }

    static void requirePositive(String name, int v) {
        if (v <= 0) throw new IllegalArgumentException(name + " must be > 0, got " + v);
    }
}
