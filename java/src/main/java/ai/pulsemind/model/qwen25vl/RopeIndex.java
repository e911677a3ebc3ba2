package ai.pulsemind.model.qwen25vl;

import java.util.List;

/**
 * Qwen2.5-VL's multimodal position ids ({@code get_rope_index}): text tokens advance all three axes together; an
 * image's pad tokens take (t, h, w) grid coordinates offset by the running position, which then advances by
 * max(h, w)/merge. During decoding the next position is {@link #next()}, one past the largest so far.
 *
 * @param positions (3, N) row-major: temporal, height, width position of each token
 * @param next      the position of the first generated token
 */
public record RopeIndex(int[] positions, int next) {

    /**
     * @param ids          one sequence's token ids (N)
     * @param imageTokenId the {@code <|image_pad|>} id
     * @param grids        (t, h, w) patch grid of each image, in order of appearance
     * @param merge        spatial merge size
     */
    public static RopeIndex of(int[] ids, int imageTokenId, List<int[]> grids, int merge) {
        return of(ids, imageTokenId, grids, merge, 0);
    }

    /**
     * The positions of tokens that continue a sequence whose next position is {@code start} (a follow-up turn
     * appended to a prompt): the same as the whole sequence's {@link #of} would give them, since a token's position
     * depends only on the tokens before it.
     */
    public static RopeIndex of(int[] ids, int imageTokenId, List<int[]> grids, int merge, int start) {
        int n = ids.length;
        int[] pos = new int[3 * n];
        int cur = start, image = 0, i = 0;
        while (i < n) {
            if (ids[i] != imageTokenId) {
                for (int a = 0; a < 3; a++) pos[a * n + i] = cur;
                cur++;
                i++;
                continue;
            }
            if (image >= grids.size())
                throw new IllegalArgumentException("more image pad runs in the prompt than images (" + grids.size() + ")");
            int[] g = grids.get(image++);
            int lt = g[0], lh = g[1] / merge, lw = g[2] / merge, tokens = lt * lh * lw;
            for (int k = 0; k < tokens; k++, i++) {
                if (i >= n || ids[i] != imageTokenId)
                    throw new IllegalArgumentException("image " + (image - 1) + " needs " + tokens + " pad tokens, found " + k);
                int t = k / (lh * lw), h = (k / lw) % lh, w = k % lw;
                pos[i] = cur + t;
                pos[n + i] = cur + h;
                pos[2 * n + i] = cur + w;
            }
            cur += Math.max(g[1], g[2]) / merge;
        }
        if (image != grids.size())
            throw new IllegalArgumentException(grids.size() + " images given but the prompt has pad tokens for " + image);
        int max = start - 1;
        for (int p : pos) max = Math.max(max, p);
        return new RopeIndex(pos, max + 1);
    }

    /** Plain text: 0, 1, 2, … on all three axes, starting at {@code start}. */
    public static RopeIndex text(int n, int start) {
        int[] pos = new int[3 * n];
        for (int i = 0; i < n; i++) for (int a = 0; a < 3; a++) pos[a * n + i] = start + i;
        return new RopeIndex(pos, start + n);
    }
}
