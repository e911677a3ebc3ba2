package ai.pulsemind.tokenize;

import java.util.ArrayList;
import java.util.List;

/**
 * Expands each image placeholder of a rendered prompt into one {@code <|image_pad|>} per merged image token,
 * t·h·w / merge², as the Qwen2.5-VL processor does before tokenizing.
 */
public final class ImagePads {
    private ImagePads() {}

    /** Replaces the k-th {@code padToken} in {@code text} with tokens(k) copies; counts must agree. */
    public static String expandText(String text, String padToken, List<int[]> gridThw, int mergeSize) {
        StringBuilder sb = new StringBuilder(text.length());
        int from = 0, k = 0;
        for (int at; (at = text.indexOf(padToken, from)) >= 0; from = at + padToken.length(), k++) {
            if (k >= gridThw.size())
                throw new IllegalArgumentException("the prompt has more " + padToken + " placeholders than images (" + gridThw.size() + ")");
            sb.append(text, from, at).append(padToken.repeat(tokens(gridThw.get(k), mergeSize)));
        }
        if (k != gridThw.size())
            throw new IllegalArgumentException("the prompt has " + k + " " + padToken + " placeholders for " + gridThw.size() + " images");
        return sb.append(text, from, text.length()).toString();
    }

    /** The same on token ids: each {@code padId} becomes tokens(k) copies. */
    public static int[] expandIds(int[] ids, int padId, List<int[]> gridThw, int mergeSize) {
        List<Integer> out = new ArrayList<>();
        int k = 0;
        for (int id : ids) {
            if (id != padId) {
                out.add(id);
                continue;
            }
            if (k >= gridThw.size()) throw new IllegalArgumentException("more image placeholders than images (" + gridThw.size() + ")");
            for (int i = tokens(gridThw.get(k++), mergeSize); i > 0; i--) out.add(padId);
        }
        if (k != gridThw.size()) throw new IllegalArgumentException(k + " image placeholders for " + gridThw.size() + " images");
        return out.stream().mapToInt(Integer::intValue).toArray();
    }

    public static int tokens(int[] thw, int mergeSize) {
        if (thw[1] % mergeSize != 0 || thw[2] % mergeSize != 0)
            throw new IllegalArgumentException("grid " + java.util.Arrays.toString(thw) + " is not a multiple of merge size " + mergeSize);
        return thw[0] * thw[1] * thw[2] / (mergeSize * mergeSize);
    }
}
