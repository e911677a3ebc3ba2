package ai.pulsemind.evaluate.stats;

import ai.pulsemind.data.Quality;
import ai.pulsemind.evaluate.stats.Bootstrap.Interval;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Absolute 1–5 scores per model and dimension: means with case-level bootstrap intervals, and how well they
 * separate the models.
 *
 * <p>Definitions: the mean on a dimension is the plain mean of the model's scores on it (over cases, and turns when
 * per-turn); a model's overall mean is the mean of its dimension means (each dimension weighs the same). Separation
 * is measured three ways, per dimension and overall: the spread (highest minus lowest model mean), η² (the share of
 * the individual scores' variance that the model explains: between-model over total sum of squares), and the
 * fraction of model pairs whose intervals do not overlap ({@link Separation}), which is directly comparable with
 * {@link BradleyTerry.Ratings#separation()} on the same models.
 */
public final class AbsoluteScores {
    private AbsoluteScores() {}

    /**
     * @param histogram how many scores were 1, 2, 3, 4, 5 (index 0 is score 1)
     */
    public record Mean(String dimension, long n, Interval mean, List<Long> histogram) {
        public Mean { histogram = List.copyOf(histogram); }
    }

    /** A model's means; {@code overall} is the mean of its dimension means. */
    public record ModelScores(String model, List<Mean> dimensions, Interval overall) {
        public Mean dimension(String d) {
            for (Mean m : dimensions) if (m.dimension().equals(d)) return m;
            throw new IllegalArgumentException("model " + model + " has no scores on '" + d + "'");
        }
    }

    /** How well one dimension's (or the overall) means separate the models. */
    public record Spread(String dimension, double range, double etaSquared, Separation separation) {}

    /**
     * @param spreads one per dimension, then one with dimension {@code "overall"} (its η² is over all scores)
     */
    public record Result(List<String> dimensions, int cases, Resampling resampling, List<ModelScores> models, List<Spread> spreads) {
        public ModelScores model(String model) {
            for (ModelScores m : models) if (m.model().equals(model)) return m;
            throw new IllegalArgumentException("no scores for model '" + model + "'; models: " + models.stream().map(ModelScores::model).toList());
        }
    }

    public static Result analyze(List<AbsoluteScore> scores, Resampling resampling) {
        if (scores.isEmpty()) throw new IllegalArgumentException("no absolute scores to analyse");
        List<String> cases = new ArrayList<>(), models = new ArrayList<>(), dimsSeen = new ArrayList<>();
        Map<String, Integer> caseIx = new HashMap<>();
        Set<String> seen = new HashSet<>();
        boolean whole = scores.getFirst().turn() == PairwiseOutcome.WHOLE;
        for (AbsoluteScore s : scores) {
            if ((s.turn() == PairwiseOutcome.WHOLE) != whole)
                throw new IllegalArgumentException("case " + s.caseId() + ": whole-consultation and per-turn scores are mixed; analyse each kind on its own");
            if (!seen.add(s.caseId() + "\u0000" + s.model() + "\u0000" + s.dimension() + "\u0000" + s.turn()))
                throw new IllegalArgumentException("case " + s.caseId() + ": two scores for " + s.model() + " on " + s.dimension() + (whole ? "" : " at turn " + s.turn()));
            if (caseIx.putIfAbsent(s.caseId(), cases.size()) == null) cases.add(s.caseId());
            if (!models.contains(s.model())) models.add(s.model());
            if (!dimsSeen.contains(s.dimension())) dimsSeen.add(s.dimension());
        }
        List<String> dims = new ArrayList<>();
        for (String d : Quality.DIMENSIONS) if (dimsSeen.contains(d)) dims.add(d);
        for (String d : dimsSeen) if (!dims.contains(d)) dims.add(d);
        int mN = models.size(), dN = dims.size();
        // per case: (M·D) sums and counts of its scores
        double[][] sum = new double[cases.size()][mN * dN];
        int[][] cnt = new int[cases.size()][mN * dN];
        long[][] hist = new long[mN * dN][5];
        for (AbsoluteScore s : scores) {
            int c = caseIx.get(s.caseId()), k = models.indexOf(s.model()) * dN + dims.indexOf(s.dimension());
            sum[c][k] += s.score();
            cnt[c][k]++;
            hist[k][s.score() - 1]++;
        }
        Interval[] iv = Bootstrap.percentiles(cases.size(), idx -> means(idx, sum, cnt, mN, dN),
                resampling.resamples(), resampling.level(), resampling.seed());

        List<ModelScores> out = new ArrayList<>();
        for (int m = 0; m < mN; m++) {
            List<Mean> ms = new ArrayList<>();
            for (int d = 0; d < dN; d++) {
                int k = m * dN + d;
                long n = java.util.Arrays.stream(hist[k]).sum();
                if (n > 0) ms.add(new Mean(dims.get(d), n, iv[k], java.util.Arrays.stream(hist[k]).boxed().toList()));
            }
            out.add(new ModelScores(models.get(m), List.copyOf(ms), iv[mN * dN + m]));
        }
        List<Spread> spreads = new ArrayList<>();
        for (int d = 0; d < dN; d++) {
            int dd = d;
            List<Interval> per = new ArrayList<>();
            for (int m = 0; m < mN; m++) if (!Double.isNaN(iv[m * dN + d].estimate())) per.add(iv[m * dN + d]);
            spreads.add(new Spread(dims.get(d), range(per), etaSquared(hist, mN, dN, k -> k % dN == dd), Separation.of(per)));
        }
        List<Interval> overall = new ArrayList<>();
        for (int m = 0; m < mN; m++) overall.add(iv[mN * dN + m]);
        spreads.add(new Spread("overall", range(overall), etaSquared(hist, mN, dN, k -> true), Separation.of(overall)));
        return new Result(List.copyOf(dims), cases.size(), resampling, List.copyOf(out), List.copyOf(spreads));
    }

    /** (M·D) means per model and dimension, then (M) overall means; NaN where a resample has no score. */
    private static double[] means(int[] idx, double[][] sum, int[][] cnt, int mN, int dN) {
        double[] s = new double[mN * dN];
        long[] n = new long[mN * dN];
        for (int c : idx)
            for (int k = 0; k < s.length; k++) { s[k] += sum[c][k]; n[k] += cnt[c][k]; }
        double[] v = new double[mN * dN + mN];
        for (int m = 0; m < mN; m++) {
            double tot = 0;
            int used = 0;
            for (int d = 0; d < dN; d++) {
                int k = m * dN + d;
                v[k] = n[k] == 0 ? Double.NaN : s[k] / n[k];
                if (n[k] > 0) { tot += v[k]; used++; }
            }
            v[mN * dN + m] = used == 0 ? Double.NaN : tot / used;
        }
        return v;
    }

    private static double range(List<Interval> means) {
        double lo = Double.POSITIVE_INFINITY, hi = Double.NEGATIVE_INFINITY;
        for (Interval i : means) { lo = Math.min(lo, i.estimate()); hi = Math.max(hi, i.estimate()); }
        return means.isEmpty() ? Double.NaN : hi - lo;
    }

    /** Between-model over total sum of squares of the individual scores in the selected (model, dimension) cells. */
    private static double etaSquared(long[][] hist, int mN, int dN, java.util.function.IntPredicate cell) {
        double[] mSum = new double[mN], mSq = new double[mN];
        long[] mN_ = new long[mN];
        for (int k = 0; k < hist.length; k++) {
            if (!cell.test(k)) continue;
            int m = k / dN;
            for (int s = 1; s <= 5; s++) { mSum[m] += s * hist[k][s - 1]; mSq[m] += (double) s * s * hist[k][s - 1]; mN_[m] += hist[k][s - 1]; }
        }
        double total = 0, totalSq = 0;
        long n = 0;
        for (int m = 0; m < mN; m++) { total += mSum[m]; totalSq += mSq[m]; n += mN_[m]; }
        if (n == 0) return Double.NaN;
        double grand = total / n, ssTotal = totalSq - n * grand * grand, ssBetween = 0;
        for (int m = 0; m < mN; m++) if (mN_[m] > 0) { double mean = mSum[m] / mN_[m]; ssBetween += mN_[m] * (mean - grand) * (mean - grand); }
        return ssTotal <= 0 ? Double.NaN : ssBetween / ssTotal;
    }
}
