package ai.pulsemind.model.io;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** Reads JSON files and typed fields, with errors that name the file and the field. */
final class JsonFields {
    static final ObjectMapper MAPPER = new ObjectMapper();

    private final Path file;

    JsonFields(Path file) { this.file = file; }

    Path file() { return file; }

    /** The file's top-level object. */
    JsonNode readObject() {
        try {
            JsonNode n = MAPPER.readTree(Files.readAllBytes(file));
            if (n == null || !n.isObject()) throw fail("expected a JSON object at the top level");
            return n;
        } catch (NoSuchFileException e) {
            throw fail("file not found");
        } catch (JsonProcessingException e) {
            throw fail(ai.pulsemind.data.Json.describe(e));
        } catch (IOException e) {
            throw new CheckpointException(file, "cannot read: " + e.getMessage(), e);
        }
    }

    CheckpointException fail(String problem) { return new CheckpointException(file, problem); }

    /** A required positive int field {@code where.name}. */
    int positive(JsonNode obj, String where, String name) {
        int v = integer(obj, where, name);
        if (v <= 0) throw fail(field(where, name) + " must be > 0, got " + v);
        return v;
    }

    int integer(JsonNode obj, String where, String name) {
        JsonNode n = obj.get(name);
        if (n == null || n.isNull()) throw fail("missing field " + field(where, name));
        if (!n.canConvertToInt() || !n.isIntegralNumber()) throw fail(field(where, name) + " must be an integer, got " + n);
        return n.intValue();
    }

    int integerOr(JsonNode obj, String where, String name, int dflt) {
        JsonNode n = obj.get(name);
        return n == null || n.isNull() ? dflt : integer(obj, where, name);
    }

    double number(JsonNode obj, String where, String name) {
        JsonNode n = obj.get(name);
        if (n == null || n.isNull()) throw fail("missing field " + field(where, name));
        if (!n.isNumber()) throw fail(field(where, name) + " must be a number, got " + n);
        return n.doubleValue();
    }

    String textOr(JsonNode obj, String where, String name, String dflt) {
        JsonNode n = obj.get(name);
        if (n == null || n.isNull()) return dflt;
        if (!n.isTextual()) throw fail(field(where, name) + " must be a string, got " + n);
        return n.textValue();
    }

    boolean boolOr(JsonNode obj, String where, String name, boolean dflt) {
        JsonNode n = obj.get(name);
        if (n == null || n.isNull()) return dflt;
        if (!n.isBoolean()) throw fail(field(where, name) + " must be true or false, got " + n);
        return n.booleanValue();
    }

    /** An int list; a single int counts as a one-element list (eos_token_id is either). */
    List<Integer> intList(JsonNode n, String what) {
        List<Integer> out = new ArrayList<>();
        if (n == null || n.isNull()) return out;
        if (n.isIntegralNumber()) {
            out.add(n.intValue());
            return out;
        }
        if (!n.isArray()) throw fail(what + " must be a list of integers, got " + n);
        for (JsonNode e : n) {
            if (!e.isIntegralNumber() || !e.canConvertToInt()) throw fail(what + " must be a list of integers, got " + n);
            out.add(e.intValue());
        }
        return out;
    }

    static String field(String where, String name) { return where.isEmpty() ? name : where + "." + name; }
}
