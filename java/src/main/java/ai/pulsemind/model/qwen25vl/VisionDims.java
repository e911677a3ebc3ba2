package ai.pulsemind.model.qwen25vl;

import java.util.Arrays;

/**
 * The vision tower's hyper-parameters.
 *
 * @param fullAttentionBlocks block indexes with full attention; the others attend within windows of
 *                            {@code windowSize} pixels
 */
public record VisionDims(int depth, int hidden, int intermediate, int heads, int patch, int temporalPatch, int merge,
                         int windowSize, int[] fullAttentionBlocks, int outHidden, int inChannels) {
    public VisionDims {
        if (depth <= 0 || hidden <= 0 || heads <= 0 || patch <= 0 || temporalPatch <= 0 || merge <= 0 || outHidden <= 0)
            throw new IllegalArgumentException("vision dims must be positive: " + this);
        if (hidden % heads != 0 || (hidden / heads) % 4 != 0)
            throw new IllegalArgumentException("vision head dim " + hidden + "/" + heads + " must be a multiple of 4 (2-D rotary)");
        if (windowSize % (patch * merge) != 0)
            throw new IllegalArgumentException("window_size " + windowSize + " must be a multiple of patch·merge = " + patch * merge);
        for (int b : fullAttentionBlocks)
            if (b < 0 || b >= depth) throw new IllegalArgumentException("fullatt_block_indexes entry " + b + " not in [0, " + depth + ")");
        fullAttentionBlocks = fullAttentionBlocks.clone();
    }

    public int headDim() { return hidden / heads; }

    public boolean isFullAttention(int block) { return Arrays.stream(fullAttentionBlocks).anyMatch(b -> b == block); }

    @Override public String toString() {
        return "VisionDims[depth=" + depth + ", hidden=" + hidden + ", heads=" + heads + ", patch=" + patch + "x" + temporalPatch
                + ", merge=" + merge + ", window=" + windowSize + ", full=" + Arrays.toString(fullAttentionBlocks) + "]";
    }
}
