/**
 * Text and images into model inputs, as Hugging Face transformers prepares them for Qwen2.5-VL.
 *
 * <ul>
 *   <li>{@link ai.pulsemind.tokenize.Tokenizer}: byte-level BPE from {@code tokenizer.json}, in Java. Ids are
 *       identical to the {@code tokenizers} library on the oracle corpus for Qwen's real vocabulary and two tiny ones,
 *       and Qwen's split regex is checked against Oniguruma code point by code point.</li>
 *   <li>{@link ai.pulsemind.tokenize.ChatTemplate}: chat templates rendered with Jinjava under Jinja's whitespace
 *       rules, so Qwen's published template renders byte for byte as {@code apply_chat_template}.</li>
 *   <li>{@link ai.pulsemind.tokenize.ImageProcessor}: Qwen2-VL preprocessing; resizing is bit-exact with both the
 *       torchvision resizer (transformers 5's default) and Pillow's ({@link ai.pulsemind.tokenize.Resampler}).</li>
 *   <li>{@link ai.pulsemind.tokenize.ImagePads}: one {@code <|image_pad|>} per merged image token.</li>
 * </ul>
 *
 * <p>Why the BPE is Java and not a binding of the Rust library ({@code ai.djl.huggingface:tokenizers} 0.38.0, which
 * bundles it through JNA): both give identical ids (checked on 43,600 mixed-language lines, 946,538 tokens), and the
 * Java one was faster in the same process on this 2-core machine, one thread, per-line encode of those lines with
 * Qwen's vocabulary: 5.1 to 5.7 M tokens/s warm (1.4 M/s on the first pass), against 0.58 M/s through DJL (a JNI
 * call and result objects per line) and 0.90 M/s for the Python {@code tokenizers} library itself. It also needs no
 * 15 MB native library per platform, and loads Qwen's vocabulary in 0.4 to 0.6 s (DJL: 0.8 to 1.1 s).
 *
 * <p>Shapes: pixel_values is (N, C·T·P·P) with N the patches of all images, C = 3 channels, T the temporal patch,
 * P the patch side; image_grid_thw is (t, h, w) in patches per image.
 */
package ai.pulsemind.tokenize;
