package ai.pulsemind.judge;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;

/**
 * How a jury's members' judgments become one: per dimension, the verdict a strict majority of the members that
 * answered gave; a split (no strict majority) is a tie. Absolute scores: the median per dimension (the lower one
 * of an even count, so a score is always one a member gave). Members that failed are left out and named; when
 * every member failed, so did the jury.
 */
public final class Jury {
    private Jury() {}

    public static Judgment combine(String id, String name, List<Judgment> members) {
        List<Judgment> ok = members.stream().filter(Judgment::ok).toList();
        if (ok.isEmpty()) {
            StringBuilder why = new StringBuilder("every jury member failed:");
            for (Judgment m : members) why.append(' ').append(m.judge()).append(": ").append(m.error()).append(';');
            return new Judgment(id, name, Map.of(), Map.of(), null, null, members, why.substring(0, why.length() - 1));
        }
        EnumMap<Dimension, Verdict> v = new EnumMap<>(Dimension.class);
        EnumMap<Dimension, String> r = new EnumMap<>(Dimension.class);
        for (Dimension d : Dimension.values()) {
            int[] votes = new int[Verdict.values().length];
            for (Judgment m : ok) votes[m.verdict(d).ordinal()]++;
            Verdict winner = Verdict.TIE;
            for (Verdict x : Verdict.values()) if (2 * votes[x.ordinal()] > ok.size()) winner = x;
            v.put(d, winner);
            r.put(d, String.format("votes A %d, tie %d, B %d of %d member(s)%s", votes[Verdict.A.ordinal()],
                    votes[Verdict.TIE.ordinal()], votes[Verdict.B.ordinal()], ok.size(), failedNote(members.size() - ok.size())));
        }
        return new Judgment(id, name, v, r, null, null, members, null);
    }

    public static ScoreJudgment combineScores(String id, String name, List<ScoreJudgment> members) {
        List<ScoreJudgment> ok = members.stream().filter(ScoreJudgment::ok).toList();
        if (ok.isEmpty()) {
            List<String> why = new ArrayList<>();
            for (ScoreJudgment m : members) why.add(m.judge() + ": " + m.error());
            return new ScoreJudgment(id, name, null, false, members, "every jury member failed: " + String.join("; ", why));
        }
        EnumMap<Dimension, Integer> s = new EnumMap<>(Dimension.class);
        EnumMap<Dimension, String> r = new EnumMap<>(Dimension.class);
        for (Dimension d : Dimension.values()) {
            int[] xs = ok.stream().mapToInt(m -> m.score(d)).sorted().toArray();
            s.put(d, xs[(xs.length - 1) / 2]);
            r.put(d, "median of " + Arrays.toString(xs) + failedNote(members.size() - ok.size()));
        }
        return new ScoreJudgment(id, name, new Scores(s, r), ok.size() == members.size() && ok.stream().allMatch(ScoreJudgment::cached), members, null);
    }

    private static String failedNote(int failed) { return failed == 0 ? "" : " (" + failed + " failed)"; }
}
