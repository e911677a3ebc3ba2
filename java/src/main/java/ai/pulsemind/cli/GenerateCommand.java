package ai.pulsemind.cli;

import ai.pulsemind.backend.Backend;
import ai.pulsemind.config.InvalidSetting;
import ai.pulsemind.data.Conversation;
import ai.pulsemind.data.Json;
import ai.pulsemind.data.OpenAiMessages;
import ai.pulsemind.model.generate.ChatModel;
import ai.pulsemind.model.generate.Completion;
import ai.pulsemind.model.generate.Engine;
import ai.pulsemind.model.generate.GenerationConfig;
import ai.pulsemind.model.qwen25vl.Prompt;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;

/**
 * {@code pulsemind generate}: replies to an OpenAI-format conversation from a Hugging Face model directory,
 * through the generation engine. {@code --n N} samples N replies of the same prompt together (sample i draws from
 * stream i of {@code --seed}); {@code --json} prints one line per reply.
 */
@Command(mixinStandardHelpOptions = true, name = "generate", sortOptions = false,
        description = "Generate a reply to a conversation (OpenAI chat JSON) with a Qwen2.5-VL model directory.")
public final class GenerateCommand implements Callable<Integer> {
    @Option(names = "--model", required = true, paramLabel = "DIR",
            description = "Model directory (config.json, safetensors, tokenizer.json, chat template, processor config).")
    Path model;
    @Option(names = "--messages", required = true, paramLabel = "FILE",
            description = "JSON file: an array of chat messages (roles system, user, assistant); image paths are relative to it.")
    Path messages;
    @Option(names = "--max-new-tokens", paramLabel = "N", defaultValue = "256", description = "Most new tokens per reply (default: ${DEFAULT-VALUE}).")
    int maxNewTokens;
    @Option(names = "--greedy", description = "Arg-max decoding; the default unless --temperature is given.")
    boolean greedy;
    @Option(names = "--temperature", paramLabel = "T", description = "Sample with this temperature (> 0); without it, decoding is greedy.")
    Float temperature;
    @Option(names = "--top-p", defaultValue = "1.0", paramLabel = "P",
            description = "Nucleus sampling: keep the smallest set of tokens whose probability reaches P, in (0, 1] (default: ${DEFAULT-VALUE}, off).")
    float topP;
    @Option(names = "--top-k", defaultValue = "0", paramLabel = "K", description = "Keep the K most likely tokens when sampling; 0 is off (default: ${DEFAULT-VALUE}).")
    int topK;
    @Option(names = "--seed", paramLabel = "S", defaultValue = "0", description = "Sampling seed: the same seed gives the same replies (default: ${DEFAULT-VALUE}).")
    long seed;
    @Option(names = "--repetition-penalty", paramLabel = "R", defaultValue = "1.0", description = "Divide the logits of tokens already seen by this (> 0; default: ${DEFAULT-VALUE}, off).")
    float repetitionPenalty;
    @Option(names = "--n", paramLabel = "N", defaultValue = "1", description = "Replies to sample from the same prompt, generated together (default: ${DEFAULT-VALUE}).")
    int n;
    @Option(names = "--logprobs", description = "With --json, add \"logprobs\": the log-probability of each new token under the model (temperature 1).")
    boolean logprobs;
    @Mixin DeviceOption device = new DeviceOption();
    @Option(names = "--threads", paramLabel = "N", defaultValue = "0", description = "CPU threads; 0 uses every core (default: ${DEFAULT-VALUE}).")
    int threads;
    @Option(names = "--json", description = "Print one JSON line per reply: {prompt_ids, new_ids, text, finish_reason} (and logprobs, index).")
    boolean json;

    @Override
    public Integer call() throws IOException {
        GenerationConfig cfg = config(new int[0]); // flags first: a bad flag is reported before anything is read
        if (logprobs && !json) throw new IllegalArgumentException("--logprobs prints with --json; add --json");
        Conversation conv = readMessages(messages);
        checkModelDir(model);
        try (Backend be = device.open(threads);
             ChatModel cm = ChatModel.open(model, be, null)) {
            Prompt prompt = cm.prompt(conv);
            cfg = config(cm.stopIds());
            try (Engine engine = new Engine(cm.model(), be, Engine.Config.of(n, prompt.length() + cfg.maxNewTokens()), cm.tokenizer())) {
                List<Engine.Request> requests = new ArrayList<>();
                for (int i = 0; i < n; i++) {
                    Engine.Listener stream = !json && n == 1 ? tok -> {
                        System.out.print(tok.text());
                        System.out.flush();
                    } : null;
                    requests.add(new Engine.Request(prompt, cfg, i, stream));
                }
                List<Engine.Handle> handles = engine.submitAll(requests); // the n samples share one prefill
                ObjectMapper om = new ObjectMapper();
                for (int i = 0; i < n; i++) {
                    Completion c = handles.get(i).join();
                    if (json) System.out.println(om.writeValueAsString(jsonLine(om, prompt, c, i)));
                    else if (n == 1) System.out.println();
                    else System.out.println("--- reply " + (i + 1) + " of " + n + " (" + c.finishReason().openAi() + ")\n" + c.text());
                }
            }
        }
        return 0;
    }

    private ObjectNode jsonLine(ObjectMapper om, Prompt prompt, Completion c, int index) {
        ObjectNode o = om.createObjectNode();
        o.set("prompt_ids", om.valueToTree(prompt.ids()));
        o.set("new_ids", om.valueToTree(c.ids()));
        o.put("text", c.text());
        o.put("finish_reason", c.finishReason().openAi());
        if (logprobs) {
            ArrayNode lp = o.putArray("logprobs");
            for (float f : c.logprobs()) lp.add(f);
        }
        if (n > 1) o.put("index", index);
        return o;
    }

    /** A model directory that is not there is named as such (not as its first missing file). */
    static void checkModelDir(Path dir) {
        if (!Files.exists(dir)) throw new IllegalArgumentException("--model: " + dir + " does not exist");
        if (!Files.isDirectory(dir)) throw new IllegalArgumentException("--model: " + dir + " is not a directory");
    }

    /** The messages file as a conversation; errors name the file (and line and column) and the field. */
    static Conversation readMessages(Path file) throws IOException {
        if (!Files.exists(file)) throw new IllegalArgumentException("--messages: " + file + " does not exist");
        if (!Files.isRegularFile(file)) throw new IllegalArgumentException("--messages: " + file + " is not a file");
        JsonNode json = Json.readFile(file);
        try {
            return OpenAiMessages.parse(json, OpenAiMessages.ImagePolicy.localFiles(file.toAbsolutePath().getParent()));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(file + ": " + e.getMessage(), e);
        }
    }

    /**
     * The flags as a generation config. Bad values are the library's {@code InvalidSetting}s, which the CLI reports
     * under the flag of the same name ({@code --top-p must be in (0, 1], got 1.5}); the sampling flags are checked
     * even for greedy decoding, where they are unused but still a mistake.
     */
    GenerationConfig config(int[] stops) {
        if (temperature != null && greedy) throw new IllegalArgumentException("--temperature and --greedy exclude each other: choose one");
        InvalidSetting.atLeast("n", n, 1);
        boolean sample = temperature != null && temperature != 0;
        GenerationConfig sampled = GenerationConfig.sampling(maxNewTokens, sample ? temperature : 1f, topK, topP, seed, stops)
                .withRepetitionPenalty(repetitionPenalty);
        GenerationConfig g = sample ? sampled : GenerationConfig.greedy(maxNewTokens, stops).withRepetitionPenalty(repetitionPenalty);
        return logprobs ? g.withLogprobs(0) : g;
    }
}
