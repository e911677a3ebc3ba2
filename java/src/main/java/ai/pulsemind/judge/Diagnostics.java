package ai.pulsemind.judge;

import java.util.ArrayList;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * How a judge behaves over a set of judgments, per dimension and pooled:
 * <ul>
 *   <li><b>flip rate</b>: among pairs asked in both orders with both answered, the share where the b-first verdict,
 *       mapped back, differs from the a-first one (position bias; those became ties);</li>
 *   <li><b>tie rate</b>: the share of final verdicts that are ties;</li>
 *   <li><b>longer-answer win rate</b>: among decided verdicts (not ties) on pairs whose doctor texts differ in length,
 *       the share won by the longer one (length bias: 0.5 is neutral, though a better answer is often longer).</li>
 * </ul>
 * A jury's judgments are read through its members for the flip rate (a jury has no orders of its own).
 *
 * @param pairs       judgments read
 * @param failed      of those, failed
 * @param perDimension per dimension
 * @param pooled      over all dimensions
 */
public record Diagnostics(int pairs, int failed, Map<Dimension, Rates> perDimension, Rates pooled) {
    /**
     * @param flipRate      flips / flipPairs (NaN when no pair had both orders)
     * @param flipPairs     pairs × dimensions with both orders answered
     * @param tieRate       ties / decided-or-tied verdicts
     * @param verdicts      final verdicts counted
     * @param longerWinRate wins of the longer answer / lengthPairs
     * @param lengthPairs   decided verdicts on pairs of unequal length
     */
    public record Rates(double flipRate, int flipPairs, double tieRate, int verdicts, double longerWinRate, int lengthPairs) {}

    /** Diagnostics of {@code judgments}; {@code requests} (matched by id) give the answers' lengths. */
    public static Diagnostics of(List<JudgeRequest> requests, List<Judgment> judgments) {
        Map<String, JudgeRequest> byId = new HashMap<>();
        for (JudgeRequest r : requests) byId.put(r.id(), r);
        int[][] c = new int[Dimension.values().length + 1][6]; // flips, flipPairs, ties, verdicts, longerWins, lengthPairs
        int failed = 0;
        for (Judgment j : judgments) {
            if (!j.ok()) failed++;
            List<Judgment> singles = j.members().isEmpty() ? List.of(j) : j.members();
            for (Dimension d : Dimension.values()) {
                for (Judgment s : singles) {
                    if (s.forward() == null || s.swapped() == null || !s.forward().ok() || !s.swapped().ok()) continue;
                    add(c, d, 1, 1);
                    if (s.flipped(d)) add(c, d, 0, 1);
                }
                if (!j.ok()) continue;
                Verdict v = j.verdict(d);
                add(c, d, 3, 1);
                if (v == Verdict.TIE) { add(c, d, 2, 1); continue; }
                JudgeRequest r = byId.get(j.id());
                if (r == null) continue;
                long la = r.a().doctorText().codePoints().count(), lb = r.b().doctorText().codePoints().count();
                if (la == lb) continue;
                add(c, d, 5, 1);
                if ((v == Verdict.A) == (la > lb)) add(c, d, 4, 1);
            }
        }
        EnumMap<Dimension, Rates> per = new EnumMap<>(Dimension.class);
        for (Dimension d : Dimension.values()) per.put(d, rates(c[d.ordinal()]));
        return new Diagnostics(judgments.size(), failed, per, rates(c[Dimension.values().length]));
    }

    private static void add(int[][] c, Dimension d, int col, int by) {
        c[d.ordinal()][col] += by;
        c[Dimension.values().length][col] += by;
    }

    private static Rates rates(int[] c) {
        return new Rates(ratio(c[0], c[1]), c[1], ratio(c[2], c[3]), c[3], ratio(c[4], c[5]), c[5]);
    }

    private static double ratio(int a, int b) { return b == 0 ? Double.NaN : (double) a / b; }

    /**
     * Agreement of two judges' final verdicts on the same pairs (matched by id; pairs only one judged are left out),
     * on one dimension, or pooled over all four when {@code dimension} is null. A failed judgment counts as missing.
     */
    public static Agreement agreement(List<Judgment> first, List<Judgment> second, Dimension dimension) {
        Map<String, Judgment> other = new HashMap<>();
        for (Judgment j : second) other.put(j.id(), j);
        List<Verdict> x = new ArrayList<>(), y = new ArrayList<>();
        for (Judgment j : first) {
            Judgment k = other.get(j.id());
            if (k == null) continue;
            for (Dimension d : dimension == null ? Dimension.values() : new Dimension[] {dimension}) {
                x.add(j.ok() ? j.verdict(d) : null);
                y.add(k.ok() ? k.verdict(d) : null);
            }
        }
        return Agreement.of(x, y, List.of(Verdict.A, Verdict.TIE, Verdict.B));
    }
}
