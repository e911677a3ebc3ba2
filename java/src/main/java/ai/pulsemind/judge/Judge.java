package ai.pulsemind.judge;

import java.util.List;

/**
 * A comparison model: the SPI that the rubric, OpenAI-compatible, local-model and other judges implement. A judge
 * answers for the order it is shown ({@code a} first); position debiasing, caching and juries are done on top of
 * it by {@link Judging}, which is what callers use.
 *
 * <p>Calls are batched: a judge gets a list and reports each item through the sink as soon as it is done (from any
 * thread; the sink is thread-safe), so results can be cached while the rest are still running. A failed item is an
 * {@link Outcome.Failed}; {@code compare} and {@code score} do not throw for one item's sake. Implementations are
 * thread-safe.
 */
public interface Judge extends AutoCloseable {
    /** Receives each item's outcome by its index in the batch; exactly once per index. */
    @FunctionalInterface
    interface Sink<T> {
        void accept(int index, Outcome<T> outcome);
    }

    /**
     * Everything that changes this judge's answers, as one string: its kind and version, the model, a hash of the
     * prompt template, sampling parameters. The verdict cache is keyed on it, so two judges with the same identity
     * must answer the same.
     */
    String identity();

    /** A short name for reports and output lines, e.g. {@code rubric} or {@code openai:qwen2.5-72b}. */
    String name();

    /** Verdicts on each pair as presented; returns once every index has been given to the sink. */
    void compare(List<JudgeRequest> pairs, Sink<Verdicts> sink);

    /** Absolute scores of each answer; returns once every index has been given to the sink. */
    void score(List<ScoreRequest> answers, Sink<Scores> sink);

    /** Releases connections or model memory. */
    @Override default void close() {}
}
