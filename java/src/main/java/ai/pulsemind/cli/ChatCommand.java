package ai.pulsemind.cli;

import ai.pulsemind.backend.Backend;
import ai.pulsemind.data.Conversation;
import ai.pulsemind.data.images.ImageDecoder;
import ai.pulsemind.model.generate.ChatModel;
import ai.pulsemind.model.generate.Completion;
import ai.pulsemind.model.generate.Engine;
import ai.pulsemind.model.generate.GenerationConfig;
import ai.pulsemind.model.qwen25vl.Prompt;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;

/**
 * {@code pulsemind chat}: an interactive conversation on the terminal, streaming the model's tokens. The model's
 * replies are kept as the ids it generated (the next turn is appended after them, nothing is re-tokenized), so it
 * reads its own earlier turns exactly as it wrote them. The optional image is attached to the first message.
 */
@Command(mixinStandardHelpOptions = true, name = "chat", sortOptions = false,
        description = "Chat with a Qwen2.5-VL model directory, streaming tokens.",
        footer = {"", "Commands at the prompt:",
                "  /reset   start a new conversation (the --image and --system apply again)",
                "  /exit    quit (end of input, Ctrl-D, quits too)"})
public final class ChatCommand implements Callable<Integer> {
    /** The longest conversation kept: its KV cache is allocated once, at this size or the model's context. */
    static final int WINDOW = 8192;

    @Option(names = "--model", required = true, paramLabel = "DIR",
            description = "Model directory (config.json, safetensors, tokenizer.json, chat template, processor config).")
    Path model;
    @Option(names = "--image", paramLabel = "PATH", description = "An image to discuss, attached to the first message (checked at start).")
    Path image;
    @Option(names = "--system", paramLabel = "TEXT", description = "A system prompt; without it the chat template's default applies.")
    String system;
    @Option(names = "--max-new-tokens", paramLabel = "N", defaultValue = "512", description = "Most new tokens per reply (default: ${DEFAULT-VALUE}).")
    int maxNewTokens;
    @Option(names = "--temperature", paramLabel = "T", description = "Sample with this temperature (> 0); without it, decoding is greedy.")
    Float temperature;
    @Option(names = "--top-p", defaultValue = "0.9", paramLabel = "P", description = "Nucleus sampling threshold in (0, 1], with --temperature (default: ${DEFAULT-VALUE}).")
    float topP;
    @Option(names = "--seed", paramLabel = "S", defaultValue = "0", description = "Sampling seed; reply k draws from stream k of it (default: ${DEFAULT-VALUE}).")
    long seed;
    @Mixin DeviceOption device = new DeviceOption();
    @Option(names = "--threads", paramLabel = "N", defaultValue = "0", description = "CPU threads; 0 uses every core (default: ${DEFAULT-VALUE}).")
    int threads;

    @Override
    public Integer call() throws IOException {
        // the flags as the library checks them (InvalidSetting, reported under the flag): before anything is loaded
        GenerationConfig.sampling(maxNewTokens, temperature == null ? 1f : temperature, 0, topP, seed);
        checkImage();
        GenerateCommand.checkModelDir(model);
        try (Backend be = device.open(threads); ChatModel cm = ChatModel.open(model, be, null)) {
            int window = Math.min(WINDOW, cm.model().text().config().maxPositionEmbeddings());
            try (Engine engine = new Engine(cm.model(), be, Engine.Config.of(1, window), cm.tokenizer())) {
                converse(cm, engine, window);
            }
        }
        return 0;
    }

    /** The image is decoded once before anything else, so a bad path or file fails at start. */
    private void checkImage() {
        if (image == null) return;
        if (!Files.isRegularFile(image)) throw new IllegalArgumentException("--image: " + image + " does not exist");
        try {
            ImageDecoder.decode(image);
        } catch (IOException | RuntimeException e) {
            throw new IllegalArgumentException("--image: " + e.getMessage(), e);
        }
    }

    private void converse(ChatModel cm, Engine engine, int window) throws IOException {
        BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
        System.err.println("chat: " + model + "; /reset starts over, /exit quits");
        Prompt prompt = null; // the conversation so far, as ids, ending with the model's last reply
        int turn = 0;
        while (true) {
            System.out.print("> ");
            System.out.flush();
            String line = in.readLine();
            if (line == null || line.strip().equals("/exit")) break;
            if (line.strip().equals("/reset")) {
                prompt = null;
                continue;
            }
            if (line.isBlank()) continue;
            Prompt next = prompt == null ? cm.prompt(first(line)) : cm.encoder().followUp(prompt, List.of(Conversation.Message.text(Conversation.Speaker.USER, line)));
            if (next.length() + maxNewTokens > window) {
                System.err.println("chat: the conversation has " + next.length() + " tokens; with --max-new-tokens " + maxNewTokens
                        + " it does not fit the " + window + "-token window. /reset starts over.");
                continue;
            }
            GenerationConfig gen = temperature == null ? cm.greedy(maxNewTokens) : cm.sampling(maxNewTokens, temperature, topP, seed);
            Completion c = engine.submit(next, gen, turn, tok -> {
                System.out.print(tok.text());
                System.out.flush();
            }).join();
            System.out.println();
            prompt = cm.encoder().withCompletion(next, c.ids());
            turn++;
        }
    }

    private Conversation first(String text) {
        List<Conversation.Message> msgs = new ArrayList<>();
        if (system != null) msgs.add(Conversation.Message.text(Conversation.Speaker.SYSTEM, system));
        List<Conversation.Part> parts = new ArrayList<>();
        if (image != null) parts.add(new Conversation.Image(new Conversation.ImageFile(image.toAbsolutePath(), null)));
        parts.add(new Conversation.Text(text));
        msgs.add(new Conversation.Message(Conversation.Speaker.USER, parts));
        return new Conversation(msgs);
    }
}
