package ai.pulsemind.judge.local;

import ai.pulsemind.data.Conversation;
import ai.pulsemind.judge.Judge;
import ai.pulsemind.judge.Outcome;
import ai.pulsemind.judge.TextGenerator;
import ai.pulsemind.judge.llm.Completer;
import ai.pulsemind.judge.llm.PromptedJudge;
import ai.pulsemind.judge.llm.Prompts;

import java.util.List;

/**
 * A judge run on our own engine: the same prompts and parser as the endpoint judge, greedy, batched by the
 * generator's batch size. It talks to the engine only through {@link TextGenerator}; {@link EngineTextGenerator}
 * is the one adapter onto the generation engine.
 */
public final class LocalJudge {
    private LocalJudge() {}

    /**
     * @param maxNewTokens the longest verdict answer
     */
    public static Judge create(TextGenerator generator, int maxNewTokens, Prompts prompts) {
        if (maxNewTokens < 16) throw new IllegalArgumentException("judge max tokens must be >= 16 (a verdict is a JSON object), got " + maxNewTokens);
        return new PromptedJudge(new GeneratorCompleter(generator, maxNewTokens), prompts);
    }

    static final class GeneratorCompleter implements Completer {
        private final TextGenerator gen;
        private final int maxNewTokens;

        GeneratorCompleter(TextGenerator gen, int maxNewTokens) {
            this.gen = gen;
            this.maxNewTokens = maxNewTokens;
        }

        /** Batch by batch; a batch the engine cannot run fails its items with the reason, the next batch goes on. */
        @Override
        public void complete(List<Conversation> prompts, Judge.Sink<String> sink) {
            int b = Math.max(1, gen.batchSize());
            for (int start = 0; start < prompts.size(); start += b) {
                List<Conversation> batch = prompts.subList(start, Math.min(prompts.size(), start + b));
                List<String> out;
                try {
                    synchronized (gen) { // one engine: callers on several threads take turns
                        out = gen.generate(batch, maxNewTokens);
                    }
                    if (out.size() != batch.size()) throw new IllegalStateException(out.size() + " replies for " + batch.size() + " prompts");
                } catch (RuntimeException e) {
                    for (int i = 0; i < batch.size(); i++) sink.accept(start + i, Outcome.failed("local model: " + e.getMessage()));
                    continue;
                }
                for (int i = 0; i < batch.size(); i++) sink.accept(start + i, Outcome.ok(out.get(i)));
            }
        }

        @Override public String identity() { return "local|" + gen.identity() + "|greedy|max_new_tokens=" + maxNewTokens; }

        @Override public String name() { return "local"; }

        @Override public void close() { gen.close(); }
    }
}
