package ai.pulsemind.evaluate.publicbench;

import ai.pulsemind.data.Conversation;

import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/**
 * A {@link Conversation} as OpenAI-format messages with the Hugging Face image part
 * ({@code {"type":"image","image":PATH}}): what predictions record as each question's prompt, and what today's
 * {@code ChatModel} takes. Images that came inline become base64 {@code data:} URLs.
 */
final class PromptJson {
    private PromptJson() {}

    /** @param path how an image file is written: relative to the data folder in predictions, absolute for a model */
    static List<Map<String, Object>> messages(Conversation c, Function<java.nio.file.Path, String> path) {
        List<Map<String, Object>> out = new ArrayList<>();
        for (Conversation.Message m : c.messages()) {
            List<Map<String, Object>> parts = new ArrayList<>();
            for (Conversation.Part p : m.parts()) {
                Map<String, Object> part = new LinkedHashMap<>();
                switch (p) {
                    case Conversation.Text t -> { part.put("type", "text"); part.put("text", t.text()); }
                    case Conversation.Image im -> {
                        part.put("type", "image");
                        part.put("image", switch (im.source()) {
                            case Conversation.ImageFile f -> path.apply(f.path());
                            case Conversation.InlineImage b -> "data:image/png;base64," + Base64.getEncoder().encodeToString(b.bytes());
                        });
                    }
                }
                parts.add(part);
            }
            Map<String, Object> msg = new LinkedHashMap<>();
            msg.put("role", m.speaker().openAi());
            msg.put("content", parts);
            out.add(msg);
        }
        return out;
    }
}
