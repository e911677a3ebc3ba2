package ai.pulsemind.evaluate.models;

import ai.pulsemind.backend.Backend;
import ai.pulsemind.backend.Backends;
import ai.pulsemind.data.Conversation;
import ai.pulsemind.evaluate.ModelSpec;
import ai.pulsemind.model.generate.ChatModel;
import ai.pulsemind.model.generate.Completion;
import ai.pulsemind.model.generate.Engine;
import ai.pulsemind.model.generate.GenerationConfig;
import ai.pulsemind.train.PeftAdapter;

import java.util.ArrayList;
import java.util.List;

/**
 * A local checkpoint (with its LoRA adapter, when the SPEC names one) as a {@link Replier}, on the generation
 * engine: every prompt of a batch is one engine request, decoded with continuous batching. Each request draws from
 * its own seed's first stream, so a question gets the same reply in a batch and retried alone.
 */
public final class LocalReplier implements Replier {
    private final Backend backend;
    private final ChatModel model;
    private final String name;

    private LocalReplier(Backend backend, ChatModel model, String name) {
        this.backend = backend;
        this.model = model;
        this.name = name;
    }

    public static LocalReplier open(ModelSpec.Local spec, String device, int threads) {
        Backend be = Backends.open(device, threads);
        ChatModel m = null;
        try {
            m = ChatModel.open(spec.dir(), be);
            if (spec.adapter() != null) PeftAdapter.attach(spec.adapter(), be, m.model()); // before the engine starts
            return new LocalReplier(be, m, spec.name());
        } catch (RuntimeException e) {
            if (m != null) m.close();
            be.close();
            throw e;
        }
    }

    @Override public String name() { return name; }

    /** Encodes every prompt first (a prompt that cannot be encoded fails the batch before anything runs). */
    @Override
    public List<String> reply(List<Conversation> prompts, Decoding d) {
        GenerationConfig cfg = d.greedy() ? model.greedy(d.maxNewTokens())
                : model.sampling(d.maxNewTokens(), (float) d.temperature(), (float) d.topP(), d.seed());
        List<Engine.Request> requests = new ArrayList<>(prompts.size());
        for (Conversation c : prompts) requests.add(new Engine.Request(model.prompt(c), cfg, 0, null));
        List<Engine.Handle> handles = new ArrayList<>(prompts.size());
        try {
            handles.addAll(model.engine().submitAll(requests)); // one group: the batch shares its prefills
            List<String> out = new ArrayList<>(handles.size());
            for (Engine.Handle h : handles) {
                Completion r = h.join();
                out.add(r.text());
            }
            return out;
        } finally {
            for (Engine.Handle h : handles) h.cancel(); // after a failure, the rest of the batch stops too
        }
    }

    @Override
    public void close() {
        model.close();
        backend.close();
    }
}
