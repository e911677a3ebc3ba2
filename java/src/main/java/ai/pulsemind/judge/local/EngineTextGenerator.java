package ai.pulsemind.judge.local;

import ai.pulsemind.backend.Backend;
import ai.pulsemind.backend.Backends;
import ai.pulsemind.data.Conversation;
import ai.pulsemind.judge.TextGenerator;
import ai.pulsemind.model.generate.ChatModel;
import ai.pulsemind.model.generate.Engine;
import ai.pulsemind.model.generate.GenerationConfig;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

/**
 * The one place the local judge meets the generation engine: a model directory opened as a {@link ChatModel},
 * greedy generation on its {@link Engine} with as many slots as the judge batch. When the engine's interface changes, only this file does.
 */
public final class EngineTextGenerator implements TextGenerator {
    private final Path dir;
    private final Backend backend;
    private final ChatModel model;
    private final int batchSize;
    private final String identity;

    private EngineTextGenerator(Path dir, Backend backend, ChatModel model, int batchSize) {
        this.dir = dir;
        this.backend = backend;
        this.model = model;
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
            return new EngineTextGenerator(modelDir, be, ChatModel.open(modelDir, be, batchSize), batchSize);
        } catch (RuntimeException e) {
            be.close();
            throw e;
        }
    }

    /**
     * Greedy, one engine request per prompt, decoded together with continuous batching. Every prompt is encoded
     * before anything runs; after a failure the rest of the batch is cancelled.
     */
    @Override
    public List<String> generate(List<Conversation> prompts, int maxNewTokens) {
        GenerationConfig cfg = model.greedy(maxNewTokens);
        List<Engine.Handle> handles = new ArrayList<>(prompts.size());
        try {
            for (Conversation c : prompts) handles.add(model.submit(c, cfg, null));
            List<String> out = new ArrayList<>(handles.size());
            for (Engine.Handle h : handles) out.add(h.join().text());
            return out;
        } finally {
            for (Engine.Handle h : handles) h.cancel();
        }
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
