package ai.pulsemind.model.generate;

import ai.pulsemind.config.InvalidSetting;
import ai.pulsemind.backend.Backend;
import ai.pulsemind.data.Conversation;
import ai.pulsemind.model.io.Qwen25VlCheckpoint;
import ai.pulsemind.model.qwen25vl.Prompt;
import ai.pulsemind.model.qwen25vl.Qwen25VL;
import ai.pulsemind.model.qwen25vl.QwenSampleEncoder;
import ai.pulsemind.tokenize.Tokenizer;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashSet;
import java.util.Set;

/**
 * A Hugging Face model directory ready to generate: the checkpoint on a backend, its prompt encoder (tokenizer,
 * chat template, image processor) and an {@link Engine} over it, started on first use. The one way in for the CLI,
 * local judges, the benchmark and services:
 * <pre>{@code
 * try (Backend be = Backends.open("auto", 0); ChatModel m = ChatModel.open(dir, be)) {
 *     PeftAdapter.attach(adapterDir, be, m.model());                 // optional LoRA adapter, before the first request
 *     Completion c = m.generate(conversation, m.greedy(256));        // blocking
 *     Engine.Handle h = m.submit(conversation, m.sampling(256, 1f, 0.9f, 7).withLogprobs(0),
 *                                tok -> System.out.print(tok.text())); // streamed; h.cancel() stops it
 * }
 * }</pre>
 * An adapter attached to {@link #model()} applies to every forward the engine runs (prefill and decode alike); it
 * must be attached before the engine starts, since the engine thread reads the weights without locks.
 */
public final class ChatModel implements AutoCloseable {
    private final Qwen25VlCheckpoint checkpoint;
    private final Qwen25VL model;
    private final QwenSampleEncoder encoder;
    private final Backend backend;
    private final Engine.Config engineConfig;
    private final int[] stopIds;
    private Engine engine;

    private ChatModel(Qwen25VlCheckpoint ckpt, Qwen25VL model, QwenSampleEncoder encoder, Backend be, Engine.Config ec) {
        this.checkpoint = ckpt;
        this.model = model;
        this.encoder = encoder;
        this.backend = be;
        this.engineConfig = ec;
        Set<Integer> stops = new LinkedHashSet<>(ckpt.config().eosTokenIds());
        int imEnd = encoder.tokenizer().tokenToId("<|im_end|>");
        if (imEnd >= 0) stops.add(imEnd);
        this.stopIds = stops.stream().mapToInt(Integer::intValue).toArray();
    }

    /** Opens {@code dir} with an engine of 4 slots of up to 4096 tokens (or the model's context, if shorter). */
    public static ChatModel open(Path dir, Backend be) { return open(dir, be, null); }

    /** Opens {@code dir} with an engine of {@code slots} slots of the default length. */
    public static ChatModel open(Path dir, Backend be, int slots) {
        InvalidSetting.atLeast("slots", slots, 1);
        return open(dir, be, null, slots);
    }

    /**
     * Opens {@code dir}; every missing or malformed file is a one-line error naming it.
     *
     * @param engineConfig the engine's slots and lengths, or null for the default
     */
    public static ChatModel open(Path dir, Backend be, Engine.Config engineConfig) { return open(dir, be, engineConfig, 4); }

    private static ChatModel open(Path dir, Backend be, Engine.Config engineConfig, int defaultSlots) {
        if (!Files.exists(dir)) throw new IllegalArgumentException("model directory " + dir + " does not exist");
        if (!Files.isDirectory(dir)) throw new IllegalArgumentException("model directory " + dir + " is not a directory");
        QwenSampleEncoder enc = QwenSampleEncoder.load(dir);
        Qwen25VlCheckpoint ckpt = Qwen25VlCheckpoint.open(dir);
        try {
            Qwen25VL model = Qwen25VL.load(be, ckpt, true); // BF16 linears stay BF16 on the CPU: half the bytes per token
            Engine.Config ec = engineConfig != null ? engineConfig
                    : Engine.Config.of(defaultSlots, Math.min(4096, model.text().config().maxPositionEmbeddings()));
            return new ChatModel(ckpt, model, enc, be, ec);
        } catch (RuntimeException e) {
            ckpt.close();
            throw e;
        }
    }

    public Qwen25VL model() { return model; }

    public Tokenizer tokenizer() { return encoder.tokenizer(); }

    /** The prompt encoder (the one the trainer uses too). */
    public QwenSampleEncoder encoder() { return encoder; }

    /** EOS ids from config.json and {@code <|im_end|>}. */
    public int[] stopIds() { return stopIds.clone(); }

    /** Greedy decoding of up to {@code maxNewTokens}, stopping at {@link #stopIds}. */
    public GenerationConfig greedy(int maxNewTokens) { return GenerationConfig.greedy(maxNewTokens, stopIds); }

    /** Sampling with a seed, stopping at {@link #stopIds}. */
    public GenerationConfig sampling(int maxNewTokens, float temperature, float topP, long seed) {
        return GenerationConfig.sampling(maxNewTokens, temperature, 0, topP, seed, stopIds);
    }

    /** The engine over this model, started on first use (its thread and KV cache). */
    public synchronized Engine engine() {
        if (engine == null) engine = new Engine(model, backend, engineConfig, encoder.tokenizer());
        return engine;
    }

    /** The conversation as a prompt ({@link QwenSampleEncoder#forGeneration}); bad input throws with a message. */
    public Prompt prompt(Conversation conversation) { return encoder.forGeneration(conversation); }

    /** Encodes (on the calling thread) and queues; a conversation that cannot be encoded throws here. */
    public Engine.Handle submit(Conversation conversation, GenerationConfig gen, Engine.Listener listener) {
        return engine().submit(prompt(conversation), gen, 0, listener);
    }

    /** Encodes, generates and waits. */
    public Completion generate(Conversation conversation, GenerationConfig gen) { return submit(conversation, gen, null).join(); }

    @Override
    public synchronized void close() {
        if (engine != null) engine.close();
        checkpoint.close();
    }
}
