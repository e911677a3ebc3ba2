package ai.pulsemind.data.synth.render;

import com.fasterxml.jackson.databind.JsonNode;

import java.util.ArrayList;
import java.util.List;

/** Typed reads of a condition's visual signature (a JSON object from the knowledge base), with defaults. */
public record Sig(JsonNode node) {
    public String str(String k, String dflt) {
        JsonNode v = node.get(k);
        return v == null || v.isNull() ? dflt : v.asText();
    }

    public double num(String k, double dflt) {
        JsonNode v = node.get(k);
        return v == null || !v.isNumber() ? dflt : v.asDouble();
    }

    public boolean flag(String k) {
        JsonNode v = node.get(k);
        return v != null && v.asBoolean(false);
    }

    public boolean has(String k) { return node.has(k); }

    /** Sub-signatures (e.g. "lesions"), or this one alone when there is no such list. */
    public List<Sig> list(String k) {
        List<Sig> out = new ArrayList<>();
        JsonNode v = node.get(k);
        if (v != null && v.isArray()) for (JsonNode n : v) out.add(new Sig(n));
        return out;
    }

    public JsonNode get(String k) { return node.get(k); }

    /** Size words → fraction of the image width. */
    public double size(double small, double medium, double large) {
        return switch (str("size", "medium")) {
            case "tiny" -> small * 0.5;
            case "small" -> small;
            case "large" -> large;
            default -> medium;
        };
    }
}
