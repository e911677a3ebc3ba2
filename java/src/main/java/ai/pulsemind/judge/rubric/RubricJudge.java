package ai.pulsemind.judge.rubric;

import ai.pulsemind.data.Conversation;
import ai.pulsemind.data.MediRecord;
import ai.pulsemind.judge.Answer;
import ai.pulsemind.judge.Dimension;
import ai.pulsemind.judge.Judge;
import ai.pulsemind.judge.JudgeRequest;
import ai.pulsemind.judge.Outcome;
import ai.pulsemind.judge.Reference;
import ai.pulsemind.judge.ScoreRequest;
import ai.pulsemind.judge.Scores;
import ai.pulsemind.judge.Verdict;
import ai.pulsemind.judge.Verdicts;

import java.util.EnumMap;
import java.util.List;
import java.util.Locale;

/**
 * The deterministic, offline judge: scores each answer on each dimension from its text against the reference
 * record (see {@link ai.pulsemind.judge.rubric the package} for the rules and their blind spots). A pair is decided
 * per dimension by the scores, with differences under {@link #TIE_MARGIN} a tie; absolute scores are
 * 1 + round(4·score). Symmetric: it gives the same verdicts in both orders.
 */
public final class RubricJudge implements Judge {
    /** Rubric scores closer than this are a tie. */
    public static final double TIE_MARGIN = 0.05;
    /** Bumped whenever a rule changes, so cached verdicts of an older rubric are not reused. */
    static final String VERSION = "rubric/1";

    @Override public String identity() { return VERSION; }

    @Override public String name() { return "rubric"; }

    @Override
    public void compare(List<JudgeRequest> pairs, Sink<Verdicts> sink) {
        for (int i = 0; i < pairs.size(); i++) sink.accept(i, compare(pairs.get(i)));
    }

    @Override
    public void score(List<ScoreRequest> answers, Sink<Scores> sink) {
        for (int i = 0; i < answers.size(); i++) sink.accept(i, score(answers.get(i)));
    }

    /** One pair as presented. */
    public Outcome<Verdicts> compare(JudgeRequest r) {
        MediRecord rec = r.reference().record();
        if (rec == null) return Outcome.failed(NEEDS_RECORD);
        try {
            RubricScorer.Assessment a = RubricScorer.assess(r.context(), rec, r.a()), b = RubricScorer.assess(r.context(), rec, r.b());
            EnumMap<Dimension, Verdict> v = new EnumMap<>(Dimension.class);
            EnumMap<Dimension, String> why = new EnumMap<>(Dimension.class);
            for (Dimension d : Dimension.values()) {
                double diff = a.get(d) - b.get(d);
                v.put(d, Math.abs(diff) < TIE_MARGIN ? Verdict.TIE : diff > 0 ? Verdict.A : Verdict.B);
                why.put(d, String.format(Locale.ROOT, "A %.2f (%s) vs B %.2f (%s)", a.get(d), a.why().get(d), b.get(d), b.why().get(d)));
            }
            return Outcome.ok(new Verdicts(v, why));
        } catch (RuntimeException e) {
            return Outcome.failed("rubric: " + e.getMessage());
        }
    }

    /** One answer's absolute scores. */
    public Outcome<Scores> score(ScoreRequest r) {
        MediRecord rec = r.reference().record();
        if (rec == null) return Outcome.failed(NEEDS_RECORD);
        try {
            RubricScorer.Assessment a = RubricScorer.assess(r.context(), rec, r.answer());
            EnumMap<Dimension, Integer> s = new EnumMap<>(Dimension.class);
            EnumMap<Dimension, String> why = new EnumMap<>(Dimension.class);
            for (Dimension d : Dimension.values()) {
                s.put(d, absolute(a.get(d)));
                why.put(d, String.format(Locale.ROOT, "%.2f: %s", a.get(d), a.why().get(d)));
            }
            return Outcome.ok(new Scores(s, why));
        } catch (RuntimeException e) {
            return Outcome.failed("rubric: " + e.getMessage());
        }
    }

    /** The rubric's score of one answer per dimension, in [0, 1] (for reports and tuning). */
    public static EnumMap<Dimension, Double> raw(Conversation context, Reference reference, Answer answer) {
        if (reference.record() == null) throw new IllegalArgumentException(NEEDS_RECORD);
        return RubricScorer.assess(context, reference.record(), answer).score();
    }

    static int absolute(double score) { return 1 + (int) Math.round(4 * Math.max(0, Math.min(1, score))); }

    private static final String NEEDS_RECORD = "the rubric judge needs the reference record (facts, diagnosis, language); "
            + "give \"reference\": {\"record\": {…}}";
}
