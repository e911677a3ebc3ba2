package ai.pulsemind.judge;

import ai.pulsemind.data.Conversation;

import java.util.List;

/**
 * Conversation in, text out, greedily: all that the local judge needs from a generation engine. The adapter onto
 * the engine is {@link ai.pulsemind.judge.local.EngineTextGenerator}; anything else that can answer a chat (a test
 * double, another engine) can stand in.
 */
public interface TextGenerator extends AutoCloseable {
    /**
     * The greedy reply to each conversation, in order. A conversation that cannot be run (too long for the context,
     * an image that does not load) gives an exception; callers treat it as that batch's failure.
     */
    List<String> generate(List<Conversation> prompts, int maxNewTokens);

    /** What the generator is (model directory, checkpoint), for the judge's identity and the cache. */
    String identity();

    /** How many prompts one {@link #generate} call should carry. */
    default int batchSize() { return 8; }

    @Override default void close() {}
}
