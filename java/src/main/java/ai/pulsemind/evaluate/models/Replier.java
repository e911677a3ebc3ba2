package ai.pulsemind.evaluate.models;

import ai.pulsemind.data.Conversation;

import java.util.List;

/**
 * The model under test as the benchmark sees it: conversations in, reply texts out. {@link Repliers#open} makes one
 * from a {@code --model} SPEC; a test or an embedding service may pass its own.
 *
 * <p>A reply is the text the model generated, stop tokens removed. A batch that fails throws; the benchmark then
 * retries its questions one at a time and counts those that still fail, so one bad question does not sink a run.
 */
public interface Replier extends AutoCloseable {
    /** How reports name the model. */
    String name();

    /** One reply per conversation, in order. */
    List<String> reply(List<Conversation> prompts, Decoding decoding);

    @Override
    void close();

    /**
     * How to pick tokens; public benchmarks decode greedily.
     *
     * @param maxNewTokens at most this many new tokens per reply
     * @param temperature  0: greedy (arg-max); above 0: sampling
     * @param topP         nucleus sampling mass (1: off)
     * @param seed         the sampling seed (unused when greedy)
     */
    record Decoding(int maxNewTokens, double temperature, double topP, long seed) {
        public Decoding {
            if (maxNewTokens < 1) throw new IllegalArgumentException("--max-new-tokens must be >= 1, got " + maxNewTokens);
            if (temperature < 0) throw new IllegalArgumentException("temperature must be >= 0, got " + temperature);
            if (!(topP > 0 && topP <= 1)) throw new IllegalArgumentException("top-p must be in (0, 1], got " + topP);
        }

        public static Decoding greedy(int maxNewTokens) { return new Decoding(maxNewTokens, 0, 1, 0); }

        public boolean greedy() { return temperature == 0; }
    }
}
