package ai.pulsemind.evaluate.stats;

import ai.pulsemind.evaluate.stats.Bootstrap.Interval;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * Bradley–Terry ratings of every model and baseline from pairwise outcomes: P(i beats j) = π_i / (π_i + π_j).
 *
 * <p><b>Ties</b> count as half a win for each side (the usual choice of arena leaderboards; not Davidson's
 * extension, which fits a separate tie parameter). Every outcome is one game, whatever its dimension; fit one
 * dimension by passing only its outcomes.
 *
 * <p><b>Fit</b>: Hunter's (2004) minorization–maximization iteration for the maximum-likelihood strengths,
 * π_i ← w_i / Σ_j n_ij / (π_i + π_j), where w_i is i's (half-)wins and n_ij the games between i and j, renormalized
 * each step to a geometric mean of 1; it increases the likelihood every step and converges to the unique maximum
 * whenever one exists. It exists iff the "beat at least once (or tied)" graph is strongly connected (Hunter's
 * Assumption 1); otherwise some player's strength runs to 0 or ∞ and the fit is refused, naming the players, unless
 * {@link Config#prior} adds virtual ties between every compared pair (a shrinkage toward equal strengths).
 *
 * <p><b>Scale</b>: rating_i = anchorRating + scale · log10(π_i / π_anchor), so with the defaults (1000, 400) a
 * 400-point gap is 10:1 odds, as on the Elo scale, and the anchor model sits at exactly 1000 in every resample (its
 * interval has zero width; the others' intervals are relative to it).
 *
 * <p><b>Intervals</b>: case-level bootstrap; a resample where the maximum does not exist is left out, and the number
 * left out is recorded.
 */
public final class BradleyTerry {
    private BradleyTerry() {}

    /**
     * @param anchor        the player rated {@code anchorRating}; null for the first player (first model seen)
     * @param anchorRating  e.g. 1000
     * @param scale         rating points per factor of 10 in odds, e.g. 400
     * @param prior         virtual tie games added between every pair compared at least once (0: plain maximum likelihood)
     * @param maxIterations MM iterations at most
     * @param tolerance     stop when no log-strength moves by more than this
     */
    public record Config(String anchor, double anchorRating, double scale, double prior, int maxIterations, double tolerance) {
        public Config {
            if (!(scale > 0)) throw new IllegalArgumentException("scale must be > 0, got " + scale);
            if (!(prior >= 0)) throw new IllegalArgumentException("prior must be >= 0, got " + prior);
            if (maxIterations < 1) throw new IllegalArgumentException("maxIterations must be >= 1, got " + maxIterations);
            if (!(tolerance > 0)) throw new IllegalArgumentException("tolerance must be > 0, got " + tolerance);
        }

        /** Elo-like scale (1000 at the anchor, 400 points per factor of 10), plain maximum likelihood. */
        public static Config anchoredAt(String anchor) { return new Config(anchor, 1000, 400, 0, 100_000, 1e-10); }

        public Config withPrior(double prior) { return new Config(anchor, anchorRating, scale, prior, maxIterations, tolerance); }
    }

    /** One player's rating, with its record over all its games (from its own side). */
    public record Rating(String player, Interval rating, long wins, long ties, long losses) {
        public long games() { return wins + ties + losses; }
    }

    /**
     * @param ratings           highest first
     * @param tieHandling       how ties entered the fit, for the report
     * @param iterations        MM iterations of the fit on all cases
     * @param resamplesLeftOut  bootstrap resamples where the maximum did not exist
     */
    public record Ratings(List<Rating> ratings, String anchor, Config config, String tieHandling, int iterations,
                          int cases, Resampling resampling, int resamplesLeftOut) {
        public Rating of(String player) {
            for (Rating r : ratings) if (r.player().equals(player)) return r;
            throw new IllegalArgumentException("no rating for '" + player + "'; players: " + ratings.stream().map(Rating::player).toList());
        }

        /** P(a beats b) under the fitted model (ties as half). */
        public double winProbability(String a, String b) {
            double d = of(a).rating().estimate() - of(b).rating().estimate();
            return 1 / (1 + Math.pow(10, -d / config.scale()));
        }

        /** How many player pairs have non-overlapping intervals (the anchor's interval is a point). */
        public Separation separation() { return Separation.of(ratings.stream().map(Rating::rating).toList()); }
    }

    public static final String TIES_AS_HALF = "ties count as half a win for each side";

    /** Ratings of every player (models and baselines) in {@code outcomes}. */
    public static Ratings fit(List<PairwiseOutcome> outcomes, Config config, Resampling resampling) {
        OutcomeTable t = new OutcomeTable(outcomes);
        List<String> players = new ArrayList<>(t.models);
        for (String b : t.baselines) if (!players.contains(b)) players.add(b);
        int p = players.size();
        if (p < 2) throw new IllegalArgumentException("Bradley–Terry needs at least two players, got " + players);
        String anchor = config.anchor() == null ? players.getFirst() : config.anchor();
        int a = players.indexOf(anchor);
        if (a < 0) throw new IllegalArgumentException("anchor '" + anchor + "' is not among the players " + players);
        int[] modelPlayer = t.models.stream().mapToInt(players::indexOf).toArray();
        int[] basePlayer = t.baselines.stream().mapToInt(players::indexOf).toArray();
        int per = t.baselines.size() * t.dimensions.size();

        // half[i][j]: twice the (half-)wins of i over j, so ties stay integral
        java.util.function.Function<int[], long[][]> games = idx -> {
            long[][] half = new long[p][p];
            long[] wtl = t.counts(idx);
            for (int cell = 0; cell < t.cells(); cell++) {
                int i = modelPlayer[cell / per], j = basePlayer[(cell % per) / t.dimensions.size()];
                long w = wtl[3 * cell], ti = wtl[3 * cell + 1], l = wtl[3 * cell + 2];
                half[i][j] += 2 * w + ti;
                half[j][i] += 2 * l + ti;
            }
            return half;
        };
        int[] all = java.util.stream.IntStream.range(0, t.cases.size()).toArray();
        long[][] full = games.apply(all);
        List<String> stuck = unreachable(full, config.prior(), players);
        if (!stuck.isEmpty())
            throw new IllegalArgumentException("Bradley–Terry has no maximum-likelihood ratings: " + String.join("; ", stuck)
                    + " (more comparisons are needed, or a prior > 0)");
        Fit fitAll = strengths(full, config);
        int[] leftOut = {0};
        Interval[] iv = Bootstrap.percentiles(all.length, idx -> {
            long[][] h = games.apply(idx);
            if (!unreachable(h, config.prior(), players).isEmpty()) { leftOut[0]++; return nanVector(p); }
            return ratings(strengths(h, config).logStrength, a, config);
        }, resampling.resamples(), resampling.level(), resampling.seed());

        long[][] wtlByPlayer = record(t, modelPlayer, basePlayer, p);
        List<Rating> out = new ArrayList<>();
        for (int i = 0; i < p; i++) out.add(new Rating(players.get(i), iv[i], wtlByPlayer[i][0], wtlByPlayer[i][1], wtlByPlayer[i][2]));
        out.sort(Comparator.comparingDouble((Rating r) -> -r.rating().estimate()).thenComparing(Rating::player));
        return new Ratings(List.copyOf(out), anchor, config, TIES_AS_HALF, fitAll.iterations, t.cases.size(), resampling, leftOut[0]);
    }

    private static double[] nanVector(int p) {
        double[] v = new double[p];
        java.util.Arrays.fill(v, Double.NaN);
        return v;
    }

    private static double[] ratings(double[] logStrength, int anchor, Config c) {
        double[] r = new double[logStrength.length];
        for (int i = 0; i < r.length; i++) r[i] = c.anchorRating() + c.scale() * (logStrength[i] - logStrength[anchor]) / Math.log(10);
        return r;
    }

    private static long[][] record(OutcomeTable t, int[] modelPlayer, int[] basePlayer, int p) {
        long[][] wtl = new long[p][3];
        long[] c = t.counts(java.util.stream.IntStream.range(0, t.cases.size()).toArray());
        int per = t.baselines.size() * t.dimensions.size();
        for (int cell = 0; cell < t.cells(); cell++) {
            int i = modelPlayer[cell / per], j = basePlayer[(cell % per) / t.dimensions.size()];
            wtl[i][0] += c[3 * cell]; wtl[i][1] += c[3 * cell + 1]; wtl[i][2] += c[3 * cell + 2];
            wtl[j][0] += c[3 * cell + 2]; wtl[j][1] += c[3 * cell + 1]; wtl[j][2] += c[3 * cell];
        }
        return wtl;
    }

    /** The maximum-likelihood log-strengths (geometric mean 1) and the iterations it took. */
    record Fit(double[] logStrength, int iterations) {}

    /**
     * Hunter's MM iteration on a (P, P) matrix of doubled (half-)wins: {@code half[i][j]} = 2·wins + ties of i over j.
     * With {@code prior} > 0, every pair with a game gets {@code prior} virtual ties.
     */
    static Fit strengths(long[][] half, Config c) {
        int p = half.length;
        double[][] w = new double[p][p]; // (P, P) (half-)wins of i over j, prior included
        for (int i = 0; i < p; i++)
            for (int j = 0; j < p; j++) {
                if (i == j) continue;
                boolean met = half[i][j] + half[j][i] > 0;
                w[i][j] = half[i][j] / 2.0 + (met ? c.prior() / 2 : 0);
            }
        double[] wins = new double[p];
        for (int i = 0; i < p; i++) for (int j = 0; j < p; j++) wins[i] += w[i][j];
        double[] pi = new double[p];
        java.util.Arrays.fill(pi, 1);
        int it = 0;
        for (; it < c.maxIterations(); it++) {
            double[] next = new double[p];
            double logSum = 0;
            for (int i = 0; i < p; i++) {
                double denom = 0;
                for (int j = 0; j < p; j++) {
                    double n = w[i][j] + w[j][i];
                    if (j != i && n > 0) denom += n / (pi[i] + pi[j]);
                }
                next[i] = wins[i] / denom;
                logSum += Math.log(next[i]);
            }
            double shift = Math.exp(logSum / p), moved = 0;
            for (int i = 0; i < p; i++) {
                next[i] /= shift;
                moved = Math.max(moved, Math.abs(Math.log(next[i]) - Math.log(pi[i])));
            }
            pi = next;
            if (moved < c.tolerance()) { it++; break; }
        }
        double[] log = new double[p];
        for (int i = 0; i < p; i++) log[i] = Math.log(pi[i]);
        return new Fit(log, it);
    }

    /**
     * Why the maximum does not exist, or an empty list when it does: the graph with an edge i → j when i has
     * (half-)won against j must be strongly connected. Virtual ties make every compared pair an edge both ways.
     */
    static List<String> unreachable(long[][] half, double prior, List<String> players) {
        int p = half.length;
        boolean[][] edge = new boolean[p][p];
        for (int i = 0; i < p; i++)
            for (int j = 0; j < p; j++)
                edge[i][j] = i != j && (half[i][j] > 0 || (prior > 0 && half[i][j] + half[j][i] > 0));
        boolean[] fromZero = reach(edge, false), toZero = reach(edge, true);
        List<String> why = new ArrayList<>();
        for (int i = 0; i < p; i++) {
            if (!fromZero[i] && !toZero[i]) why.add(players.get(i) + " is not connected to " + players.getFirst() + " by comparisons both ways");
            else if (!fromZero[i]) why.add(players.get(i) + " is never beaten or tied by " + players.getFirst() + " or the players it leads to, so its rating has no upper bound");
            else if (!toZero[i]) why.add(players.get(i) + " never beats or ties " + players.getFirst() + " or the players that lead to it, so its rating has no lower bound");
        }
        return why;
    }

    private static boolean[] reach(boolean[][] edge, boolean reverse) {
        int p = edge.length;
        boolean[] seen = new boolean[p];
        java.util.ArrayDeque<Integer> q = new java.util.ArrayDeque<>();
        seen[0] = true;
        q.add(0);
        while (!q.isEmpty()) {
            int i = q.poll();
            for (int j = 0; j < p; j++)
                if (!seen[j] && (reverse ? edge[j][i] : edge[i][j])) { seen[j] = true; q.add(j); }
        }
        return seen;
    }
}
