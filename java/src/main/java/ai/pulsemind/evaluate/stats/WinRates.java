package ai.pulsemind.evaluate.stats;

import ai.pulsemind.evaluate.stats.Bootstrap.Interval;

import java.util.ArrayList;
import java.util.List;

/**
 * Win / tie / loss rates of pairwise consultation judgments, and the PulseMind Benchmark's headline, the mean win
 * rate, each with a case-level bootstrap interval.
 *
 * <h2>Definitions (exactly as computed)</h2>
 * For model m, baseline b and dimension d, let W, T, L be the numbers of wins, ties and losses of m against b on d
 * (pooled over cases, and over turns when the outcomes are per-turn), N = W + T + L.
 * <ul>
 *   <li><b>win rate</b> of the cell: WR(m, b, d) = W / N. Ties count as not winning, exactly as the paper's
 *       comparison reward scores them (win 1, tie or loss 0).</li>
 *   <li><b>win rate against a baseline</b>: WR(m, b) = mean over dimensions d of WR(m, b, d): each dimension
 *       weighs the same, whatever its count.</li>
 *   <li><b>win rate on a dimension</b>: WR(m, d) = mean over baselines b of WR(m, b, d).</li>
 *   <li><b>mean win rate</b> (the headline, as the paper defines it): MWR(m) = mean over baselines b of WR(m, b),
 *       which is the mean of WR(m, b, d) over all baseline × dimension cells. With the paper's complete design (every
 *       case judged against every baseline on every dimension) it equals the pooled fraction of wins.</li>
 *   <li><b>tie-as-half variant</b>, reported beside each rate and labelled so: the same means of
 *       (W + T/2) / N, i.e. a tie scores ½. It is 0.5 for two indistinguishable models, where the paper's rate is
 *       0.5 only when there are no ties.</li>
 * </ul>
 * A cell with no outcomes (every judgment failed) is left out of the means it would enter. Intervals resample cases
 * (all judgments of a case together: its dimensions, turns and baselines), with the seed recorded in each interval;
 * per-department intervals resample the department's cases.
 */
public final class WinRates {
    private WinRates() {}

    /** Win, tie and loss counts. */
    public record Counts(long wins, long ties, long losses) {
        public long total() { return wins + ties + losses; }

        /** W / N, NaN when there is nothing to count. */
        public double winRate() { return total() == 0 ? Double.NaN : wins / (double) total(); }

        /** (W + T/2) / N. */
        public double winTieHalfRate() { return total() == 0 ? Double.NaN : (wins + 0.5 * ties) / total(); }

        public double tieRate() { return total() == 0 ? Double.NaN : ties / (double) total(); }

        public double lossRate() { return total() == 0 ? Double.NaN : losses / (double) total(); }

        Counts plus(Counts o) { return new Counts(wins + o.wins, ties + o.ties, losses + o.losses); }
    }

    /**
     * A rate with its interval, in the paper's scoring (ties count as not winning) and in the tie-as-half variant.
     * Both are fractions in [0, 1].
     */
    public record Rate(Interval winRate, Interval winTieHalf) {}

    /** Model against one baseline on one dimension. */
    public record Cell(String baseline, String dimension, Counts counts, Rate rate) {}

    /** Model against one baseline, over dimensions ({@code rate} is the mean over dimensions). */
    public record ByBaseline(String baseline, Counts counts, Rate rate) {}

    /** Model on one dimension, over baselines ({@code rate} is the mean over baselines). */
    public record ByDimension(String dimension, Counts counts, Rate rate) {}

    /** The mean win rate on one department's cases. */
    public record ByDepartment(String department, int cases, Counts counts, Rate meanWinRate) {}

    /** Everything about one model under test; {@code meanWinRate} is the headline. */
    public record ModelRates(String model, int cases, Counts counts, Rate meanWinRate, List<ByBaseline> baselines,
                             List<ByDimension> dimensions, List<Cell> cells, List<ByDepartment> departments) {}

    /**
     * @param cases the number of cases with at least one outcome (the bootstrap's unit)
     */
    public record Result(List<String> dimensions, int cases, Resampling resampling, List<ModelRates> models) {
        /** The result for {@code model}; an error naming the models there are when it is not one of them. */
        public ModelRates model(String model) {
            for (ModelRates m : models) if (m.model().equals(model)) return m;
            throw new IllegalArgumentException("no outcomes for model '" + model + "'; models: " + models.stream().map(ModelRates::model).toList());
        }
    }

    /** Rates of every model in {@code outcomes} against each of its baselines, with intervals made by {@code resampling}. */
    public static Result analyze(List<PairwiseOutcome> outcomes, Resampling resampling) {
        OutcomeTable t = new OutcomeTable(outcomes);
        Layout lay = new Layout(t);
        int[] all = java.util.stream.IntStream.range(0, t.cases.size()).toArray();
        long[] full = t.counts(all);
        Interval[] iv = Bootstrap.percentiles(all.length, idx -> lay.rates(t.counts(idx)), resampling.resamples(), resampling.level(), resampling.seed());

        List<String> departments = t.departmentList();
        List<Interval[]> deptIv = new ArrayList<>();
        List<long[]> deptCounts = new ArrayList<>();
        for (String dep : departments) {
            int[] sub = t.casesOf(dep);
            deptCounts.add(t.counts(sub));
            deptIv.add(Bootstrap.percentiles(sub.length, idx -> lay.headlines(t.counts(remap(idx, sub))),
                    resampling.resamples(), resampling.level(), resampling.seed()));
        }

        List<ModelRates> models = new ArrayList<>();
        for (int m = 0; m < t.models.size(); m++) {
            List<Cell> cells = new ArrayList<>();
            List<ByBaseline> bases = new ArrayList<>();
            List<ByDimension> dims = new ArrayList<>();
            for (int b = 0; b < t.baselines.size(); b++) {
                Counts sum = lay.baselineCounts(full, m, b);
                if (sum.total() == 0) continue;
                bases.add(new ByBaseline(t.baselines.get(b), sum, lay.baselineRate(iv, m, b)));
                for (int d = 0; d < t.dimensions.size(); d++) {
                    Counts c = lay.cellCounts(full, m, b, d);
                    if (c.total() > 0) cells.add(new Cell(t.baselines.get(b), t.dimensions.get(d), c, lay.cellRate(iv, m, b, d)));
                }
            }
            for (int d = 0; d < t.dimensions.size(); d++) {
                Counts sum = lay.dimensionCounts(full, m, d);
                if (sum.total() > 0) dims.add(new ByDimension(t.dimensions.get(d), sum, lay.dimensionRate(iv, m, d)));
            }
            List<ByDepartment> deps = new ArrayList<>();
            for (int k = 0; k < departments.size(); k++) {
                Counts c = lay.modelCounts(deptCounts.get(k), m);
                if (c.total() == 0) continue;
                int n = lay.casesWith(t.casesOf(departments.get(k)), m);
                deps.add(new ByDepartment(departments.get(k), n, c, new Rate(deptIv.get(k)[2 * m], deptIv.get(k)[2 * m + 1])));
            }
            int n = lay.casesWith(all, m);
            models.add(new ModelRates(t.models.get(m), n, lay.modelCounts(full, m), lay.headline(iv, m), bases, dims, cells, deps));
        }
        return new Result(t.dimensions, t.cases.size(), resampling, List.copyOf(models));
    }

    private static int[] remap(int[] idx, int[] sub) {
        int[] out = new int[idx.length];
        for (int i = 0; i < idx.length; i++) out[i] = sub[idx[i]];
        return out;
    }

    /**
     * Where each statistic sits in the bootstrap's vector: for every model m, two values (paper scoring, tie as
     * half) per cell (M·B·D), per baseline (M·B), per dimension (M·D), then per model (M). Unused slots are NaN.
     */
    private static final class Layout {
        final OutcomeTable t;
        final int mN, bN, dN, cellsAt, basesAt, dimsAt, modelsAt, size;

        Layout(OutcomeTable t) {
            this.t = t;
            mN = t.models.size(); bN = t.baselines.size(); dN = t.dimensions.size();
            cellsAt = 0;
            basesAt = 2 * mN * bN * dN;
            dimsAt = basesAt + 2 * mN * bN;
            modelsAt = dimsAt + 2 * mN * dN;
            size = modelsAt + 2 * mN;
        }

        double[] rates(long[] wtl) {
            double[] v = new double[size];
            java.util.Arrays.fill(v, Double.NaN);
            for (int m = 0; m < mN; m++) {
                double[] modelSum = new double[2];
                int modelN = 0;
                double[][] dimSum = new double[dN][2];
                int[] dimN = new int[dN];
                for (int b = 0; b < bN; b++) {
                    double[] baseSum = new double[2];
                    int baseN = 0;
                    for (int d = 0; d < dN; d++) {
                        Counts c = cellCounts(wtl, m, b, d);
                        if (c.total() == 0) continue;
                        int at = cellsAt + 2 * t.cell(m, b, d);
                        v[at] = c.winRate();
                        v[at + 1] = c.winTieHalfRate();
                        baseSum[0] += v[at]; baseSum[1] += v[at + 1]; baseN++;
                        dimSum[d][0] += v[at]; dimSum[d][1] += v[at + 1]; dimN[d]++;
                    }
                    if (baseN == 0) continue;
                    int at = basesAt + 2 * (m * bN + b);
                    v[at] = baseSum[0] / baseN;
                    v[at + 1] = baseSum[1] / baseN;
                    modelSum[0] += v[at]; modelSum[1] += v[at + 1]; modelN++;
                }
                for (int d = 0; d < dN; d++) {
                    if (dimN[d] == 0) continue;
                    v[dimsAt + 2 * (m * dN + d)] = dimSum[d][0] / dimN[d];
                    v[dimsAt + 2 * (m * dN + d) + 1] = dimSum[d][1] / dimN[d];
                }
                if (modelN > 0) {
                    v[modelsAt + 2 * m] = modelSum[0] / modelN;
                    v[modelsAt + 2 * m + 1] = modelSum[1] / modelN;
                }
            }
            return v;
        }

        /** Only the headlines: (M, 2). */
        double[] headlines(long[] wtl) {
            return java.util.Arrays.copyOfRange(rates(wtl), modelsAt, size);
        }

        Counts cellCounts(long[] wtl, int m, int b, int d) {
            int at = 3 * t.cell(m, b, d);
            return new Counts(wtl[at], wtl[at + 1], wtl[at + 2]);
        }

        Counts baselineCounts(long[] wtl, int m, int b) {
            Counts s = new Counts(0, 0, 0);
            for (int d = 0; d < dN; d++) s = s.plus(cellCounts(wtl, m, b, d));
            return s;
        }

        Counts dimensionCounts(long[] wtl, int m, int d) {
            Counts s = new Counts(0, 0, 0);
            for (int b = 0; b < bN; b++) s = s.plus(cellCounts(wtl, m, b, d));
            return s;
        }

        Counts modelCounts(long[] wtl, int m) {
            Counts s = new Counts(0, 0, 0);
            for (int b = 0; b < bN; b++) s = s.plus(baselineCounts(wtl, m, b));
            return s;
        }

        /** How many of {@code among} have an outcome of model m. */
        int casesWith(int[] among, int m) {
            int n = 0;
            for (int c : among) {
                int[] flat = t.perCase[c];
                for (int j = 0; j < flat.length; j += 4) if (flat[j] / (bN * dN) == m) { n++; break; }
            }
            return n;
        }

        Rate cellRate(Interval[] iv, int m, int b, int d) { return pair(iv, cellsAt + 2 * t.cell(m, b, d)); }

        Rate baselineRate(Interval[] iv, int m, int b) { return pair(iv, basesAt + 2 * (m * bN + b)); }

        Rate dimensionRate(Interval[] iv, int m, int d) { return pair(iv, dimsAt + 2 * (m * dN + d)); }

        Rate headline(Interval[] iv, int m) { return pair(iv, modelsAt + 2 * m); }

        private static Rate pair(Interval[] iv, int at) { return new Rate(iv[at], iv[at + 1]); }
    }
}
