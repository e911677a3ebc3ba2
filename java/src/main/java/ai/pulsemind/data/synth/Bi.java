package ai.pulsemind.data.synth;

import com.fasterxml.jackson.databind.JsonNode;

import java.util.Objects;

/** A text in English and Chinese, as the knowledge base writes it: {@code ["English", "中文"]}. */
public record Bi(String en, String zh) {
    public Bi {
        Objects.requireNonNull(en, "en");
        Objects.requireNonNull(zh, "zh");
    }

    public String in(String lang) { return lang.equals("zh") ? zh : en; }

    static Bi of(JsonNode n, String where) {
        if (n == null || !n.isArray() || n.size() != 2 || !n.get(0).isTextual() || !n.get(1).isTextual())
            throw new IllegalArgumentException(where + ": expected [\"English\", \"中文\"], got " + n);
        if (n.get(0).asText().isBlank() || n.get(1).asText().isBlank())
            throw new IllegalArgumentException(where + ": empty text in " + n);
        return new Bi(n.get(0).asText(), n.get(1).asText());
    }
}
