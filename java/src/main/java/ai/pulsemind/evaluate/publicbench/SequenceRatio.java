package ai.pulsemind.evaluate.publicbench;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Python's {@code difflib.SequenceMatcher(None, a, b).ratio()}, the similarity medical VQA/MCQ evaluation scripts
 * (LLaVA-Med's, HuatuoGPT-Vision's) fall back on to pick the option closest to a free-text answer. Reproduced
 * exactly, including the "autojunk" rule (when {@code b} has 200 or more characters, a character occurring more
 * than {@code len(b)/100 + 1} times is not used to start a match), so figures agree with those scripts; strings are
 * compared by Unicode code point, as Python compares {@code str}.
 *
 * <p>ratio = 2·M / (|a| + |b|), M the total size of the matching blocks found by recursively taking the longest
 * common block (earliest in a, then in b) and matching to its left and right; 1 when both strings are empty.
 */
public final class SequenceRatio {
    private SequenceRatio() {}

    public static double ratio(String a, String b) {
        int[] x = a.codePoints().toArray(), y = b.codePoints().toArray();
        if (x.length + y.length == 0) return 1.0;
        Map<Integer, int[]> b2j = index(y);
        long matches = 0;
        ArrayDeque<int[]> queue = new ArrayDeque<>();
        queue.push(new int[] {0, x.length, 0, y.length});
        while (!queue.isEmpty()) {
            int[] q = queue.pop();
            int[] m = longest(x, y, b2j, q[0], q[1], q[2], q[3]);
            int i = m[0], j = m[1], k = m[2];
            if (k == 0) continue;
            matches += k;
            if (q[0] < i && q[2] < j) queue.push(new int[] {q[0], i, q[2], j});
            if (i + k < q[1] && j + k < q[3]) queue.push(new int[] {i + k, q[1], j + k, q[3]});
        }
        return 2.0 * matches / (x.length + y.length);
    }

    /** Code point → its positions in b, ascending; "popular" code points dropped when b is long (autojunk). */
    private static Map<Integer, int[]> index(int[] b) {
        Map<Integer, List<Integer>> pos = new HashMap<>();
        for (int j = 0; j < b.length; j++) pos.computeIfAbsent(b[j], k -> new ArrayList<>()).add(j);
        int n = b.length, limit = n / 100 + 1;
        Map<Integer, int[]> out = new HashMap<>();
        for (var e : pos.entrySet()) {
            if (n >= 200 && e.getValue().size() > limit) continue;
            out.put(e.getKey(), e.getValue().stream().mapToInt(Integer::intValue).toArray());
        }
        return out;
    }

    /** difflib's find_longest_match without a junk predicate: {i, j, size}. */
    private static int[] longest(int[] a, int[] b, Map<Integer, int[]> b2j, int alo, int ahi, int blo, int bhi) {
        int besti = alo, bestj = blo, bestsize = 0;
        Map<Integer, Integer> j2len = new HashMap<>();
        for (int i = alo; i < ahi; i++) {
            Map<Integer, Integer> next = new HashMap<>();
            int[] js = b2j.get(a[i]);
            if (js != null) for (int j : js) {
                if (j < blo) continue;
                if (j >= bhi) break;
                int k = j2len.getOrDefault(j - 1, 0) + 1;
                next.put(j, k);
                if (k > bestsize) { besti = i - k + 1; bestj = j - k + 1; bestsize = k; }
            }
            j2len = next;
        }
        // extend over characters that were left out of the index (popular ones), as difflib does
        while (besti > alo && bestj > blo && a[besti - 1] == b[bestj - 1]) { besti--; bestj--; bestsize++; }
        while (besti + bestsize < ahi && bestj + bestsize < bhi && a[besti + bestsize] == b[bestj + bestsize]) bestsize++;
        return new int[] {besti, bestj, bestsize};
    }
}
