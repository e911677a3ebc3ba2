package ai.pulsemind.judge;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Agreement between two labelings of the same items over a set of categories: the share of items labelled alike,
 * and Cohen's κ = (p_o − p_e) / (1 − p_e), where p_e = Σ_k p₁(k)·p₂(k) is the agreement two raters with these
 * label frequencies would reach by chance. Used for judge-vs-judge, judge-vs-expert and relative-vs-absolute
 * comparisons; the labels can be anything with {@code equals} (verdicts, 1–5 scores, strings).
 *
 * <p>κ is undefined (NaN) when p_e = 1, i.e. both raters gave one and the same category to every item: there is
 * no variation to agree on beyond chance.
 *
 * @param n          items compared (pairs where both labels are present)
 * @param missing    pairs left out because one label was null (a failed judgment)
 * @param observed   p_o, in [0, 1]
 * @param chance     p_e, in [0, 1]
 * @param kappa      Cohen's κ, or NaN (see above; also when n = 0)
 * @param categories the categories, in the order of {@code confusion}'s rows and columns
 * @param confusion  counts: row = first labeling's category, column = second's
 */
public record Agreement(int n, int missing, double observed, double chance, double kappa, List<String> categories, long[][] confusion) {
    public Agreement {
        categories = List.copyOf(categories);
        Objects.requireNonNull(confusion, "confusion");
    }

    /** Categories are those that occur, in order of first appearance. */
    public static <T> Agreement of(List<T> first, List<T> second) { return of(first, second, List.of()); }

    /**
     * @param categories the categories to report, in this order (others that occur are appended); may be empty
     */
    public static <T> Agreement of(List<T> first, List<T> second, List<T> categories) {
        if (first.size() != second.size())
            throw new IllegalArgumentException("agreement needs two labelings of the same items: " + first.size() + " vs " + second.size() + " labels");
        Map<T, Integer> index = new LinkedHashMap<>();
        for (T c : categories) index.putIfAbsent(c, index.size());
        int missing = 0;
        List<int[]> pairs = new ArrayList<>();
        for (int i = 0; i < first.size(); i++) {
            T x = first.get(i), y = second.get(i);
            if (x == null || y == null) { missing++; continue; }
            index.putIfAbsent(x, index.size());
            index.putIfAbsent(y, index.size());
            pairs.add(new int[] {index.get(x), index.get(y)});
        }
        int k = index.size(), n = pairs.size();
        long[][] conf = new long[k][k];
        for (int[] p : pairs) conf[p[0]][p[1]]++;
        double po = 0, pe = 0;
        for (int a = 0; a < k; a++) {
            po += conf[a][a];
            long row = 0, col = 0;
            for (int b = 0; b < k; b++) { row += conf[a][b]; col += conf[b][a]; }
            pe += n == 0 ? 0 : (double) row / n * ((double) col / n);
        }
        po = n == 0 ? Double.NaN : po / n;
        double kappa = n == 0 || pe >= 1 - 1e-12 ? Double.NaN : (po - pe) / (1 - pe);
        return new Agreement(n, missing, po, pe, kappa, index.keySet().stream().map(String::valueOf).toList(), conf);
    }
}
