package ai.pulsemind.model.io;

import java.util.List;

/**
 * The Qwen2.5-VL vision tower's shape: a ViT over 3-D patches with window attention, RMSNorm, a gated MLP, and a
 * merger that folds {@code spatialMergeSize²} neighbouring patches into one language-model token.
 *
 * @param depth               vision blocks
 * @param hiddenSize          Cv, the tower's width
 * @param intermediateSize    Fv, its MLP width
 * @param numHeads            attention heads
 * @param patchSize           spatial patch side in pixels
 * @param spatialMergeSize    patches merged per side by the merger
 * @param temporalPatchSize   frames per patch (an image is repeated this many times)
 * @param windowSize          window side in pixels for windowed blocks
 * @param fullattBlockIndexes blocks that attend over the whole image instead of windows
 * @param outHiddenSize       the merger's output width, the language model's C
 * @param inChannels          image channels (3)
 * @param hiddenAct           MLP activation (only "silu")
 * @param tokensPerSecond     video temporal position scale (unused for images)
 */
public record VisionConfig(int depth, int hiddenSize, int intermediateSize, int numHeads, int patchSize,
                           int spatialMergeSize, int temporalPatchSize, int windowSize,
                           List<Integer> fullattBlockIndexes, int outHiddenSize, int inChannels, String hiddenAct,
                           int tokensPerSecond) {
    public VisionConfig {
        fullattBlockIndexes = List.copyOf(fullattBlockIndexes);
        TextConfig.requirePositive("vision_config.depth", depth);
        TextConfig.requirePositive("vision_config.hidden_size", hiddenSize);
        TextConfig.requirePositive("vision_config.intermediate_size", intermediateSize);
        TextConfig.requirePositive("vision_config.num_heads", numHeads);
        TextConfig.requirePositive("vision_config.patch_size", patchSize);
        TextConfig.requirePositive("vision_config.spatial_merge_size", spatialMergeSize);
        TextConfig.requirePositive("vision_config.temporal_patch_size", temporalPatchSize);
        TextConfig.requirePositive("vision_config.window_size", windowSize);
        TextConfig.requirePositive("vision_config.out_hidden_size", outHiddenSize);
        TextConfig.requirePositive("vision_config.in_chans", inChannels);
        if (hiddenSize % numHeads != 0)
            throw new IllegalArgumentException("vision_config.hidden_size " + hiddenSize + " is not a multiple of num_heads " + numHeads);
        if (windowSize % (patchSize * spatialMergeSize) != 0)
            throw new IllegalArgumentException("vision_config.window_size " + windowSize + " is not a multiple of patch_size × spatial_merge_size = "
                    + patchSize * spatialMergeSize);
        for (int b : fullattBlockIndexes)
            if (b < 0 || b >= depth)
                throw new IllegalArgumentException("vision_config.fullatt_block_indexes " + fullattBlockIndexes + " must lie in [0, " + depth + ")");
        if (!"silu".equals(hiddenAct))
            throw new IllegalArgumentException("vision_config.hidden_act '" + hiddenAct + "' is not supported (only silu)");
    }

    public int headDim() { return hiddenSize / numHeads; }

    /** Values per flattened patch: channels × temporal × patch × patch (the patch-embedding GEMM's K). */
    public int patchDim() { return inChannels * temporalPatchSize * patchSize * patchSize; }

    /** Width of a merged token before the merger MLP: Cv × merge². */
    public int mergedDim() { return hiddenSize * spatialMergeSize * spatialMergeSize; }

    /** Window side in merged tokens. */
    public int windowMergedTokens() { return windowSize / patchSize / spatialMergeSize; }

    public boolean isFullAttention(int block) { return fullattBlockIndexes.contains(block); }
}
