package ai.pulsemind;

import ai.pulsemind.backend.Backend;
import ai.pulsemind.backend.Backends;
import ai.pulsemind.config.InvalidSetting;
import ai.pulsemind.crpo.CrpoConfig;
import ai.pulsemind.crpo.CrpoRun;
import ai.pulsemind.data.Conversation;
import ai.pulsemind.data.MediRecord;
import ai.pulsemind.data.Role;
import ai.pulsemind.data.batch.RecordIndex;
import ai.pulsemind.data.OpenAiMessages;
import ai.pulsemind.data.Progress;
import ai.pulsemind.evaluate.consult.ConsultBench;
import ai.pulsemind.evaluate.consult.ConsultConfig;
import ai.pulsemind.evaluate.consult.ConsultSummary;
import ai.pulsemind.judge.JudgeOptions;
import ai.pulsemind.judge.JudgeSpecs;
import ai.pulsemind.judge.Judging;
import ai.pulsemind.judge.SqliteVerdictCache;
import ai.pulsemind.judge.VerdictCache;
import ai.pulsemind.model.generate.ChatModel;
import ai.pulsemind.model.generate.Engine;
import ai.pulsemind.model.generate.GenerationConfig;
import ai.pulsemind.model.io.HfConfigReader;
import ai.pulsemind.model.qwen25vl.Prompt;
import ai.pulsemind.train.PeftAdapter;
import ai.pulsemind.train.SftConfig;
import ai.pulsemind.train.SftRun;
import ai.pulsemind.train.Trainer;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

/**
 * PulseMind for JVM services: one model, open as a handle, and the pipeline's stages as plain calls. Nothing here
 * reads flags, system properties or the environment (except the API-key variable an {@code openai:} judge names),
 * and nothing is global: every handle owns what it opened and {@link #close()} frees it.
 * <pre>{@code
 * try (PulseMind pm = PulseMind.open(PulseMind.Options.of(modelDir).withAdapter(adapterDir))) {
 *     Reply r = pm.reply(PulseMind.messages("[{\"role\":\"user\",\"content\":\"I have had a cough for a week.\"}]"),
 *                        pm.greedy(256));
 *     ReplyStream s = pm.stream(conversation, pm.sampling(256, 0.7f, 0.9f, 42), System.out::print);
 *     Reply whole = s.join();                         // s.cancel() stops it early
 * }
 * try (PairJudge judge = PulseMind.judge("rubric")) {    // or openai:URL,model=NAME, local:DIR, jury:…
 *     Judgment j = judge.compareTurn(record, 1, datasetRoot, replyA, replyB);
 * }
 * SftRun.Summary s = PulseMind.trainSft(Map.of("model", dir, "data", data, "out", run, "max-steps", 100), null);
 * }</pre>
 * Requests from many threads are fine: they queue on one generation engine that decodes them together
 * (continuous batching), each with its own seed, so a reply does not depend on what else runs.
 */
public final class PulseMind implements AutoCloseable {
    private static final ObjectMapper JSON = new ObjectMapper();

    /**
     * What to open.
     *
     * @param model     a Hugging Face Qwen2.5-VL model directory
     * @param adapter   a PEFT LoRA adapter directory ({@code train sft}/{@code train crpo} write them), or null
     * @param device    {@code auto}, {@code cpu}, {@code cpu-reference}, {@code cuda} or {@code cuda:N}
     * @param threads   CPU threads, 0 = all cores
     * @param slots     requests decoded together at most
     * @param maxLength tokens per request (prompt + reply) at most
     */
    public record Options(Path model, Path adapter, String device, int threads, int slots, int maxLength) {
        public Options {
            if (model == null) throw new IllegalArgumentException("model: a model directory is required");
            if (device == null || device.isBlank()) device = "auto";
            InvalidSetting.atLeast("threads", threads, 0);
            InvalidSetting.atLeast("slots", slots, 1);
            InvalidSetting.atLeast("maxLength", maxLength, 2);
        }

        /** The model on {@code auto} (CUDA when there is one, else the CPU), all cores, 4 slots of 4096 tokens. */
        public static Options of(Path model) { return new Options(model, null, "auto", 0, 4, 4096); }

        public Options withAdapter(Path a) { return new Options(model, a, device, threads, slots, maxLength); }

        public Options withDevice(String d) { return new Options(model, adapter, d, threads, slots, maxLength); }

        public Options withThreads(int n) { return new Options(model, adapter, device, n, slots, maxLength); }

        public Options withSlots(int n) { return new Options(model, adapter, device, threads, n, maxLength); }

        public Options withMaxLength(int n) { return new Options(model, adapter, device, threads, slots, n); }
    }

    private final Backend backend;
    private final ChatModel model;
    private final Options options;

    private PulseMind(Backend backend, ChatModel model, Options options) {
        this.backend = backend;
        this.model = model;
        this.options = options;
    }

    /** Opens the model (and its adapter) on the device; a missing or malformed file is an error naming it. */
    public static PulseMind open(Options o) {
        Backend be = Backends.open(o.device(), o.threads());
        ChatModel m = null;
        try {
            m = ChatModel.open(o.model(), be, Engine.Config.of(o.slots(), Math.min(o.maxLength(), context(o.model()))));
            if (o.adapter() != null) PeftAdapter.attach(o.adapter(), be, m.model()); // before the engine starts
            return new PulseMind(be, m, o);
        } catch (RuntimeException e) {
            if (m != null) m.close();
            be.close();
            throw e;
        }
    }

    /** The context the checkpoint was trained for (its config.json); a missing model is left to ChatModel to name. */
    private static int context(Path dir) {
        Path cfg = dir.resolve("config.json");
        return java.nio.file.Files.isRegularFile(cfg) ? HfConfigReader.read(cfg).text().maxPositionEmbeddings() : Integer.MAX_VALUE;
    }

    /** {@code open(Options.of(model))}. */
    public static PulseMind open(Path model) { return open(Options.of(model)); }

    public Options options() { return options; }

    /** The model, encoder and engine underneath, for what this facade does not wrap. */
    public ChatModel chatModel() { return model; }

    /** Greedy decoding of up to {@code maxNewTokens}, stopping at the model's end tokens. */
    public GenerationConfig greedy(int maxNewTokens) { return model.greedy(maxNewTokens); }

    /** Sampling with a seed (same seed, same reply), stopping at the model's end tokens. */
    public GenerationConfig sampling(int maxNewTokens, float temperature, float topP, long seed) {
        return model.sampling(maxNewTokens, temperature, topP, seed);
    }

    /** The doctor's next turn after {@code conversation}, blocking. */
    public Reply reply(Conversation conversation, GenerationConfig gen) { return stream(conversation, gen, null).join(); }

    /**
     * The doctor's next turn, streamed: {@code onText} (may be null) receives each piece of text as it is decoded,
     * UTF-8 safe, on the engine's thread. A conversation that cannot be encoded throws here.
     */
    public ReplyStream stream(Conversation conversation, GenerationConfig gen, Consumer<String> onText) {
        Prompt p = model.prompt(conversation);
        Engine.Listener l = onText == null ? null : tok -> {
            if (tok.text() != null && !tok.text().isEmpty()) onText.accept(tok.text());
        };
        return new ReplyStream(model.engine().submit(p, gen, 0, l), p.length());
    }

    /**
     * OpenAI chat-format messages ({@code [{"role":"user","content":…}, …]}) as a conversation; images only as
     * base64 {@code data:} URLs. A malformed message is an error naming its JSON path.
     */
    public static Conversation messages(String json) { return messages(json, null); }

    /** As {@link #messages(String)}, also reading image paths and {@code file:} URLs relative to {@code imageDir}. */
    public static Conversation messages(String json, Path imageDir) {
        try {
            return OpenAiMessages.parse(JSON.readTree(json),
                    imageDir == null ? OpenAiMessages.ImagePolicy.INLINE_ONLY : OpenAiMessages.ImagePolicy.localFiles(imageDir));
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("messages: not JSON: " + e.getOriginalMessage(), e);
        }
    }

    /**
     * The records of a MediScope dataset (a folder of shards, or one shard), in order. A malformed record is an
     * error naming its file and line.
     */
    public static List<MediRecord> records(Path dataset) throws IOException {
        RecordIndex index = RecordIndex.of(dataset);
        FileChannel[] chs = index.channels();
        try {
            List<MediRecord> out = new ArrayList<>(index.size());
            for (int i = 0; i < index.size(); i++) out.add(index.read(i, chs));
            return out;
        } finally {
            RecordIndex.close(chs);
        }
    }

    /**
     * A record's consultation up to its doctor turn {@code doctorTurn} (the turns before it, images included):
     * what the model answers to be compared with the real doctor's turn.
     *
     * @param root the dataset root the record's image paths are relative to
     */
    public static Conversation consultation(MediRecord record, int doctorTurn, Path root) {
        if (doctorTurn < 0 || doctorTurn >= record.turns().size() || record.turns().get(doctorTurn).role() != Role.DOCTOR)
            throw new IllegalArgumentException(record.id() + ": turn " + doctorTurn + " is not a doctor turn (doctor turns: "
                    + java.util.Arrays.toString(Conversation.doctorTurns(record)) + ")");
        return Conversation.ofRecord(record, doctorTurn, root, null);
    }

    /** A judge by spec ({@code rubric}, {@code openai:URL,model=NAME}, {@code local:DIR}, {@code jury:A,B}), no cache. */
    public static PairJudge judge(String spec) { return judge(spec, JudgeOptions.defaults(), null); }

    /**
     * A judge by spec with its options, caching verdicts in the SQLite file {@code cache} (null: no cache), so the
     * same comparison is never asked twice.
     */
    public static PairJudge judge(String spec, JudgeOptions options, Path cache) {
        VerdictCache vc = cache == null ? VerdictCache.NONE : SqliteVerdictCache.open(cache);
        try {
            return new PairJudge(JudgeSpecs.open(spec, options, Judging.Config.BOTH_ORDERS, vc));
        } catch (RuntimeException e) {
            vc.close();
            throw e;
        }
    }

    /**
     * Supervised fine-tuning, exactly as {@code train sft} runs it: build the config with
     * {@link SftConfig#resolve}{@code (null, Map.of("model", …, "data", …, "out", …))} (keys are the command's flag
     * names). Writes the run directory (config, metrics.jsonl, checkpoints with the adapter, summary.json).
     *
     * @param log   where the run's lines go, or null for none
     * @param hooks receives each metrics line and checkpoint, or null
     */
    public static SftRun.Summary trainSft(SftConfig config, PrintStream log, Trainer.Hooks hooks) throws IOException {
        return SftRun.run(config, log, hooks);
    }

    /**
     * {@link #trainSft(SftConfig, PrintStream, Trainer.Hooks)} with settings by flag name (values as the flags take
     * them; paths as {@link Path} or text), each metrics line to {@code onMetrics} (may be null).
     */
    public static SftRun.Summary trainSft(Map<String, ?> settings, Consumer<Map<String, Object>> onMetrics) throws IOException {
        Map<String, Object> flags = new java.util.LinkedHashMap<>();
        settings.forEach((k, v) -> flags.put(k, v instanceof Path p ? p.toString() : v)); // a Path is a file name, not a URI
        return trainSft(SftConfig.resolve(null, flags), null, onMetrics == null ? null : new Trainer.Hooks() {
            @Override public void onLog(Map<String, Object> m) { onMetrics.accept(m); }
        });
    }

    /**
     * CRPO, exactly as {@code train crpo} runs it: build the config with {@link CrpoConfig#builder()}
     * ({@code .model(dir).data(data).judge("rubric").out(run)}, an SFT adapter with {@code .adapter(dir)}). Writes
     * the run directory (config, metrics.jsonl with TRL's GRPO names, completions, checkpoints with the adapter).
     *
     * @param log   where the run's lines go (per step: rollout, judge and update times), or null for none
     * @param hooks receives each metrics line and checkpoint, or null
     */
    public static CrpoRun.Summary trainCrpo(CrpoConfig config, PrintStream log, Trainer.Hooks hooks) throws IOException {
        return CrpoRun.run(config, log, hooks, Progress.NONE);
    }

    /**
     * The consultation benchmark, exactly as {@code eval consult} runs it: build the config with
     * {@link ConsultConfig#builder}{@code (data, out).model(SPEC)…judge("rubric")}. Writes transcripts, judgments,
     * summary.json and report.html into the run folder; a rerun with the same settings reuses what is there.
     * Nothing is printed.
     */
    public static ConsultSummary benchmark(ConsultConfig config) throws IOException { return benchmark(config, Progress.NONE); }

    /** {@link #benchmark(ConsultConfig)}, advancing {@code progress} by one per consultation generated and per pair judged. */
    public static ConsultSummary benchmark(ConsultConfig config, Progress progress) throws IOException { return ConsultBench.run(config, progress); }

    /** Stops the engine and frees the model and its backend; requests still running end. */
    @Override
    public void close() {
        try {
            model.close();
        } finally {
            backend.close();
        }
    }
}
