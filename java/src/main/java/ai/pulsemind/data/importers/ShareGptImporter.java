package ai.pulsemind.data.importers;

import ai.pulsemind.data.DataError;
import ai.pulsemind.data.DatasetPaths;
import ai.pulsemind.data.ImageRef;
import ai.pulsemind.data.MediRecord;
import ai.pulsemind.data.Modality;
import ai.pulsemind.data.Role;
import ai.pulsemind.data.Turn;
import com.fasterxml.jackson.databind.JsonNode;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * ShareGPT / LLaVA conversations: {@code {id, image | images, conversations: [{from: human|gpt, value}]}}.
 * Each {@code <image>} placeholder in a human message shows the next image; images no placeholder claims go with
 * the first human message (LLaVA puts the placeholder there). {@code system} messages are kept in {@code meta}.
 * The two formats differ only in the name on the card.
 */
final class ShareGptImporter implements Importer {
    private final String name;

    ShareGptImporter(String name) { this.name = name; }

    @Override public String format() { return name; }

    @Override public String source() {
        return name.equals("llava") ? "LLaVA-format conversations (e.g. LLaVA-Med)" : "ShareGPT-format conversations";
    }

    @Override
    public void read(ImportOptions opt, Sink sink) throws IOException {
        JsonSource.records(opt.input(), sink, (n, file, line) -> record(n, file, line, opt));
    }

    Imported record(JsonNode n, String file, long line, ImportOptions opt) {
        List<String> paths = new ArrayList<>();
        JsonNode im = n.has("images") ? n.get("images") : n.get("image");
        if (im != null && im.isTextual()) paths.add(im.asText());
        else if (im != null && im.isArray()) for (JsonNode p : im) paths.add(p.asText());
        JsonNode conv = n.has("conversations") ? n.get("conversations") : n.get("messages");
        if (conv == null || !conv.isArray() || conv.isEmpty())
            throw new DataError(file, line, "conversations", "required non-empty list of {from, value}");
        List<Turn> turns = new ArrayList<>();
        List<String> system = new ArrayList<>();
        int next = 0;
        for (int i = 0; i < conv.size(); i++) {
            JsonNode m = conv.get(i);
            String from = Text.str(m, "from", "role"), value = Text.str(m, "value", "content");
            if (from == null) throw new DataError(file, line, "conversations[" + i + "].from", "required field is missing");
            if (value == null) value = "";
            Role role = switch (from) {
                case "human", "user", "patient" -> Role.PATIENT;
                case "gpt", "assistant", "doctor", "bot" -> Role.DOCTOR;
                case "system" -> null;
                default -> throw new DataError(file, line, "conversations[" + i + "].from", "'" + from + "' is not human, gpt or system");
            };
            if (role == null) { system.add(value); continue; }
            List<String> shown = new ArrayList<>();
            int k = 0;
            while ((k = value.indexOf("<image>", k)) >= 0) {
                if (next >= paths.size()) throw new DataError(file, line, "conversations[" + i + "].value",
                        "more <image> placeholders than images (" + paths.size() + ")");
                shown.add("img" + next++);
                k += 7;
            }
            String text = value.replace("<image>\n", "").replace("\n<image>", "").replace("<image>", "").strip();
            turns.add(new Turn(role, text, shown));
        }
        // Images without a placeholder go with the first patient turn.
        if (next < paths.size()) {
            for (int t = 0; t < turns.size(); t++) {
                if (turns.get(t).role() != Role.PATIENT) continue;
                List<String> shown = new ArrayList<>(turns.get(t).images());
                while (next < paths.size()) shown.add("img" + next++);
                turns.set(t, new Turn(Role.PATIENT, turns.get(t).text(), shown));
                break;
            }
        }
        List<SourceImage> images = new ArrayList<>();
        List<ImageRef> refs = new ArrayList<>();
        for (int i = 0; i < paths.size(); i++) {
            Path p;
            try {
                p = DatasetPaths.resolveInside(opt.imageRoot(), paths.get(i));
            } catch (IllegalArgumentException e) {
                throw new DataError(file, line, n.has("images") ? "images[" + i + "]" : "image", e.getMessage());
            }
            String mod = opt.modality() != null ? opt.modality() : Modality.guess(paths.get(i));
            images.add(new SourceImage("img" + i, p, mod));
            refs.add(new ImageRef("img" + i, "pending", mod));
        }
        String id = Text.str(n, "id");
        StringBuilder all = new StringBuilder();
        turns.forEach(t -> all.append(t.text()));
        Map<String, Object> meta = system.isEmpty() ? Map.of() : Map.of("system", String.join("\n", system));
        MediRecord r = MediRecord.builder(name + "-" + (id != null ? id : String.valueOf(line)), Text.language(all.toString()))
                .department(opt.department()).turns(turns).images(refs).source(name).meta(meta).build();
        return new Imported(r, images);
    }
}
