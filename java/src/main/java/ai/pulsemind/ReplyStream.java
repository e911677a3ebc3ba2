package ai.pulsemind;

import ai.pulsemind.model.generate.Engine;

import java.util.concurrent.CompletableFuture;

/**
 * A reply being generated: its text arrives at the listener piece by piece (on the engine's thread, so the listener
 * should be quick), {@link #cancel} stops it with what it has, {@link #join} waits for the whole reply.
 */
public final class ReplyStream {
    private final Engine.Handle handle;
    private final CompletableFuture<Reply> reply;

    ReplyStream(Engine.Handle handle, int promptTokens) {
        this.handle = handle;
        this.reply = handle.result().thenApply(c -> Reply.of(c, promptTokens));
    }

    /** Stops generating: the reply finishes {@code cancelled} with the text so far. */
    public void cancel() { handle.cancel(); }

    /** Completes with the reply, or exceptionally with an {@link IllegalArgumentException} for bad input. */
    public CompletableFuture<Reply> result() { return reply; }

    /** Blocks for the reply; bad input comes back as the {@link IllegalArgumentException} it is. */
    public Reply join() {
        try {
            return reply.join();
        } catch (java.util.concurrent.CompletionException e) {
            if (e.getCause() instanceof RuntimeException re) throw re;
            throw e;
        }
    }
}
