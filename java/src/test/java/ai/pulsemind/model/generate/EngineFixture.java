package ai.pulsemind.model.generate;

import ai.pulsemind.backend.Backend;
import ai.pulsemind.data.Conversation;
import ai.pulsemind.data.Conversation.Message;
import ai.pulsemind.data.Conversation.Speaker;
import ai.pulsemind.model.io.OracleFixtures;
import ai.pulsemind.model.qwen25vl.Prompt;

import java.util.List;

/** A tiny oracle checkpoint (tokenizer, template, vision tower) behind a {@link ChatModel}, and a few prompts. */
final class EngineFixture implements AutoCloseable {
    final ChatModel cm;
    final Backend be;

    EngineFixture(Backend be, String model) {
        this.be = be;
        this.cm = ChatModel.open(OracleFixtures.path(model), be, Engine.Config.of(2, 512));
    }

    EngineFixture(Backend be) { this(be, "tiny-tied-f32"); }

    static Conversation user(String text) { return new Conversation(List.of(Message.text(Speaker.USER, text))); }

    static Conversation withImage(String image, String text) {
        return new Conversation(List.of(new Message(Speaker.USER, List.of(
                new Conversation.Image(new Conversation.ImageFile(OracleFixtures.path("images/" + image), null)),
                new Conversation.Text(text)))));
    }

    /** Text, Chinese text, one image, a multi-turn conversation with a system prompt and two images. */
    List<Prompt> prompts() {
        Conversation multi = new Conversation(List.of(Message.text(Speaker.SYSTEM, "You are a careful doctor."),
                withImage("small_30x45.png", "What is this?").messages().getFirst(),
                Message.text(Speaker.ASSISTANT, "A small lesion."),
                withImage("gray_60x40.png", "And this one?").messages().getFirst()));
        return List.of(cm.prompt(user("Hello doctor, I have had a headache for three days.")),
                cm.prompt(user("患者主诉头痛三天，怎么办？")),
                cm.prompt(withImage("plain_56x84.png", "Describe the image.")),
                cm.prompt(multi));
    }

    /** A fresh engine of one slot, this request alone. */
    Completion alone(Prompt p, GenerationConfig g, int stream) {
        try (Engine e = engine(1)) {
            return e.submit(p, g, stream, null).join();
        }
    }

    /** An engine of {@code slots} slots of 512 tokens over the fixture's model and tokenizer. */
    Engine engine(int slots) { return new Engine(cm.model(), be, Engine.Config.of(slots, 512), cm.tokenizer()); }

    @Override
    public void close() { cm.close(); }
}
