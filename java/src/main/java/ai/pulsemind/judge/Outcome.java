package ai.pulsemind.judge;

import java.util.Objects;

/**
 * What a judge made of one item: a value, or a failure with its reason. Failures are data: they are counted and
 * reported, and never end a run.
 */
public sealed interface Outcome<T> permits Outcome.Ok, Outcome.Failed {
    record Ok<T>(T value) implements Outcome<T> {
        public Ok { Objects.requireNonNull(value, "value"); }
    }

    /** @param reason one line, e.g. {@code unparseable verdict: 'I think A is…'} or {@code HTTP 500 from http://…} */
    record Failed<T>(String reason) implements Outcome<T> {
        public Failed { Objects.requireNonNull(reason, "reason"); }
    }

    static <T> Outcome<T> ok(T value) { return new Ok<>(value); }

    static <T> Outcome<T> failed(String reason) { return new Failed<>(reason); }

    default boolean isOk() { return this instanceof Ok; }
}
