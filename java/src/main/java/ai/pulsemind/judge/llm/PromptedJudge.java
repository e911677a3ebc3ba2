package ai.pulsemind.judge.llm;

import ai.pulsemind.data.Conversation;
import ai.pulsemind.judge.Judge;
import ai.pulsemind.judge.JudgeRequest;
import ai.pulsemind.judge.Outcome;
import ai.pulsemind.judge.ScoreRequest;
import ai.pulsemind.judge.Scores;
import ai.pulsemind.judge.Verdicts;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;

/**
 * A judge that asks a language model: renders the {@link Prompts}, sends them through a {@link Completer} (an
 * OpenAI-compatible endpoint or our own engine), and reads the answers with {@link VerdictParser}. An answer that
 * cannot be read is asked once more; a second unreadable answer is a counted failure with the start of the text.
 * The identity hashes the prompts, so editing a template invalidates its cached verdicts.
 */
public final class PromptedJudge implements Judge {
    /** Bumped when the way prompts are filled or answers read changes. */
    static final String VERSION = "prompted/1";

    private final Completer completer;
    private final Prompts prompts;
    private final String identity;

    public PromptedJudge(Completer completer, Prompts prompts) {
        this.completer = completer;
        this.prompts = prompts;
        this.identity = VERSION + "|" + completer.identity() + "|prompts=" + prompts.hash();
    }

    @Override public String identity() { return identity; }

    @Override public String name() { return completer.name(); }

    /** What answers the prompts (for its own counters, e.g. an endpoint client's retries). */
    public Completer completer() { return completer; }

    @Override
    public void compare(List<JudgeRequest> pairs, Sink<Verdicts> sink) {
        ask(pairs.stream().map(prompts::pairwise).toList(), VerdictParser::verdicts, sink);
    }

    @Override
    public void score(List<ScoreRequest> answers, Sink<Scores> sink) {
        ask(answers.stream().map(prompts::absolute).toList(), VerdictParser::scores, sink);
    }

    /** Two rounds: everything, then once more what came back unreadable. Transport failures are not asked again here. */
    private <T> void ask(List<Conversation> convs, Function<String, VerdictParser.Parsed<T>> parse, Sink<T> sink) {
        List<Integer> again = new ArrayList<>();
        completer.complete(convs, (i, out) -> {
            switch (out) {
                case Outcome.Failed<String> f -> sink.accept(i, Outcome.failed(f.reason()));
                case Outcome.Ok<String> ok -> {
                    VerdictParser.Parsed<T> p = parse.apply(ok.value());
                    if (p.ok()) sink.accept(i, Outcome.ok(p.value()));
                    else synchronized (again) { again.add(i); }
                }
            }
        });
        if (again.isEmpty()) return;
        List<Integer> idx;
        synchronized (again) { idx = List.copyOf(again); }
        completer.complete(idx.stream().map(convs::get).toList(), (j, out) -> {
            int i = idx.get(j);
            switch (out) {
                case Outcome.Failed<String> f -> sink.accept(i, Outcome.failed("asked again after an unreadable answer: " + f.reason()));
                case Outcome.Ok<String> ok -> {
                    VerdictParser.Parsed<T> p = parse.apply(ok.value());
                    sink.accept(i, p.ok() ? Outcome.ok(p.value()) : Outcome.failed(p.error() + " (twice)"));
                }
            }
        });
    }

    @Override public void close() { completer.close(); }
}
