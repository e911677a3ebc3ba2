package ai.pulsemind.data;

import ai.pulsemind.data.images.DecodedImage;
import ai.pulsemind.data.images.ImageDecoder;

import java.util.List;

/**
 * Turns one record into model inputs: renders the chat template, tokenizes, runs the image processor, and marks
 * which tokens are trained on. The model package implements it (Qwen2.5-VL tokenizer, chat template and image
 * processor); the data loader only calls it, so batching, shuffling and resuming are independent of the model.
 *
 * <p>Contract:
 * <ul>
 *   <li>{@code images} are the record's {@link MediRecord#images()} in that order, decoded to RGB within
 *       {@link #imageOptions()} (and the loader's per-sample pixel budget);</li>
 *   <li>{@link EncodedSample#lossMask()}{@code [i] == 1} exactly for tokens of doctor turns (their text and the
 *       token that ends the turn); patient turns, the system prompt, role headers and image placeholders are 0;</li>
 *   <li>the encoder is called from several loader threads at once, so it must be thread-safe;</li>
 *   <li>a record it cannot encode throws {@link IllegalArgumentException} with a message; the loader counts the
 *       record as failed and goes on.</li>
 * </ul>
 */
public interface SampleEncoder {
    EncodedSample encode(MediRecord record, List<DecodedImage> images);

    /** How images are decoded before {@link #encode}: e.g. the processor's max_pixels. Default: as stored. */
    default ImageDecoder.Options imageOptions() { return ImageDecoder.Options.DEFAULT; }
}
