package ai.pulsemind.data.batch;

import ai.pulsemind.data.EncodedImage;

import java.util.List;

/**
 * A batch of encoded samples.
 *
 * <p>PACKED: {@code tokens}/{@code lossMask} are (T) with the samples back to back; sample b is
 * {@code [cuSeqlens[b], cuSeqlens[b+1])} (the layout of {@code AttentionSpec}'s varlen attention).
 * PADDED: they are (B, L) row-major with L = {@code rowLength}; row b holds sample b then {@code padId}s with
 * mask 0; {@code cuSeqlens} still gives the real lengths as prefix sums.
 *
 * @param ids       record ids, in batch order
 * @param tokens    see above
 * @param lossMask  1 on trained (doctor-turn) tokens, 0 elsewhere and on padding
 * @param cuSeqlens (B+1) prefix sums of sample lengths
 * @param rowLength padded row length (PADDED), or the total length (PACKED)
 * @param positions (R, T) concatenated or padded position ids, or null when the encoder gives none
 * @param images    every sample's images, in sample order
 * @param imageCounts (B) images per sample
 * @param next      the cursor that resumes right after this batch
 */
public record Batch(LoaderConfig.Layout layout, List<String> ids, int[] tokens, byte[] lossMask, int[] cuSeqlens,
                    int rowLength, int[][] positions, List<EncodedImage> images, int[] imageCounts, LoaderCursor next) {
    public int size() { return ids.size(); }

    /** Real (unpadded) tokens. */
    public int realTokens() { return cuSeqlens[cuSeqlens.length - 1]; }
}
