package ai.pulsemind.judge.llm;

import ai.pulsemind.data.Conversation;
import ai.pulsemind.judge.Judge;

import java.util.List;

/** Whatever turns a judge prompt into the model's text: an endpoint, our engine. Thread-safe. */
public interface Completer extends AutoCloseable {
    /** Completes each prompt, reporting each by index as soon as it is done; returns once all are reported. */
    void complete(List<Conversation> prompts, Judge.Sink<String> sink);

    /** The model and sampling parameters, for the judge's identity (not the endpoint's address). */
    String identity();

    /** A short name, e.g. {@code openai:qwen2.5-72b}. */
    String name();

    @Override default void close() {}
}
