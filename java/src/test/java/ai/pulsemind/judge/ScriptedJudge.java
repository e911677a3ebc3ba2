package ai.pulsemind.judge;

import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;

/** A judge whose answers a test writes: a function of the pair as presented. Counts its calls. */
final class ScriptedJudge implements Judge {
    final String name;
    final Function<JudgeRequest, Outcome<Verdicts>> rule;
    final AtomicInteger calls = new AtomicInteger();

    ScriptedJudge(String name, Function<JudgeRequest, Outcome<Verdicts>> rule) {
        this.name = name;
        this.rule = rule;
    }

    @Override public String identity() { return "scripted/" + name; }

    @Override public String name() { return name; }

    @Override
    public void compare(List<JudgeRequest> pairs, Sink<Verdicts> sink) {
        for (int i = 0; i < pairs.size(); i++) {
            calls.incrementAndGet();
            sink.accept(i, rule.apply(pairs.get(i)));
        }
    }

    @Override
    public void score(List<ScoreRequest> answers, Sink<Scores> sink) {
        for (int i = 0; i < answers.size(); i++) {
            calls.incrementAndGet();
            int s = Math.min(5, 1 + answers.get(i).answer().doctorText().length() / 10);
            java.util.EnumMap<Dimension, Integer> m = new java.util.EnumMap<>(Dimension.class);
            for (Dimension d : Dimension.values()) m.put(d, s);
            sink.accept(i, Outcome.ok(new Scores(m, java.util.Map.of())));
        }
    }

    /** The longer answer wins every dimension; equal lengths tie. Position-free. */
    static Outcome<Verdicts> longer(JudgeRequest r) {
        int d = Integer.compare(r.a().doctorText().length(), r.b().doctorText().length());
        return Outcome.ok(Verdicts.all(d > 0 ? Verdict.A : d < 0 ? Verdict.B : Verdict.TIE));
    }

    /** Always prefers the answer shown first: pure position bias. */
    static Outcome<Verdicts> first(JudgeRequest r) { return Outcome.ok(Verdicts.all(Verdict.A)); }

    static JudgeRequest pair(String id, String a, String b) {
        return new JudgeRequest(id, ai.pulsemind.data.Conversation.EMPTY, Reference.ofText("ref"), new Answer.Reply(a), new Answer.Reply(b));
    }
}
