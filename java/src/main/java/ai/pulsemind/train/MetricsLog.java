package ai.pulsemind.train;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * {@code RUN/metrics.jsonl}: one JSON object per logging step, with the names TRL and transformers' Trainer log
 * ({@code loss}, {@code grad_norm}, {@code learning_rate}, {@code epoch}, {@code step}, {@code num_tokens},
 * {@code eval_loss}, …). Each line is flushed as it is written, so a killed run keeps what it logged.
 */
public final class MetricsLog {
    static final ObjectMapper JSON = new ObjectMapper();
    private final Path file;

    public MetricsLog(Path file) { this.file = file; }

    public Path file() { return file; }

    /** Appends one line; values are numbers (NaN and infinities become strings, which JSON cannot hold). */
    public synchronized void write(Map<String, ?> metrics) {
        ObjectNode o = JSON.createObjectNode();
        metrics.forEach((k, v) -> {
            if (v instanceof Double d && (d.isNaN() || d.isInfinite())) o.put(k, d.toString());
            else o.set(k, JSON.valueToTree(v));
        });
        try {
            Files.writeString(file, o + "\n", StandardCharsets.UTF_8, StandardOpenOption.CREATE, StandardOpenOption.APPEND);
        } catch (IOException e) {
            throw new UncheckedIOException(file + ": cannot append metrics: " + e.getMessage(), e);
        }
    }

    /** Drops lines logged after {@code step} (a resumed run re-logs them). */
    public synchronized void truncateAfter(int step) throws IOException {
        if (!Files.exists(file)) return;
        List<String> keep = new ArrayList<>();
        for (String line : Files.readAllLines(file, StandardCharsets.UTF_8)) {
            if (line.isBlank()) continue;
            JsonNode n;
            try {
                n = JSON.readTree(line);
            } catch (IOException e) {
                continue; // a line cut by a kill
            }
            if (n.path("step").asInt(0) <= step) keep.add(line);
        }
        Checkpoints.writeAtomically(file, (String.join("\n", keep) + (keep.isEmpty() ? "" : "\n")).getBytes(StandardCharsets.UTF_8));
    }

    /** Every line, parsed. */
    public List<JsonNode> read() throws IOException {
        List<JsonNode> out = new ArrayList<>();
        if (!Files.exists(file)) return out;
        for (String line : Files.readAllLines(file, StandardCharsets.UTF_8)) if (!line.isBlank()) out.add(JSON.readTree(line));
        return out;
    }
}
