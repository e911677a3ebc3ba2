package ai.pulsemind.data.batch;

import ai.pulsemind.config.InvalidSetting;

/**
 * How the loader batches.
 *
 * @param seed              shuffling seed (the order of epoch e is a function of seed and e only)
 * @param shuffle           false: records in dataset order (evaluation)
 * @param layout            PACKED: samples concatenated into one row with cu_seqlens (no padding);
 *                          PADDED: one row per sample padded to the longest, samples bucketed by length
 * @param maxTokens         token budget of a batch: total tokens (PACKED) or rows × padded length (PADDED)
 * @param maxSamples        at most this many samples per batch
 * @param window            records read, encoded and sorted by length together (the bucketing window); batches
 *                          never mix windows, which is what makes a cursor exact
 * @param threads           decode/encode threads
 * @param maxPixelsPerSample upper bound on the pixels of all images of one sample together (0: none); each image
 *                          gets an equal share, within the encoder's own per-image bound
 * @param padId             token used for padding in the PADDED layout
 */
public record LoaderConfig(long seed, boolean shuffle, Layout layout, int maxTokens, int maxSamples, int window,
                           int threads, long maxPixelsPerSample, int padId) {
    public enum Layout { PACKED, PADDED }

    public LoaderConfig {
        if (layout == null) throw new IllegalArgumentException("layout is required (PACKED or PADDED)");
        InvalidSetting.atLeast("maxTokens", maxTokens, 1);
        InvalidSetting.atLeast("maxSamples", maxSamples, 1);
        InvalidSetting.atLeast("window", window, 1);
        InvalidSetting.atLeast("threads", threads, 1);
        InvalidSetting.atLeast("maxPixelsPerSample", maxPixelsPerSample, 0);
    }

    /**
     * Shuffled, packed batches of at most 64 samples, a window of 32 records, one thread per core. A window keeps
     * its encoded samples in memory (a 1-megapixel image is about 24 MB of f32 patches, its frame doubled in
     * time), so it stays small: 256 records of such images held gigabytes at once and caused long GC pauses, and
     * packing needs no wide window.
     */
    public static LoaderConfig packed(long seed, int maxTokens) {
        return new LoaderConfig(seed, true, Layout.PACKED, maxTokens, 64, 32, Runtime.getRuntime().availableProcessors(), 0, 0);
    }
}
