package ai.pulsemind.crpo;

import java.util.Locale;

/**
 * Group-normalised advantages from the rewards of B groups of G samples (a group = the samples of one prompt):
 * <pre>
 *   A[b,g] = (R[b,g] − mean_g R[b,:]) / (std + eps)
 * </pre>
 * with std the unbiased sample standard deviation of the group ({@link Scaling#GROUP}), of all B·G rewards
 * ({@link Scaling#BATCH}), or no division ({@link Scaling#NONE}): TRL's {@code scale_rewards} group | batch | none.
 * A group whose rewards are all equal (zero spread) carries no signal: it is counted, and either kept with
 * advantages exactly 0 ({@link ZeroSpread#KEEP}; they still add their KL term to the loss) or dropped from the
 * update ({@link ZeroSpread#DROP}). Rewards that are NaN (every judgement of the sample failed) are left out of their
 * group's mean and std, and the sample gets advantage 0 and is dropped.
 */
public final class Advantages {
    private Advantages() {}

    /** How advantages are divided after centring on the group mean. */
    public enum Scaling {
        GROUP, BATCH, NONE;

        public static Scaling parse(String s) {
            try {
                return valueOf(s.strip().toUpperCase(Locale.ROOT));
            } catch (IllegalArgumentException | NullPointerException e) {
                throw new IllegalArgumentException("--scale must be group, batch or none, got '" + s + "'");
            }
        }
    }

    /** What a zero-spread group becomes. */
    public enum ZeroSpread {
        KEEP, DROP;

        public static ZeroSpread parse(String s) {
            try {
                return valueOf(s.strip().toUpperCase(Locale.ROOT));
            } catch (IllegalArgumentException | NullPointerException e) {
                throw new IllegalArgumentException("--zero-spread must be keep or drop, got '" + s + "'");
            }
        }
    }

    /**
     * @param advantages (B·G) row-major, 0 for dropped samples
     * @param keep       (B·G) whether the sample takes part in the update
     * @param zeroSpread groups whose (valid) rewards are all equal, or that have fewer than two valid rewards
     * @param groupStd   (B) the unbiased std of each group's valid rewards (0 for fewer than two)
     */
    public record Result(double[] advantages, boolean[] keep, int zeroSpread, double[] groupStd) {
        /** Fraction of groups with zero spread (TRL's {@code frac_reward_zero_std}). */
        public double fracZeroSpread() { return groupStd.length == 0 ? 0 : (double) zeroSpread / groupStd.length; }
    }

    /**
     * @param rewards (B·G) row-major: group b is rewards[b·G, (b+1)·G); NaN = no reward (all judgements failed)
     */
    public static Result compute(double[] rewards, int groupSize, Scaling scaling, ZeroSpread zero, double eps) {
        if (groupSize < 1) throw new IllegalArgumentException("group size must be >= 1, got " + groupSize);
        if (rewards.length % groupSize != 0)
            throw new IllegalArgumentException(rewards.length + " rewards is not a whole number of groups of " + groupSize);
        if (!(eps >= 0)) throw new IllegalArgumentException("eps must be >= 0, got " + eps);
        int b = rewards.length / groupSize;
        double[] adv = new double[rewards.length], std = new double[b];
        boolean[] keep = new boolean[rewards.length];
        int zeroGroups = 0;
        for (int i = 0; i < b; i++) {
            int from = i * groupSize, to = from + groupSize;
            double[] s = stats(rewards, from, to);
            std[i] = s[1];
            boolean flat = s[2] < 2 || s[3] == s[4]; // fewer than two rewards, or all equal
            if (flat) zeroGroups++;
            for (int j = from; j < to; j++) {
                boolean valid = !Double.isNaN(rewards[j]);
                // equal rewards: exactly no signal (a rounded mean could differ from them by an ulp)
                adv[j] = !valid || flat ? 0 : rewards[j] - s[0];
                keep[j] = valid && !(flat && zero == ZeroSpread.DROP);
                if (scaling == Scaling.GROUP && valid && !flat) adv[j] /= s[1] + eps;
            }
        }
        if (scaling == Scaling.BATCH) {
            double[] s = stats(rewards, 0, rewards.length);
            for (int j = 0; j < adv.length; j++) adv[j] /= s[1] + eps;
        }
        return new Result(adv, keep, zeroGroups, std);
    }

    /** {mean, unbiased std, count, min, max} over the non-NaN values of r[from, to). */
    static double[] stats(double[] r, int from, int to) {
        double sum = 0, lo = Double.POSITIVE_INFINITY, hi = Double.NEGATIVE_INFINITY;
        int n = 0;
        for (int j = from; j < to; j++) {
            if (Double.isNaN(r[j])) continue;
            sum += r[j];
            lo = Math.min(lo, r[j]);
            hi = Math.max(hi, r[j]);
            n++;
        }
        double mean = n == 0 ? 0 : sum / n, var = 0;
        for (int j = from; j < to; j++) if (!Double.isNaN(r[j])) var += (r[j] - mean) * (r[j] - mean);
        // equal values: std exactly 0 (a rounded mean can leave a residue of an ulp)
        return new double[] {mean, n > 1 && lo != hi ? Math.sqrt(var / (n - 1)) : 0, n, lo, hi};
    }

    /** Mean of the non-NaN values (NaN when none). */
    public static double mean(double[] r) {
        double[] s = stats(r, 0, r.length);
        return s[2] == 0 ? Double.NaN : s[0];
    }
}
