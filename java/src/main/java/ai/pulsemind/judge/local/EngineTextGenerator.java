package ai.pulsemind.judge.local;

import ai.pulsemind.autograd.Ops;
import ai.pulsemind.backend.Backend;
import ai.pulsemind.backend.Backends;
import ai.pulsemind.data.Conversation;
import ai.pulsemind.judge.TextGenerator;
import ai.pulsemind.model.generate.ChatModel;
import ai.pulsemind.model.generate.GenerationConfig;
import ai.pulsemind.model.generate.Generator;
import ai.pulsemind.model.qwen25vl.Qwen25VL;
import ai.pulsemind.tensor.AllocationScope;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/**
 * The one place the local judge meets the generation engine: a model directory opened as a {@link ChatModel},
 * greedy batched generation with {@link Generator}. When the engine's interface changes, only this file does.
 */
public final class EngineTextGenerator implements TextGenerator {
    private final Path dir;
    private final Backend backend;
    private final ChatModel model;
    private final Generator generator;
    private final int batchSize;
    private final String identity;

    private EngineTextGenerator(Path dir, Backend backend, ChatModel model, int batchSize) {
        this.dir = dir;
        this.backend = backend;
        this.model = model;
        this.generator = new Generator(model.model(), new Ops(backend));
        this.batchSize = batchSize;
        this.identity = identityOf(dir);
    }

    /**
     * Opens {@code modelDir} on the named backend ({@code auto}, {@code cpu}, {@code cuda}, …).
     *
     * @param batchSize prompts per generation call
     */
    public static EngineTextGenerator open(Path modelDir, String device, int threads, int batchSize) {
        if (batchSize < 1) throw new IllegalArgumentException("judge batch size must be >= 1, got " + batchSize);
        Backend be = Backends.open(device, threads);
        try {
            return new EngineTextGenerator(modelDir, be, ChatModel.open(modelDir, be), batchSize);
        } catch (RuntimeException e) {
            be.close();
            throw e;
        }
    }

    /** Greedy; each batch in its own allocation scope, so its image tensors and activations are freed with it. */
    @Override
    public List<String> generate(List<Conversation> prompts, int maxNewTokens) {
        try (AllocationScope scope = AllocationScope.open()) {
            List<Qwen25VL.Sequence> seqs = new ArrayList<>(prompts.size());
            for (Conversation c : prompts) seqs.add(model.prompt(messages(c), Path.of(".")));
            int[] stops = model.stopIds();
            List<Generator.Result> res = generator.generate(seqs, GenerationConfig.greedy(maxNewTokens, stops), (seq, tok) -> true);
            List<String> out = new ArrayList<>(res.size());
            for (Generator.Result r : res) out.add(model.tokenizer().decode(strip(r.newIds(), stops), true));
            return out;
        }
    }

    /** The chat-template form of a conversation: text as strings, images as paths or data URLs. */
    static List<Map<String, Object>> messages(Conversation c) {
        List<Map<String, Object>> out = new ArrayList<>();
        for (Conversation.Message m : c.messages()) {
            Map<String, Object> msg = new LinkedHashMap<>();
            msg.put("role", m.speaker().openAi());
            if (m.images().isEmpty()) msg.put("content", m.text());
            else {
                List<Map<String, Object>> parts = new ArrayList<>();
                for (Conversation.Part p : m.parts())
                    switch (p) {
                        case Conversation.Text t -> parts.add(Map.of("type", "text", "text", t.text()));
                        case Conversation.Image im -> parts.add(switch (im.source()) {
                            case Conversation.ImageFile f -> Map.of("type", "image", "image", f.path().toAbsolutePath().toString());
                            case Conversation.InlineImage in -> Map.of("type", "image_url", "image_url",
                                    Map.of("url", "data:image/png;base64," + Base64.getEncoder().encodeToString(in.bytes())));
                        });
                    }
                msg.put("content", parts);
            }
            out.add(msg);
        }
        return out;
    }

    private static int[] strip(int[] ids, int[] stops) {
        int n = ids.length;
        if (n > 0) for (int s : stops) if (ids[n - 1] == s) return java.util.Arrays.copyOf(ids, n - 1);
        return ids;
    }

    /** The directory and the size and time of its config and weights: a retrained checkpoint is another judge. */
    static String identityOf(Path dir) {
        StringBuilder sb = new StringBuilder(dir.toAbsolutePath().normalize().toString());
        try (Stream<Path> files = Files.list(dir)) {
            for (Path f : files.sorted().toList()) {
                String n = f.getFileName().toString();
                if (n.equals("config.json") || n.endsWith(".safetensors"))
                    sb.append('|').append(n).append(':').append(Files.size(f)).append('@').append(Files.getLastModifiedTime(f).toMillis());
            }
        } catch (IOException e) {
            throw new UncheckedIOException(dir + ": cannot list the model directory", e);
        }
        return sb.toString();
    }

    @Override public String identity() { return identity; }

    @Override public int batchSize() { return batchSize; }

    @Override
    public void close() {
        model.close();
        backend.close();
    }

    @Override public String toString() { return "engine:" + dir; }
}
