package ai.pulsemind.data;

import java.util.List;
import java.util.Objects;

/**
 * A record as model inputs.
 *
 * @param id        the record id (for logs and for finding a bad sample again)
 * @param tokens    (T) token ids of the rendered conversation, image placeholders included
 * @param lossMask  (T) 1 where the token belongs to a doctor turn and is trained on, else 0; the trainer shifts
 *                  (predicts tokens[i] from tokens[..i-1]), so the mask is on the target token itself
 * @param images    the processed images, in the order their placeholders appear in {@code tokens}
 * @param positions (R, T) position ids when the model needs them precomputed (R = 3 for M-RoPE), else null
 */
public record EncodedSample(String id, int[] tokens, byte[] lossMask, List<EncodedImage> images, int[][] positions) {
    public EncodedSample {
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(tokens, "tokens");
        Objects.requireNonNull(lossMask, "lossMask");
        if (tokens.length == 0) throw new IllegalArgumentException(id + ": no tokens");
        if (lossMask.length != tokens.length)
            throw new IllegalArgumentException(id + ": lossMask has " + lossMask.length + " entries for " + tokens.length + " tokens");
        for (byte b : lossMask) if (b != 0 && b != 1) throw new IllegalArgumentException(id + ": lossMask values are 0 or 1, got " + b);
        images = images == null ? List.of() : List.copyOf(images);
        if (positions != null)
            for (int[] row : positions)
                if (row.length != tokens.length)
                    throw new IllegalArgumentException(id + ": positions row has " + row.length + " entries for " + tokens.length + " tokens");
    }

    public int length() { return tokens.length; }

    /** Tokens that carry loss. */
    public int trainedTokens() {
        int n = 0;
        for (byte b : lossMask) n += b;
        return n;
    }
}
