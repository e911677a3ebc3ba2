package ai.pulsemind.cli;

import ai.pulsemind.autograd.Ops;
import ai.pulsemind.backend.Backend;
import ai.pulsemind.backend.Backends;
import ai.pulsemind.model.generate.ChatModel;
import ai.pulsemind.model.generate.GenerationConfig;
import ai.pulsemind.model.generate.Generator;
import ai.pulsemind.model.qwen25vl.Qwen25VL;
import ai.pulsemind.tokenize.ChatTemplate;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;

/** {@code pulsemind generate}: one reply to an OpenAI-format conversation, from a Hugging Face model directory. */
@Command(mixinStandardHelpOptions = true, name = "generate", description = "Generate one reply for a conversation (OpenAI chat JSON) with a Qwen2.5-VL model directory.")
public final class GenerateCommand implements Callable<Integer> {
    @Option(names = "--model", required = true, description = "Model directory (config.json, safetensors, tokenizer.json, ...).")
    Path model;
    @Option(names = "--messages", required = true, description = "JSON file: an array of chat messages; image paths are relative to it.")
    Path messages;
    @Option(names = "--max-new-tokens", defaultValue = "256") int maxNewTokens;
    @ArgGroup(exclusive = false) Sampling sampling = new Sampling();
    @Option(names = "--greedy", description = "Arg-max decoding (the default unless --temperature is given).") boolean greedy;
    @Option(names = "--device", defaultValue = "cpu") String device;
    @Option(names = "--threads", defaultValue = "0") int threads;
    @Option(names = "--json", description = "Print one JSON line {prompt_ids, new_ids, text}.") boolean json;

    static final class Sampling {
        @Option(names = "--temperature", description = "Sample with this temperature.") Float temperature;
        @Option(names = "--top-p", defaultValue = "1.0") float topP;
        @Option(names = "--top-k", defaultValue = "0") int topK;
        @Option(names = "--seed", defaultValue = "0") long seed;
        @Option(names = "--repetition-penalty", defaultValue = "1.0") float repetitionPenalty;
    }

    @Override
    public Integer call() throws IOException {
        if (!Files.isRegularFile(messages)) throw new IllegalArgumentException(messages + ": no such messages file");
        List<java.util.Map<String, Object>> msgs;
        try {
            msgs = ChatTemplate.messages(new ObjectMapper().readTree(messages.toFile()));
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalArgumentException(messages + ": not valid JSON: " + e.getOriginalMessage());
        }
        try (Backend be = Backends.open(device, threads); ChatModel cm = ChatModel.open(model, be)) {
            Qwen25VL.Sequence prompt = cm.prompt(msgs, messages.toAbsolutePath().getParent());
            GenerationConfig cfg = config(cm.stopIds());
            var result = new Generator(cm.model(), new Ops(be)).generate(List.of(prompt), cfg, json ? null : printer(cm));
            int[] ids = result.get(0).newIds();
            String text = cm.tokenizer().decode(strip(ids, cm.stopIds()), true);
            if (json) {
                ObjectMapper om = new ObjectMapper();
                ObjectNode o = om.createObjectNode();
                o.set("prompt_ids", om.valueToTree(prompt.ids()));
                o.set("new_ids", om.valueToTree(ids));
                o.put("text", text);
                o.put("finish_reason", result.get(0).finishReason());
                System.out.println(om.writeValueAsString(o));
            } else {
                System.out.println();
            }
        }
        return 0;
    }

    GenerationConfig config(int[] stops) {
        if (sampling.temperature == null || greedy)
            return GenerationConfig.greedy(maxNewTokens, stops).withRepetitionPenalty(sampling.repetitionPenalty);
        return GenerationConfig.sampling(maxNewTokens, sampling.temperature, sampling.topK, sampling.topP, sampling.seed, stops)
                .withRepetitionPenalty(sampling.repetitionPenalty);
    }

    /** Streams decoded text as tokens arrive: decodes everything so far and prints what is new. */
    static Generator.TokenListener printer(ChatModel cm) {
        java.util.List<Integer> ids = new java.util.ArrayList<>();
        int[] printed = {0};
        int[] stops = cm.stopIds();
        return (seq, tok) -> {
            for (int s : stops) if (s == tok) return true;
            ids.add(tok);
            String text = cm.tokenizer().decode(ids.stream().mapToInt(Integer::intValue).toArray(), true);
            // hold back a trailing replacement character: the next token may complete a multi-byte character
            int end = text.endsWith("\uFFFD") ? text.length() - 1 : text.length();
            if (end > printed[0]) {
                System.out.print(text.substring(printed[0], end));
                System.out.flush();
                printed[0] = end;
            }
            return true;
        };
    }

    static int[] strip(int[] ids, int[] stops) {
        int n = ids.length;
        if (n > 0) for (int s : stops) if (ids[n - 1] == s) return java.util.Arrays.copyOf(ids, n - 1);
        return ids;
    }
}
