package ai.pulsemind.judge;

import ai.pulsemind.data.Conversation;
import ai.pulsemind.data.DataError;
import ai.pulsemind.data.JsonlReader;
import ai.pulsemind.data.MediRecord;
import ai.pulsemind.data.OpenAiMessages;
import ai.pulsemind.data.RecordValidator;
import ai.pulsemind.data.Records;
import ai.pulsemind.data.Role;
import ai.pulsemind.data.Turn;
import com.fasterxml.jackson.databind.JsonNode;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The pairs file of {@code judge pairs}: one JSON object per line,
 * <pre>
 * {"id": "p1",
 *  "context":   [OpenAI-format messages, may be []],
 *  "reference": "the real doctor's reply"
 *             | {"text": "…"} | {"record": {MediScope record}} | {"record": {…}, "turn": 7} | {"record": {…}, "text": "…"},
 *  "a": "a reply" | {"text": "…"} | {"turns": [{"role": "patient"|"doctor", "text": "…"}, …]} | [OpenAI messages],
 *  "b": …}
 * </pre>
 * A record alone is its whole consultation as the reference; with {@code turn}, its doctor turn there. The rubric
 * judge needs the record. Image paths in messages are relative to the file's folder.
 */
public final class PairsJsonl {
    private PairsJsonl() {}

    /** The request on one line; a {@link DataError} naming the file, line and field when it is malformed. */
    public static JudgeRequest parse(String file, JsonlReader.Line line, Path baseDir) {
        JsonNode o = JsonlReader.parse(file, line);
        if (!o.isObject()) throw new DataError(file, line.number(), "-", "expected a JSON object with id, context, reference, a, b");
        try {
            JsonNode id = o.get("id");
            if (id == null || !(id.isTextual() || id.isNumber()) || id.asText().isBlank()) throw bad("id", "missing (a string)");
            return new JudgeRequest(id.asText(), context(o.get("context"), baseDir), reference(o.get("reference")),
                    answer(o.get("a"), "a", baseDir), answer(o.get("b"), "b", baseDir));
        } catch (FieldError e) {
            throw new DataError(file, line.number(), e.field, e.getMessage());
        }
    }

    private static final class FieldError extends RuntimeException {
        final String field;

        FieldError(String field, String message) {
            super(message);
            this.field = field;
        }
    }

    private static FieldError bad(String field, String message) { return new FieldError(field, message); }

    private static Conversation context(JsonNode c, Path baseDir) {
        if (c == null || c.isNull()) throw bad("context", "missing (OpenAI-format messages; [] for none)");
        if (c.isArray() && c.isEmpty()) return Conversation.EMPTY;
        try {
            return OpenAiMessages.parse(c, OpenAiMessages.ImagePolicy.localFiles(baseDir));
        } catch (IllegalArgumentException e) { // the message starts with messages[i]…
            throw bad("context", e.getMessage());
        }
    }

    private static Reference reference(JsonNode r) {
        if (r == null || r.isNull()) throw bad("reference", "missing (the real doctor's reply, or {\"record\": …})");
        if (r.isTextual()) return Reference.ofText(r.asText());
        if (!r.isObject()) throw bad("reference", "expected a string or an object with text, record, turn");
        MediRecord rec = r.has("record") ? record(r.get("record")) : null;
        JsonNode text = r.get("text");
        if (text != null && !text.isTextual()) throw bad("reference.text", "expected a string");
        if (r.has("turn")) {
            if (rec == null) throw bad("reference.turn", "needs reference.record");
            if (!r.get("turn").canConvertToInt()) throw bad("reference.turn", "expected a turn index");
            try {
                return Reference.ofTurn(rec, r.get("turn").asInt());
            } catch (IllegalArgumentException e) {
                throw bad("reference.turn", e.getMessage());
            }
        }
        if (text != null) return new Reference(new Answer.Reply(text.asText()), rec);
        if (rec == null) throw bad("reference", "has neither text nor record");
        return Reference.ofRecord(rec);
    }

    private static MediRecord record(JsonNode n) {
        List<RecordValidator.Problem> problems = RecordValidator.check(n);
        if (!problems.isEmpty()) throw bad("reference.record." + problems.getFirst().field(), problems.getFirst().message());
        try {
            return Records.fromNode(n);
        } catch (IllegalArgumentException e) {
            throw bad("reference.record", e.getMessage());
        }
    }

    private static Answer answer(JsonNode a, String field, Path baseDir) {
        if (a == null || a.isNull()) throw bad(field, "missing (a reply string, {\"turns\": […]} or OpenAI messages)");
        if (a.isTextual()) return new Answer.Reply(a.asText());
        try {
            if (a.isObject() && a.get("text") != null && a.get("text").isTextual()) return new Answer.Reply(a.get("text").asText());
            if (a.isObject() && a.get("turns") != null && a.get("turns").isArray()) return new Answer.Transcript(turns(a.get("turns"), field));
            if (a.isArray()) {
                Conversation c = OpenAiMessages.parse(a, OpenAiMessages.ImagePolicy.localFiles(baseDir));
                List<Turn> turns = new ArrayList<>();
                for (Conversation.Message m : c.messages())
                    if (m.speaker() != Conversation.Speaker.SYSTEM) turns.add(new Turn(m.speaker() == Conversation.Speaker.ASSISTANT ? Role.DOCTOR : Role.PATIENT, m.text(), List.of()));
                return new Answer.Transcript(turns);
            }
        } catch (IllegalArgumentException e) {
            throw bad(field, e.getMessage());
        }
        throw bad(field, "expected a reply string, {\"text\": …}, {\"turns\": […]} or an array of OpenAI messages");
    }

    private static List<Turn> turns(JsonNode arr, String field) {
        List<Turn> out = new ArrayList<>();
        for (int i = 0; i < arr.size(); i++) {
            JsonNode t = arr.get(i);
            String where = field + ".turns[" + i + "]";
            if (!t.path("text").isTextual()) throw bad(where + ".text", "missing or not a string");
            Role role;
            try {
                role = Role.parse(t.path("role").asText());
            } catch (IllegalArgumentException e) {
                throw bad(where + ".role", e.getMessage());
            }
            List<String> images = new ArrayList<>();
            for (JsonNode im : t.path("images")) images.add(im.asText()); // image ids of the record, as in MediScope turns
            out.add(new Turn(role, t.get("text").asText(), images));
        }
        return out;
    }
}
