package ai.pulsemind.cli;

import ai.pulsemind.autograd.Ops;
import ai.pulsemind.backend.Backend;
import ai.pulsemind.backend.Backends;
import ai.pulsemind.model.generate.ChatModel;
import ai.pulsemind.model.generate.GenerationConfig;
import ai.pulsemind.model.generate.Generator;
import ai.pulsemind.model.qwen25vl.Qwen25VL;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;

/**
 * {@code pulsemind chat}: an interactive conversation on the terminal, streaming the model's tokens. The optional
 * image is attached to the first message. Commands: {@code /reset} starts over, {@code /exit} (or end of input) quits.
 */
@Command(mixinStandardHelpOptions = true, name = "chat", description = "Chat with a Qwen2.5-VL model directory, streaming tokens.")
public final class ChatCommand implements Callable<Integer> {
    @Option(names = "--model", required = true) Path model;
    @Option(names = "--image", description = "An image to discuss, attached to the first message.") Path image;
    @Option(names = "--system", description = "A system prompt.") String system;
    @Option(names = "--max-new-tokens", defaultValue = "512") int maxNewTokens;
    @Option(names = "--temperature", description = "Sample with this temperature (default: greedy).") Float temperature;
    @Option(names = "--top-p", defaultValue = "0.9") float topP;
    @Option(names = "--seed", defaultValue = "0") long seed;
    @Option(names = "--device", defaultValue = "cpu") String device;
    @Option(names = "--threads", defaultValue = "0") int threads;

    @Override
    public Integer call() throws Exception {
        try (Backend be = Backends.open(device, threads); ChatModel cm = ChatModel.open(model, be)) {
            Generator gen = new Generator(cm.model(), new Ops(be));
            List<Map<String, Object>> messages = new ArrayList<>();
            BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
            System.err.println("chat: " + model + " on " + be.name() + "; /reset starts over, /exit quits");
            int seq = 0;
            while (true) {
                System.out.print("> ");
                System.out.flush();
                String line = in.readLine();
                if (line == null || line.strip().equals("/exit")) break;
                if (line.strip().equals("/reset")) {
                    messages.clear();
                    continue;
                }
                if (line.isBlank()) continue;
                if (messages.isEmpty() && system != null) messages.add(Map.of("role", "system", "content", system));
                messages.add(userMessage(line, messages.stream().noneMatch(m -> "user".equals(m.get("role")))));
                Qwen25VL.Sequence prompt = cm.prompt(messages, Path.of("."));
                GenerationConfig cfg = temperature == null ? GenerationConfig.greedy(maxNewTokens, cm.stopIds())
                        : GenerationConfig.sampling(maxNewTokens, temperature, 0, topP, seed + seq, cm.stopIds());
                var result = gen.generate(List.of(prompt), cfg, GenerateCommand.printer(cm));
                System.out.println();
                String reply = cm.tokenizer().decode(GenerateCommand.strip(result.get(0).newIds(), cm.stopIds()), true);
                messages.add(Map.of("role", "assistant", "content", reply));
                seq++;
            }
        }
        return 0;
    }

    private Map<String, Object> userMessage(String text, boolean first) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("role", "user");
        if (first && image != null) {
            m.put("content", List.of(Map.of("type", "image", "image", image.toAbsolutePath().toString()),
                    Map.of("type", "text", "text", text)));
        } else {
            m.put("content", text);
        }
        return m;
    }
}
