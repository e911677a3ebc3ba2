package ai.pulsemind.train;

import ai.pulsemind.data.EncodedImage;
import ai.pulsemind.data.EncodedSample;
import ai.pulsemind.data.MediRecord;
import ai.pulsemind.data.SampleEncoder;
import ai.pulsemind.data.images.DecodedImage;
import ai.pulsemind.data.images.ImageDecoder;

import java.util.Arrays;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A {@link SampleEncoder} that bounds sample length: a sample over {@code maxLength} tokens is truncated (cut before
 * any image whose placeholder run would be cut, so every kept image keeps all its tokens) or skipped (the loader
 * counts it as failed, with the reason), and counted either way. Thread-safe like the encoder it wraps.
 */
public final class BoundedEncoder implements SampleEncoder {
    private final SampleEncoder inner;
    private final int maxLength;
    private final boolean truncate;
    private final int visionStart, visionEnd;
    private final AtomicLong truncated = new AtomicLong(), skipped = new AtomicLong();

    public BoundedEncoder(SampleEncoder inner, int maxLength, boolean truncate, int visionStart, int visionEnd) {
        this.inner = inner;
        this.maxLength = maxLength;
        this.truncate = truncate;
        this.visionStart = visionStart;
        this.visionEnd = visionEnd;
    }

    public long truncated() { return truncated.get(); }

    public long skipped() { return skipped.get(); }

    @Override
    public ImageDecoder.Options imageOptions() { return inner.imageOptions(); }

    @Override
    public EncodedSample encode(MediRecord record, List<DecodedImage> images) {
        EncodedSample s = inner.encode(record, images);
        if (s.length() <= maxLength) return s;
        if (!truncate) {
            skipped.incrementAndGet();
            throw new IllegalArgumentException(record.id() + ": " + s.length() + " tokens, over --max-length " + maxLength + " (skipped; --too-long truncate keeps its start)");
        }
        truncated.incrementAndGet();
        return truncate(s);
    }

    /** The first tokens up to maxLength, ending before an image that would not fit whole. */
    EncodedSample truncate(EncodedSample s) {
        int[] t = s.tokens();
        int cut = maxLength;
        int vs = cut - 1;
        while (vs >= 0 && t[vs] != visionStart && t[vs] != visionEnd) vs--;
        if (vs >= 0 && t[vs] == visionStart) cut = vs; // the cut falls inside <|vision_start|> pads… <|vision_end|>
        int keptImages = 0;
        for (int i = 0; i < cut; i++) if (t[i] == visionStart) keptImages++;
        if (cut < 2) throw new IllegalArgumentException(s.id() + ": nothing is left after truncating to --max-length " + maxLength);
        int c = cut;
        int[][] pos = s.positions() == null ? null : Arrays.stream(s.positions()).map(r -> Arrays.copyOf(r, c)).toArray(int[][]::new);
        List<EncodedImage> ims = s.images().subList(0, Math.min(keptImages, s.images().size()));
        return new EncodedSample(s.id(), Arrays.copyOf(t, cut), Arrays.copyOf(s.lossMask(), cut), ims, pos);
    }
}
