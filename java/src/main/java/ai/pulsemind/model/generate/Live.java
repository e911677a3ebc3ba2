package ai.pulsemind.model.generate;

import ai.pulsemind.backend.SampleRow;
import ai.pulsemind.model.qwen25vl.Prompt;
import ai.pulsemind.tokenize.StreamingDetokenizer;
import ai.pulsemind.tokenize.Tokenizer;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/** One request inside the {@link Engine}: its input, what it generated so far, its slot. Engine thread only. */
final class Live {
    final Prompt prompt;
    final GenerationConfig gen;
    final int stream;
    final Engine.Listener listener;
    final long id;
    final CompletableFuture<Completion> future = new CompletableFuture<>();
    volatile boolean cancelled;
    int slot = -1;
    private int[] ids = new int[16];
    private int count;
    private float[] logprobs;
    private List<List<Completion.TopLogprob>> tops;
    private final StreamingDetokenizer detok;  // null without a tokenizer
    private String released;                   // text released by the last token
    private String stopString;

    Live(Prompt prompt, GenerationConfig gen, int stream, Engine.Listener listener, long id, Tokenizer tokenizer) {
        this.prompt = prompt;
        this.gen = gen;
        this.stream = stream;
        this.listener = listener;
        this.id = id;
        this.detok = tokenizer == null || gen == null ? null : new StreamingDetokenizer(tokenizer, gen.stopStrings(), true);
        if (gen != null && gen.logprobs()) {
            logprobs = new float[16];
            tops = gen.topLogprobs() > 0 ? new ArrayList<>() : null;
        }
    }

    /** Generated so far. */
    int generated() { return count; }

    int lastId() { return ids[count - 1]; }

    /** The position of the last generated token (the one a decoding step feeds). */
    int lastPosition() { return prompt.nextPosition() + count - 1; }

    /** The sampler's row for the next token: this request's seed and stream, at its own token index. */
    SampleRow row() { return new SampleRow(gen.samplingParams(), gen.seed(), stream, count); }

    /** Prompt and generated ids, for the repetition penalty; null when the request has none. */
    int[] previous() {
        if (gen.repetitionPenalty() == 1f) return null;
        int[] p = Arrays.copyOf(prompt.ids(), prompt.length() + count);
        System.arraycopy(ids, 0, p, prompt.length(), count);
        return p;
    }

    /** Takes the chosen token; returns why the request ends with it, or null when it goes on. */
    Completion.FinishReason take(int id, float logprob, List<Completion.TopLogprob> top) {
        if (count == ids.length) ids = Arrays.copyOf(ids, 2 * count);
        ids[count] = id;
        if (logprobs != null) {
            if (count == logprobs.length) logprobs = Arrays.copyOf(logprobs, 2 * count);
            logprobs[count] = logprob;
            if (tops != null) tops.add(top == null ? List.of() : top);
        }
        count++;
        if (gen.isStop(id)) {
            released = detok == null ? null : detok.finish();
            return Completion.FinishReason.STOP;
        }
        String t = detok == null ? null : detok.push(id);
        if (detok != null && detok.stopped()) {
            released = t;
            stopString = detok.stopString();
            return Completion.FinishReason.STOP;
        }
        if (count >= gen.maxNewTokens()) {
            released = detok == null ? null : t + detok.finish();
            return Completion.FinishReason.LENGTH;
        }
        released = t;
        return null;
    }

    String releasedText() { return released; }

    Completion completion(Completion.FinishReason reason) {
        return new Completion(Arrays.copyOf(ids, count), logprobs == null ? null : Arrays.copyOf(logprobs, count),
                tops == null ? null : List.copyOf(tops), detok == null ? null : detok.text(), reason, stopString);
    }
}
