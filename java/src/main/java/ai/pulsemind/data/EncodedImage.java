package ai.pulsemind.data;

import java.util.Objects;

/**
 * One image after the model's image processor, in the Qwen2.5-VL layout: flattened patches and their grid.
 *
 * @param pixels   (patches, patchDim) row-major, as the processor's {@code pixel_values} for this image
 * @param patches  number of patch rows, = gridT · gridH · gridW
 * @param patchDim values per patch (C · temporal_patch · patch · patch for Qwen2.5-VL)
 * @param gridT    temporal patches (1 for a still image doubled in time)
 * @param gridH    patch rows
 * @param gridW    patch columns
 */
public record EncodedImage(float[] pixels, int patches, int patchDim, int gridT, int gridH, int gridW) {
    public EncodedImage {
        Objects.requireNonNull(pixels, "pixels");
        if (patches <= 0 || patchDim <= 0) throw new IllegalArgumentException("patches and patchDim must be positive: " + patches + "x" + patchDim);
        if ((long) patches * patchDim != pixels.length)
            throw new IllegalArgumentException("pixels has " + pixels.length + " values, expected patches*patchDim = " + patches + "*" + patchDim);
        if ((long) gridT * gridH * gridW != patches)
            throw new IllegalArgumentException("grid " + gridT + "x" + gridH + "x" + gridW + " does not have " + patches + " patches");
    }
}
