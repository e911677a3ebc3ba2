package ai.pulsemind.serve;

import ai.pulsemind.model.generate.ChatModel;
import ai.pulsemind.model.generate.Completion;
import ai.pulsemind.model.generate.Engine;
import ai.pulsemind.model.generate.GenerationConfig;
import ai.pulsemind.model.qwen25vl.Prompt;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * {@code POST /v1/chat/completions}: a checked request becomes one prompt and {@code n} engine requests (choice i
 * samples stream i of the seed), admitted against {@link Admission} or refused with 429.
 *
 * <p>Tokens reach the request's thread through a queue the engine's listeners fill (they must be quick: they run
 * on the engine thread). A stream waits for the first token before it commits its 200, so a request the engine
 * refuses (a prompt that does not fit, images without a vision tower) is still a 400; then each wake-up writes
 * every event that has arrived in one write, so a busy server sends fewer, larger writes. When a write fails the
 * client is gone: its handles are cancelled and their slots are free at the engine's next step.
 */
final class ChatCompletions {
    private sealed interface Event {}
    private record Tok(int choice, Engine.Token token) implements Event {}
    private record Done(int choice, Completion completion) implements Event {}
    private record Failed(int choice, Throwable error) implements Event {}

    private final ChatModel model;
    private final String servedName;
    private final Path imageDir;
    private final Admission admission;
    private final Metrics metrics;
    private final int[] stopIds;
    private final Set<Engine.Handle> live = ConcurrentHashMap.newKeySet();

    ChatCompletions(ChatModel model, String servedName, Path imageDir, Admission admission, Metrics metrics) {
        this.model = model;
        this.servedName = servedName;
        this.imageDir = imageDir;
        this.admission = admission;
        this.metrics = metrics;
        this.stopIds = model.stopIds();
    }

    /** Answers one request; an {@link ApiError} thrown before anything was sent is the caller's to send. */
    void handle(JsonNode body, Exchange ex, long arrivalNanos) throws IOException {
        CompletionRequest req = CompletionRequest.parse(body, servedName, admission.capacity(), imageDir);
        Prompt prompt;
        try {
            prompt = model.prompt(req.conversation());
        } catch (IllegalArgumentException e) {
            throw ApiError.invalid(CompletionRequest.paramOf(e.getMessage()), e.getMessage());
        }
        GenerationConfig gen = req.generation(stopIds, room(prompt));
        if (!admission.tryAcquire(req.n())) throw ApiError.queueFull(admission.capacity());
        AtomicInteger started = new AtomicInteger();
        List<Engine.Handle> handles = new ArrayList<>(req.n());
        try {
            LinkedBlockingQueue<Event> events = new LinkedBlockingQueue<>();
            for (int i = 0; i < req.n(); i++) {
                int choice = i;
                Engine.Handle h = model.engine().submit(prompt, gen, choice, tok -> {
                    if (tok.index() == 0) {
                        admission.started();
                        if (started.getAndIncrement() == 0) metrics.firstToken.observe((System.nanoTime() - arrivalNanos) / 1e9);
                    }
                    if (req.stream()) events.add(new Tok(choice, tok));
                });
                h.result().whenComplete((c, e) -> events.add(e == null ? new Done(choice, c) : new Failed(choice, unwrap(e))));
                handles.add(h);
                live.add(h);
            }
            ex.onFailure(() -> handles.forEach(Engine.Handle::cancel));
            CompletionJson.Header header = new CompletionJson.Header("chatcmpl-" + hex(), System.currentTimeMillis() / 1000, servedName);
            boolean ok = req.stream() ? stream(req, prompt, header, events, handles, ex) : whole(req, prompt, header, handles, ex);
            if (ok) metrics.latency.observe((System.nanoTime() - arrivalNanos) / 1e9);
        } finally {
            handles.forEach(Engine.Handle::cancel); // no-op for finished ones; frees the slots of any left running
            handles.forEach(live::remove);
            admission.release(req.n(), started.get());
        }
    }

    /** Cancels every request in flight (shutdown past its drain time): each ends with what it has. */
    void cancelAll() { live.forEach(Engine.Handle::cancel); }

    /** New tokens that fit after the prompt: in the engine's slot and in the model's context. */
    private int room(Prompt p) {
        int slot = model.engine().config().maxSequenceLength() - p.length();
        int context = model.model().text().config().maxPositionEmbeddings() - p.nextPosition();
        int room = Math.min(slot, context);
        if (room < 1)
            throw ApiError.invalid("messages", "The prompt is " + p.length() + " tokens: it leaves no room for a reply in the model's "
                    + Math.min(model.engine().config().maxSequenceLength(), model.model().text().config().maxPositionEmbeddings()) + "-token context.");
        return room;
    }

    private boolean whole(CompletionRequest req, Prompt prompt, CompletionJson.Header header, List<Engine.Handle> handles, Exchange ex) throws IOException {
        List<Completion> done = new ArrayList<>(handles.size());
        for (Engine.Handle h : handles) {
            try {
                done.add(h.result().join());
            } catch (CompletionException e) {
                throw failure(unwrap(e));
            }
        }
        int tokens = done.stream().mapToInt(c -> c.ids().length).sum();
        if (done.stream().anyMatch(c -> c.finishReason() == Completion.FinishReason.CANCELLED)) {
            metrics.disconnects.increment();
            return false; // cancelled: the client went away, nobody to answer
        }
        count(prompt, tokens);
        ex.json(200, CompletionJson.completion(header, done, prompt.length(), req.logprobs(), model.tokenizer(), stopIds));
        return true;
    }

    private boolean stream(CompletionRequest req, Prompt prompt, CompletionJson.Header header, LinkedBlockingQueue<Event> events,
                           List<Engine.Handle> handles, Exchange ex) throws IOException {
        int n = req.n();
        List<Event> batch = new ArrayList<>();
        try {
            batch.add(events.take());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
        if (batch.getFirst() instanceof Failed f) throw failure(f.error()); // nothing sent yet: a proper error status
        StringBuilder out = new StringBuilder();
        for (int i = 0; i < n; i++) sse(out, CompletionJson.chunk(header, i, true, "", null, null, req.includeUsage()));
        int finished = 0, completionTokens = 0;
        boolean cancelled = false;
        try {
            ex.startEvents();
            while (true) {
                events.drainTo(batch);
                for (Event e : batch) {
                    switch (e) {
                        case Tok t -> tokenEvent(out, header, req, t);
                        case Done d -> {
                            finished++;
                            completionTokens += d.completion().ids().length;
                            cancelled |= d.completion().finishReason() == Completion.FinishReason.CANCELLED;
                            sse(out, CompletionJson.chunk(header, d.choice(), false, null, null, d.completion().finishReason().openAi(), req.includeUsage()));
                        }
                        case Failed f -> {
                            sse(out, CompletionJson.streamError(f.error().getMessage()));
                            ex.end(out.append("data: [DONE]\n\n").toString());
                            return false;
                        }
                    }
                }
                batch.clear();
                if (finished == n) break;
                ex.write(out.toString());
                out.setLength(0);
                batch.add(events.take());
            }
            if (cancelled) { // only Server.close past its drain time cancels a stream whose client is still there
                ex.end(out.toString());
                return false;
            }
            count(prompt, completionTokens);
            if (req.includeUsage()) sse(out, CompletionJson.usageChunk(header, prompt.length(), completionTokens));
            ex.end(out.append("data: [DONE]\n\n").toString());
            return true;
        } catch (IOException e) { // the client went away: free the slots now, not when the reply would have ended
            handles.forEach(Engine.Handle::cancel);
            metrics.disconnects.increment();
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    private void tokenEvent(StringBuilder out, CompletionJson.Header header, CompletionRequest req, Tok t) {
        Engine.Token tok = t.token();
        ArrayNode lp = null;
        if (req.logprobs()) {
            lp = JsonNodeFactory.instance.arrayNode();
            if (!isStop(tok.id())) lp.add(CompletionJson.entry(model.tokenizer(), tok.id(), tok.logprob(), null));
        }
        // Alternatives are only in the handle's completion, so a stream carries the chosen token's log-prob.
        if (tok.text().isEmpty() && (lp == null || lp.isEmpty())) return;
        sse(out, CompletionJson.chunk(header, t.choice(), false, tok.text(), lp, null, req.includeUsage()));
    }

    private boolean isStop(int id) {
        for (int s : stopIds) if (s == id) return true;
        return false;
    }

    private void count(Prompt prompt, int completionTokens) {
        metrics.promptTokens.add(prompt.length());
        metrics.completionTokens.add(completionTokens);
    }

    /** Bad input the engine found is the client's 400; a closed engine is 503; anything else is ours, 500. */
    private static ApiError failure(Throwable e) {
        String msg = e.getMessage() == null ? e.toString() : e.getMessage();
        if (e instanceof IllegalArgumentException) return ApiError.invalid("messages", msg);
        if (e instanceof IllegalStateException) return new ApiError(503, "server_error", null, "engine_unavailable", msg);
        return new ApiError(500, "server_error", null, "generation_failed", msg);
    }

    private static Throwable unwrap(Throwable e) {
        while (e instanceof CompletionException && e.getCause() != null) e = e.getCause();
        return e;
    }

    private static void sse(StringBuilder out, JsonNode event) {
        out.append("data: ").append(event).append("\n\n");
    }

    private static String hex() {
        byte[] b = new byte[12];
        ThreadLocalRandom.current().nextBytes(b);
        return HexFormat.of().formatHex(b);
    }
}
