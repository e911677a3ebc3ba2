package ai.pulsemind.model.qwen25vl;

import ai.pulsemind.model.io.VisionConfig;

import java.util.ArrayList;
import java.util.List;

/**
 * Where each vision patch sits and which patches attend to each other, computed from the images' patch grids
 * (t, h, w), as transformers' {@code get_vision_position_ids}, {@code get_vision_cu_seqlens} and
 * {@code get_vision_window_index} do.
 *
 * <p>Patches arrive in merge-block order (each m×m block of neighbours contiguous). Window attention permutes
 * merge units so each window is contiguous: {@link #patchOrder} is that permutation over patches (P), and
 * {@link #unitRestore} undoes it over merged units (P/m²) after the merger.
 *
 * @param positions       (2, P) row-major: patch row (h) then column (w) coordinates, in the window order
 * @param cuFull          per-frame segments (full-attention blocks), in patches
 * @param cuWindow        per-window segments (windowed blocks), in patches
 * @param patchOrder      (P) source patch of each windowed position
 * @param unitRestore     (P/m²) windowed merge unit of each original merge unit
 */
public record VisionLayout(int[] positions, int[] cuFull, int[] cuWindow, int[] patchOrder, int[] unitRestore) {

    public int patches() { return patchOrder.length; }

    /** @param grids one (t, h, w) patch grid per image */
    public static VisionLayout of(List<int[]> grids, VisionConfig dims) {
        int m = dims.spatialMergeSize(), unit = m * m;
        int total = 0;
        for (int[] g : grids) {
            if (g[1] % m != 0 || g[2] % m != 0)
                throw new IllegalArgumentException("image grid " + g[1] + "x" + g[2] + " is not a multiple of merge " + m);
            total += g[0] * g[1] * g[2];
        }
        int[] hPos = new int[total], wPos = new int[total];
        List<Integer> cuFull = new ArrayList<>(List.of(0));
        int at = 0;
        for (int[] g : grids) {
            for (int t = 0; t < g[0]; t++) {
                for (int bh = 0; bh < g[1] / m; bh++)
                    for (int bw = 0; bw < g[2] / m; bw++)
                        for (int mh = 0; mh < m; mh++)
                            for (int mw = 0; mw < m; mw++, at++) {
                                hPos[at] = bh * m + mh;
                                wPos[at] = bw * m + mw;
                            }
                cuFull.add(cuFull.getLast() + g[1] * g[2]);
            }
        }
        int[] windowIndex = new int[total / unit];
        List<Integer> cuWindow = windowIndex(grids, dims, windowIndex);
        int[] patchOrder = new int[total];
        for (int i = 0; i < windowIndex.length; i++)
            for (int j = 0; j < unit; j++) patchOrder[i * unit + j] = windowIndex[i] * unit + j;
        int[] restore = new int[windowIndex.length];
        for (int i = 0; i < windowIndex.length; i++) restore[windowIndex[i]] = i;
        int[] pos = new int[2 * total];
        for (int i = 0; i < total; i++) {
            pos[i] = hPos[patchOrder[i]];
            pos[total + i] = wPos[patchOrder[i]];
        }
        return new VisionLayout(pos, toArray(cuFull), toArray(cuWindow), patchOrder, restore);
    }

    /** Fills windowIndex (merge units in window order) and returns the window boundaries in patches. */
    private static List<Integer> windowIndex(List<int[]> grids, VisionConfig dims, int[] windowIndex) {
        int m = dims.spatialMergeSize(), unit = m * m, win = dims.windowMergedTokens();
        List<Integer> cu = new ArrayList<>(List.of(0));
        int out = 0, base = 0;
        for (int[] g : grids) {
            int lh = g[1] / m, lw = g[2] / m;
            int nh = (lh + win - lh % win) / win, nw = (lw + win - lw % win) / win; // transformers pads a full window even when divisible
            for (int t = 0; t < g[0]; t++)
                for (int wh = 0; wh < nh; wh++)
                    for (int ww = 0; ww < nw; ww++) {
                        int count = 0;
                        for (int y = wh * win; y < Math.min(lh, (wh + 1) * win); y++)
                            for (int x = ww * win; x < Math.min(lw, (ww + 1) * win); x++, count++)
                                windowIndex[out++] = base + (t * lh + y) * lw + x;
                        int end = cu.getLast() + count * unit;
                        if (end != cu.getLast()) cu.add(end); // unique_consecutive drops empty windows
                    }
            base += g[0] * lh * lw;
        }
        return cu;
    }

    private static int[] toArray(List<Integer> l) { return l.stream().mapToInt(Integer::intValue).toArray(); }
}
