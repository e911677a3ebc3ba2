package ai.pulsemind.judge;

import java.util.List;

/**
 * The absolute scores of one answer, or why they could not be had.
 *
 * @param id      the request's id
 * @param judge   the judge's (or jury's) name
 * @param scores  null when failed
 * @param cached  whether they came from the verdict cache (a jury: all its members' did)
 * @param members a jury's members' scores; empty for a single judge
 * @param error   why it failed, or null
 */
public record ScoreJudgment(String id, String judge, Scores scores, boolean cached, List<ScoreJudgment> members, String error) {
    public ScoreJudgment {
        members = List.copyOf(members);
        if ((scores == null) == (error == null)) throw new IllegalArgumentException(id + ": scores or an error, not both or neither");
    }

    public boolean ok() { return error == null; }

    public int score(Dimension d) { return scores.get(d); }
}
