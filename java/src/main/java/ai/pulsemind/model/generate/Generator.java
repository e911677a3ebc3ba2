package ai.pulsemind.model.generate;

import ai.pulsemind.autograd.Ops;
import ai.pulsemind.model.io.TextConfig;
import ai.pulsemind.model.qwen25vl.Prompt;
import ai.pulsemind.model.qwen25vl.Qwen25VL;

import java.util.ArrayList;
import java.util.List;

/**
 * A blocking call over an {@link Engine} made for it: generates for a fixed list of prompts with one config and
 * returns when all are done. Prompt i draws from sample stream i of the config's seed, so the n prompts of a call
 * are n independent samples even when they are the same prompt, and prompt 0 gives what it gives alone. For
 * servers, rollouts and anything long-lived, keep an {@link Engine} instead.
 */
public final class Generator {
    private final Qwen25VL model;
    private final Ops ops;

    public Generator(Qwen25VL model, Ops ops) {
        this.model = model;
        this.ops = ops;
    }

    /** Receives each new token (on the engine thread); returning false ends that sequence ("stop"). */
    @FunctionalInterface
    public interface TokenListener {
        boolean onToken(int sequence, int token);
    }

    /**
     * A sequence's new tokens and why it ended: "stop" (a stop token or the listener), or "length".
     *
     * @param logprobs one per new token when the config asks for them, else null
     */
    public record Result(int[] newIds, String finishReason, float[] logprobs) {}

    /** @throws IllegalArgumentException for an empty prompt or one that does not fit the model's context */
    public List<Result> generate(List<Qwen25VL.Sequence> prompts, GenerationConfig cfg, TokenListener listener) {
        TextConfig td = model.text().config();
        int longest = 0;
        for (Qwen25VL.Sequence p : prompts) {
            if (p.ids().length == 0) throw new IllegalArgumentException("empty prompt");
            longest = Math.max(longest, p.ids().length);
        }
        if (longest + cfg.maxNewTokens() > td.maxPositionEmbeddings())
            throw new IllegalArgumentException("prompt of " + longest + " tokens plus " + cfg.maxNewTokens()
                    + " new tokens exceeds the model's context of " + td.maxPositionEmbeddings());
        if (prompts.isEmpty()) return List.of();
        List<Engine.Handle> handles = new ArrayList<>();
        try (Engine engine = new Engine(model, ops.backend(), Engine.Config.of(prompts.size(), longest + cfg.maxNewTokens()), null)) {
            // a handle exists once submitAll returns, which may be after the engine took the first token
            List<java.util.concurrent.CompletableFuture<Engine.Handle>> selves = new ArrayList<>();
            List<Engine.Request> requests = new ArrayList<>();
            for (int i = 0; i < prompts.size(); i++) {
                int seq = i;
                java.util.concurrent.CompletableFuture<Engine.Handle> self = new java.util.concurrent.CompletableFuture<>();
                selves.add(self);
                Engine.Listener l = listener == null ? null : t -> { if (!listener.onToken(seq, t.id())) self.join().cancel(); };
                requests.add(new Engine.Request(Prompt.of(prompts.get(i), model.imageTokenId(), model.mergeSize()), cfg, i, l));
            }
            handles.addAll(engine.submitAll(requests)); // one group: the prompts share one packed prefill
            for (int i = 0; i < handles.size(); i++) selves.get(i).complete(handles.get(i));
            List<Result> out = new ArrayList<>(handles.size());
            for (Engine.Handle h : handles) {
                Completion c = h.join();
                String reason = c.finishReason() == Completion.FinishReason.LENGTH ? "length" : "stop";
                out.add(new Result(c.ids(), reason, c.logprobs()));
            }
            return out;
        }
    }
}
