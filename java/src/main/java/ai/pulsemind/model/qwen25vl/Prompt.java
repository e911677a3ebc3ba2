package ai.pulsemind.model.qwen25vl;

import ai.pulsemind.data.Conversation;
import ai.pulsemind.data.EncodedImage;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * What the model reads for one generation request: token ids with their image pads expanded, the processed images
 * in the order of their pad runs, the M-RoPE positions, and where the next generated token sits. Made by
 * {@link QwenSampleEncoder#forGeneration} from a conversation and grown with {@link QwenSampleEncoder#withCompletion}
 * (generated ids appended, never re-tokenized) and {@link QwenSampleEncoder#followUp} (the next turns appended).
 * Immutable; the arrays are not copied out again, so do not modify them.
 *
 * @param ids          (N) token ids
 * @param images       the processed images, in the order their {@code <|image_pad|>} runs appear in {@code ids}
 * @param positions    (3, N) row-major temporal, height, width positions ({@link RopeIndex})
 * @param nextPosition the position of the next token appended (one past the largest so far)
 * @param conversation what {@code ids} render, completions included as assistant messages (their decoded text,
 *                     which only lets the chat template render what follows), or null for a prompt made from raw
 *                     ids (such a prompt cannot be followed up)
 */
public record Prompt(int[] ids, List<EncodedImage> images, int[] positions, int nextPosition, Conversation conversation) {
    public Prompt {
        Objects.requireNonNull(ids, "ids");
        images = List.copyOf(images);
        if (positions.length != 3 * ids.length)
            throw new IllegalArgumentException("prompt: " + positions.length + " position ids for 3 x " + ids.length + " tokens");
        for (int p : positions)
            if (p >= nextPosition) throw new IllegalArgumentException("prompt: position " + p + " is not below the next position " + nextPosition);
    }

    /** A text-only prompt of raw ids (positions 0, 1, 2, …), e.g. for benchmarks and tests. */
    public static Prompt ofIds(int... ids) {
        RopeIndex r = RopeIndex.text(ids.length, 0);
        return new Prompt(ids.clone(), List.of(), r.positions(), r.next(), null);
    }

    /**
     * A prompt from a model sequence (the older input form): positions are the sequence's or {@link RopeIndex}'s,
     * images are copied to host arrays.
     */
    public static Prompt of(Qwen25VL.Sequence seq, int imageTokenId, int mergeSize) {
        List<int[]> grids = seq.images().stream().map(Qwen25VL.Image::grid).toList();
        int[] pos = seq.positions() != null ? seq.positions() : RopeIndex.of(seq.ids(), imageTokenId, grids, mergeSize).positions();
        int next = 0;
        for (int p : pos) next = Math.max(next, p + 1);
        List<EncodedImage> ims = new ArrayList<>();
        for (Qwen25VL.Image im : seq.images()) {
            int[] g = im.grid();
            float[] px = im.pixels().device().isHost() ? im.pixels().toFloatArray() : null;
            if (px == null) throw new IllegalArgumentException("prompt: image pixels must be on the host");
            ims.add(new EncodedImage(px, im.pixels().dim(0), im.pixels().dim(1), g[0], g[1], g[2]));
        }
        return new Prompt(seq.ids().clone(), ims, pos, next, null);
    }

    public int length() { return ids.length; }

    /** The prompt as model input, images as host tensors (allocated now: call it inside the step that uses them). */
    public Qwen25VL.Sequence sequence() {
        List<Qwen25VL.Image> ims = new ArrayList<>(images.size());
        for (EncodedImage e : images) ims.add(Qwen25VL.image(e));
        return new Qwen25VL.Sequence(ids, ims, positions);
    }
}
