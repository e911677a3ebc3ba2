package ai.pulsemind.model.generate;

import ai.pulsemind.autograd.Ops;
import ai.pulsemind.backend.Backend;
import ai.pulsemind.config.InvalidSetting;
import ai.pulsemind.model.io.TextConfig;
import ai.pulsemind.model.qwen25vl.KvCache;
import ai.pulsemind.model.qwen25vl.Prompt;
import ai.pulsemind.model.qwen25vl.Qwen25VL;
import ai.pulsemind.tensor.GradMode;
import ai.pulsemind.tokenize.Tokenizer;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The generation engine: one object owns the model, a request queue and a KV cache of {@link Config#slots} slots,
 * and one thread of its own steps them. Every caller (CRPO rollouts, the benchmark, local judges, the server, the
 * CLI) submits here, from any thread, and gets a {@link Handle}: a future of the {@link Completion} and, when it
 * passes a {@link Listener}, each token as it is chosen.
 *
 * <p>Continuous batching. Each step of the engine thread:
 * <pre>
 *   1. drop cancelled requests (a running one frees its slot)
 *   2. admit waiting requests into free slots, FIFO, up to {@link Config#prefillTokens} prompt tokens (at least one)
 *   3. prefill the admitted prompts in one packed forward (their keys/values go to their slots) and pick each
 *      one's first token
 *   4. one decoding step for every running sequence (the ones just admitted included): one forward of B tokens
 *      against their slots ({@code Backend.attentionDecode} reads through the slot index), one token each
 * </pre>
 * A sequence that ends (stop token, stop string, max tokens, cancellation) leaves its slot at once and decodes no
 * further; the next waiting request takes the slot in the next step, while the others keep decoding.
 *
 * <p>Why results do not depend on the batch: the packed forward and decode attention are per sequence; the
 * sampler draws from Philox keyed by the request's own seed, stream and token index ({@code SampleRow}), never by
 * its row in the batch. On the reference backend a request gives bit-identical ids and log-probs alone and mixed
 * with others; on the fast CPU backend the matrix products sum in a different order for up to 8 rows (GEMV) than
 * for more (GEMM), so log-probs agree to about 1e-6 and ids agree except at a near-exact tie.
 *
 * <p>Bad input fails only its own request, with a message: an empty prompt, one that with its max new tokens does
 * not fit a slot or the model's context, images without a vision tower, or a forward that fails on it (then the
 * other prompts of the same prefill are retried alone). The engine thread is the only one that uses the backend
 * while requests are in flight; listeners run on it, so they should be quick.
 */
public final class Engine implements AutoCloseable {
    /**
     * @param slots             sequences decoded together at most (KV cache slots)
     * @param maxSequenceLength tokens per slot: a request needs prompt + max new tokens ≤ this
     * @param prefillTokens     prompt tokens admitted per step at most (a longer prompt is admitted alone): bounds
     *                          the activations of one prefill and how long decoding pauses for it
     */
    public record Config(int slots, int maxSequenceLength, int prefillTokens) {
        public Config {
            InvalidSetting.atLeast("slots", slots, 1);
            InvalidSetting.atLeast("maxSequenceLength", maxSequenceLength, 2);
            InvalidSetting.atLeast("prefillTokens", prefillTokens, 1);
        }

        /** {@code slots} slots of {@code maxSequenceLength} tokens, up to 4096 prompt tokens prefilled per step. */
        public static Config of(int slots, int maxSequenceLength) { return new Config(slots, maxSequenceLength, 4096); }
    }

    /** One chosen token, as a listener sees it. */
    public record Token(int index, int id, float logprob, String text) {
        /**
         * @param index the token's place among the request's new tokens
         * @param logprob its log-prob ({@link Completion}), NaN when the request did not ask for log-probs
         * @param text    text released with it: UTF-8 safe, stop strings withheld until resolved (often empty; null
         *                without a tokenizer)
         */
        public Token {}
    }

    /** Receives a request's tokens on the engine thread, in order. An exception fails that request. */
    @FunctionalInterface
    public interface Listener {
        void onToken(Token token);
    }

    /** Counters since the engine started. */
    public record Stats(long steps, long prefills, long prefillTokens, long decodeSteps, long decodedTokens, int peakBatch,
                        long completed, long failed, long cancelled) {}

    /** A submitted request. */
    public static final class Handle {
        final Live live;

        Handle(Live live) { this.live = live; }

        /** Completes with the result, or exceptionally with an {@link IllegalArgumentException} for bad input. */
        public CompletableFuture<Completion> result() { return live.future; }

        /** Stops the request: it finishes {@link Completion.FinishReason#CANCELLED} with what it has, its slot freed. */
        public void cancel() { live.cancelled = true; }

        /** Blocks for the result; bad input comes back as the {@link IllegalArgumentException} it is. */
        public Completion join() {
            try {
                return live.future.join();
            } catch (java.util.concurrent.CompletionException e) {
                if (e.getCause() instanceof RuntimeException re) throw re;
                throw e;
            }
        }
    }

    /** One request for {@link #submitAll}: what {@link #submit(Prompt, GenerationConfig, int, Listener)} takes. */
    public record Request(Prompt prompt, GenerationConfig gen, int stream, Listener listener) {}

    private static final List<Live> CLOSING = List.of(new Live(null, null, 0, null, 0, null)); // compared by identity

    private final Qwen25VL model;
    private final Ops ops;
    private final Config cfg;
    private final Tokenizer tokenizer; // null: ids only (no text, no stop strings, every id may be generated)
    // Requests arrive in groups (one per submit call) so that a group is admitted together: the engine thread never
    // sees half of a submitAll, which would split its prefill in two and interleave a decoding step between them.
    private final LinkedBlockingQueue<List<Live>> incoming = new LinkedBlockingQueue<>();
    private final Deque<Live> waiting = new ArrayDeque<>();
    private final List<Live> running = new ArrayList<>();
    private final Deque<Integer> freeSlots = new ArrayDeque<>();
    private final KvCache cache;
    private final TokenPicker picker;
    private final EngineSteps steps;
    private final Thread thread;
    private final AtomicLong ids = new AtomicLong();
    private volatile boolean closed;
    private long nSteps, nPrefills, nPrefillTokens, nDecodeSteps, nDecoded, nCompleted, nFailed, nCancelled;
    private int peakBatch;

    /**
     * @param tokenizer the model's tokenizer, for text, stop strings and the ids it does not know (never generated);
     *                  null for an engine of ids only
     */
    public Engine(Qwen25VL model, Backend be, Config cfg, Tokenizer tokenizer) {
        this.model = model;
        this.ops = new Ops(be);
        this.cfg = cfg;
        this.tokenizer = tokenizer;
        TextConfig td = model.text().config();
        this.cache = new KvCache(be, td.numLayers(), cfg.slots(), cfg.maxSequenceLength(), td.numKvHeads(), td.headDim());
        for (int s = 0; s < cfg.slots(); s++) freeSlots.add(s);
        this.picker = new TokenPicker(be, td.vocabSize(), banned(model, tokenizer));
        this.steps = new EngineSteps(model, ops, cache, picker);
        this.thread = new Thread(this::loop, "pulsemind-engine");
        thread.setDaemon(true);
        thread.start();
    }

    /** Ids that are never generated: those the tokenizer does not know, and the image placeholder. */
    static boolean[] banned(Qwen25VL model, Tokenizer tok) {
        int v = model.text().config().vocabSize();
        boolean[] b = new boolean[v];
        if (tok != null) for (int i = 0; i < v; i++) b[i] = !tok.knows(i);
        if (model.imageTokenId() >= 0 && model.imageTokenId() < v) b[model.imageTokenId()] = true;
        return b;
    }

    public Config config() { return cfg; }

    public Qwen25VL model() { return model; }

    /**
     * Queues a request. It never throws for bad input: the handle's result fails with a message instead, and
     * nothing else in flight is affected.
     *
     * @param stream which sample stream of the seed to draw from: the i-th of n samples of one prompt passes i
     * @param listener receives each token, or null
     */
    public Handle submit(Prompt prompt, GenerationConfig gen, int stream, Listener listener) {
        return submitAll(List.of(new Request(prompt, gen, stream, listener))).getFirst();
    }

    /**
     * Queues requests as one group: the engine admits them in the same step, in this order, as far as free slots
     * and {@link Config#prefillTokens} allow, so their prompts share one packed prefill (a loop of {@code submit}
     * races the engine thread, which may start on the first prompt alone). Each request still succeeds or fails on
     * its own; the handles come back in the order of {@code requests}.
     */
    public List<Handle> submitAll(List<Request> requests) {
        List<Handle> handles = new ArrayList<>(requests.size());
        List<Live> group = new ArrayList<>(requests.size());
        for (Request r : requests) {
            Live live = new Live(r.prompt(), r.gen(), r.stream(), r.listener(), ids.incrementAndGet(), tokenizer);
            live.future.whenComplete((c, e) -> { if (live.future.isCancelled()) live.cancelled = true; });
            handles.add(new Handle(live));
            String bad = validate(r.prompt(), r.gen(), r.stream());
            if (bad != null) {
                synchronized (this) { nFailed++; }
                live.future.completeExceptionally(new IllegalArgumentException(bad));
            } else if (closed) {
                live.future.completeExceptionally(new IllegalStateException("the engine was closed"));
            } else {
                group.add(live);
            }
        }
        if (group.isEmpty()) return handles;
        incoming.add(group);
        if (closed && incoming.remove(group))
            for (Live l : group) l.future.completeExceptionally(new IllegalStateException("the engine was closed"));
        return handles;
    }

    public Handle submit(Prompt prompt, GenerationConfig gen, Listener listener) { return submit(prompt, gen, 0, listener); }

    /** Submits and waits. */
    public Completion generate(Prompt prompt, GenerationConfig gen) { return submit(prompt, gen, 0, null).join(); }

    private String validate(Prompt p, GenerationConfig g, int stream) {
        TextConfig td = model.text().config();
        if (p == null || p.length() == 0) return "empty prompt: nothing to generate from";
        if (stream < 0) return "sample stream must be >= 0, got " + stream;
        if (p.length() + g.maxNewTokens() > cfg.maxSequenceLength())
            return "prompt of " + p.length() + " tokens plus " + g.maxNewTokens() + " new tokens does not fit the engine's "
                    + cfg.maxSequenceLength() + "-token slots";
        if (p.nextPosition() + g.maxNewTokens() > td.maxPositionEmbeddings())
            return "prompt of " + p.length() + " tokens plus " + g.maxNewTokens() + " new tokens exceeds the model's context of "
                    + td.maxPositionEmbeddings();
        if (!p.images().isEmpty() && model.vision() == null) return "this checkpoint has no vision tower but the prompt has images";
        if (tokenizer == null && !g.stopStrings().isEmpty()) return "stop strings need an engine with a tokenizer";
        for (int id : p.ids())
            if (id < 0 || id >= td.vocabSize()) return "prompt id " + id + " is outside the model's vocabulary of " + td.vocabSize();
        return null;
    }

    public synchronized Stats stats() {
        return new Stats(nSteps, nPrefills, nPrefillTokens, nDecodeSteps, nDecoded, peakBatch, nCompleted, nFailed, nCancelled);
    }

    // ------------------------------------------------------------------ the engine thread

    private void loop() {
        try (var g = GradMode.disabled()) {
            while (takeWork()) step();
        } catch (Throwable t) { // an engine bug: nobody may wait forever
            failAll(new IllegalStateException("the engine stopped: " + t, t));
            throw t;
        } finally {
            failAll(new IllegalStateException("the engine was closed"));
            picker.close();
            cache.close();
        }
    }

    /** Moves submitted requests to the waiting queue, blocking while there is nothing to do; false once closed. */
    private boolean takeWork() {
        try {
            if (running.isEmpty() && waiting.isEmpty()) {
                List<Live> first = incoming.take();
                if (first == CLOSING) return false;
                waiting.addAll(first);
            }
            for (List<Live> g; (g = incoming.poll()) != null; ) {
                if (g == CLOSING) return false;
                waiting.addAll(g);
            }
            return !closed;
        } catch (InterruptedException e) {
            return false;
        }
    }

    private void step() {
        synchronized (this) { nSteps++; }
        waiting.removeIf(l -> {
            if (!l.cancelled && !l.future.isDone()) return false;
            finish(l, Completion.FinishReason.CANCELLED);
            return true;
        });
        for (Live l : new ArrayList<>(running)) if (l.cancelled || l.future.isDone()) finish(l, Completion.FinishReason.CANCELLED);
        List<Live> admitted = new ArrayList<>();
        int tokens = 0;
        while (!freeSlots.isEmpty() && !waiting.isEmpty()) {
            Live l = waiting.peekFirst();
            if (!admitted.isEmpty() && tokens + l.prompt.length() > cfg.prefillTokens()) break;
            waiting.removeFirst();
            l.slot = freeSlots.removeFirst();
            cache.reset(l.slot);
            tokens += l.prompt.length();
            admitted.add(l);
            running.add(l);
        }
        if (!admitted.isEmpty()) prefill(admitted, tokens);
        List<Live> batch = new ArrayList<>(running);
        if (!batch.isEmpty()) decode(batch);
    }

    private void prefill(List<Live> admitted, int tokens) {
        synchronized (this) {
            nPrefills++;
            nPrefillTokens += tokens;
        }
        try {
            accept(admitted, steps.prefill(admitted));
        } catch (RuntimeException e) {
            if (admitted.size() == 1) {
                fail(admitted.getFirst(), e);
                return;
            }
            for (Live l : admitted) cache.reset(l.slot); // retry each alone: only the culprit fails
            for (Live l : admitted) {
                try {
                    accept(List.of(l), steps.prefill(List.of(l)));
                } catch (RuntimeException e1) {
                    fail(l, e1);
                }
            }
        }
    }

    private void decode(List<Live> batch) {
        synchronized (this) {
            nDecodeSteps++;
            nDecoded += batch.size();
            peakBatch = Math.max(peakBatch, batch.size());
        }
        try {
            accept(batch, steps.decode(batch));
        } catch (RuntimeException e) {
            for (Live l : batch) fail(l, e);
        }
    }

    /** Each sequence takes its token; those that end leave their slots. */
    private void accept(List<Live> batch, TokenPicker.Picked picked) {
        for (int r = 0; r < batch.size(); r++) {
            Live l = batch.get(r);
            float lp = picked.logprobs() == null ? Float.NaN : picked.logprobs()[r];
            Completion.FinishReason end;
            String text;
            try {
                end = l.take(picked.ids()[r], lp, picked.tops() == null ? null : picked.tops().get(r));
                text = l.releasedText();
                if (l.listener != null) l.listener.onToken(new Token(l.generated() - 1, picked.ids()[r], lp, text));
            } catch (RuntimeException e) {
                fail(l, new IllegalStateException("the request's listener failed: " + e, e));
                continue;
            }
            if (end != null) finish(l, end);
        }
    }

    /** Counters first, then the future: a caller that saw the result sees it counted. */
    private void finish(Live l, Completion.FinishReason reason) {
        release(l);
        synchronized (this) {
            if (reason == Completion.FinishReason.CANCELLED) nCancelled++;
            else if (!l.future.isDone()) nCompleted++;
        }
        l.future.complete(l.completion(reason));
    }

    private void fail(Live l, Throwable e) {
        release(l);
        String msg = e.getMessage() == null ? e.toString() : e.getMessage();
        synchronized (this) { nFailed++; }
        l.future.completeExceptionally(e instanceof IllegalArgumentException ? e : new IllegalArgumentException(msg, e));
    }

    private void release(Live l) {
        if (l.slot >= 0 && running.remove(l)) {
            cache.reset(l.slot);
            freeSlots.addLast(l.slot);
        }
        l.slot = -1;
    }

    private void failAll(RuntimeException e) {
        for (Live l : new ArrayList<>(running)) fail(l, e);
        for (Live l : waiting) l.future.completeExceptionally(e);
        waiting.clear();
        for (List<Live> g; (g = incoming.poll()) != null; ) if (g != CLOSING) for (Live l : g) l.future.completeExceptionally(e);
    }

    /** Stops the engine thread (requests still queued or running fail) and frees the KV cache. Idempotent. */
    @Override
    public void close() {
        if (closed) return;
        closed = true;
        incoming.add(CLOSING);
        if (Thread.currentThread() == thread) return; // from a listener: the loop ends after this step
        try {
            thread.join();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
