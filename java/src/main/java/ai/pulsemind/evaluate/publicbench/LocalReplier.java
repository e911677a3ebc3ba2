package ai.pulsemind.evaluate.publicbench;

import ai.pulsemind.autograd.Ops;
import ai.pulsemind.backend.Backend;
import ai.pulsemind.backend.Backends;
import ai.pulsemind.data.Conversation;
import ai.pulsemind.evaluate.ModelSpec;
import ai.pulsemind.model.generate.ChatModel;
import ai.pulsemind.model.generate.GenerationConfig;
import ai.pulsemind.model.generate.Generator;
import ai.pulsemind.model.qwen25vl.Qwen25VL;
import ai.pulsemind.tensor.AllocationScope;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * A local checkpoint as a {@link Replier}, on today's {@link ChatModel} (chat template, image processor, tokenizer)
 * and {@link Generator} (batched KV-cache generation): the one file that knows the local engine, so a new engine is
 * swapped in here. Each batch runs in an allocation scope, so its image tensors and activations are freed with it.
 */
final class LocalReplier implements Replier {
    private final Backend backend;
    private final ChatModel model;
    private final String name;

    private LocalReplier(Backend backend, ChatModel model, String name) {
        this.backend = backend;
        this.model = model;
        this.name = name;
    }

    static LocalReplier open(ModelSpec.Local spec, String device, int threads) {
        if (spec.adapter() != null)
            throw new IllegalArgumentException("--model adapter=" + spec.adapter() + ": the local engine cannot apply a LoRA adapter "
                    + "yet; merge it into the base model and pass the merged folder");
        Backend be = Backends.open(device, threads);
        try {
            return new LocalReplier(be, ChatModel.open(spec.dir(), be), spec.name());
        } catch (RuntimeException e) {
            be.close();
            throw e;
        }
    }

    @Override public String name() { return name; }

    @Override
    public List<String> reply(List<Conversation> prompts, Decoding d) {
        int[] stops = model.stopIds();
        GenerationConfig cfg = d.greedy() ? GenerationConfig.greedy(d.maxNewTokens(), stops)
                : GenerationConfig.sampling(d.maxNewTokens(), (float) d.temperature(), 0, (float) d.topP(), d.seed(), stops);
        try (AllocationScope s = AllocationScope.open()) {
            List<Qwen25VL.Sequence> seqs = new ArrayList<>();
            for (Conversation c : prompts)
                seqs.add(model.prompt(PromptJson.messages(c, p -> p.toAbsolutePath().toString()), Path.of(".")));
            List<String> out = new ArrayList<>();
            for (Generator.Result r : new Generator(model.model(), new Ops(backend)).generate(seqs, cfg, null))
                out.add(model.tokenizer().decode(withoutStop(r.newIds(), stops), true));
            return out;
        }
    }

    private static int[] withoutStop(int[] ids, int[] stops) {
        int n = ids.length;
        if (n > 0) for (int s : stops) if (ids[n - 1] == s) return Arrays.copyOf(ids, n - 1);
        return ids;
    }

    @Override
    public void close() {
        model.close();
        backend.close();
    }
}
