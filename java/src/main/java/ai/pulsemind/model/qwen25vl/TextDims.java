package ai.pulsemind.model.qwen25vl;

import java.util.Arrays;

/**
 * The text decoder's hyper-parameters, as the model needs them (the parsed Hugging Face config maps onto this).
 *
 * @param mropeSection frequencies per (t, h, w) axis; sums to headDim/2
 * @param maxPositions the context length (max_position_embeddings)
 */
public record TextDims(int hidden, int layers, int heads, int kvHeads, int intermediate, int vocab, float rmsEps,
                       double ropeTheta, int[] mropeSection, boolean tiedEmbeddings, int maxPositions) {
    public TextDims {
        if (hidden <= 0 || layers <= 0 || heads <= 0 || kvHeads <= 0 || intermediate <= 0 || vocab <= 0 || maxPositions <= 0)
            throw new IllegalArgumentException("text dims must be positive: " + this);
        if (hidden % heads != 0) throw new IllegalArgumentException("hidden " + hidden + " not divisible by heads " + heads);
        if (heads % kvHeads != 0) throw new IllegalArgumentException("heads " + heads + " not a multiple of kv heads " + kvHeads);
        if (Arrays.stream(mropeSection).sum() * 2 != hidden / heads)
            throw new IllegalArgumentException("mrope_section " + Arrays.toString(mropeSection) + " must sum to head_dim/2 = "
                    + hidden / heads / 2);
        mropeSection = mropeSection.clone();
    }

    public int headDim() { return hidden / heads; }

    @Override public String toString() {
        return "TextDims[hidden=" + hidden + ", layers=" + layers + ", heads=" + heads + "/" + kvHeads + ", ffn=" + intermediate
                + ", vocab=" + vocab + ", mrope=" + Arrays.toString(mropeSection) + ", tied=" + tiedEmbeddings + "]";
    }
}
