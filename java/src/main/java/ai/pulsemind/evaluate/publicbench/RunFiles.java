package ai.pulsemind.evaluate.publicbench;

import ai.pulsemind.data.DataError;
import ai.pulsemind.data.JsonlReader;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;

import java.io.BufferedWriter;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/** The files of a run folder: config.json, predictions.jsonl (appended as replies come, rewritten at the end). */
final class RunFiles {
    private RunFiles() {}

    static final String CONFIG = "config.json", PREDICTIONS = "predictions.jsonl", SUMMARY = "summary.json";
    /** One line per prediction; lenient on read, so lines written by a later version still load. */
    static final ObjectMapper LINES = JsonMapper.builder().disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES).build();

    /** Writes to a hidden temporary file, forces it to disk and renames it over {@code file}. */
    static void writeAtomically(Path file, String text) throws IOException {
        Path tmp = file.resolveSibling("." + file.getFileName() + ".tmp");
        Files.writeString(tmp, text, StandardCharsets.UTF_8);
        try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.WRITE)) {
            ch.force(true);
        }
        Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    }

    static String line(Prediction p) {
        try {
            return LINES.writeValueAsString(p);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot write the prediction of " + p.key() + ": " + e.getOriginalMessage(), e);
        }
    }

    static void writePredictions(Path file, Collection<Prediction> preds) throws IOException {
        StringBuilder sb = new StringBuilder();
        for (Prediction p : preds) sb.append(line(p)).append('\n');
        writeAtomically(file, sb.toString());
    }

    static BufferedWriter append(Path file) throws IOException {
        return Files.newBufferedWriter(file, StandardCharsets.UTF_8, StandardOpenOption.CREATE, StandardOpenOption.APPEND);
    }

    /**
     * The predictions a run folder already holds, by key; a later line for the same question replaces an earlier one.
     * A line that does not parse (the last line of a run that was killed while writing) is reported and its question
     * is asked again.
     */
    static Map<String, Prediction> readPredictions(Path file, PrintStream log) throws IOException {
        Map<String, Prediction> out = new LinkedHashMap<>();
        if (!Files.isRegularFile(file)) return out;
        try (JsonlReader in = new JsonlReader(file)) {
            JsonlReader.Line l;
            while ((l = in.next()) != null) {
                try {
                    Prediction p = LINES.treeToValue(JsonlReader.parse(file.toString(), l), Prediction.class);
                    if (p.id() == null || p.task() == null || p.rawOutput() == null) throw new DataError(file, l.number(), "-", "not a prediction (id, task, raw_output)");
                    out.remove(p.key());
                    out.put(p.key(), p);
                } catch (DataError | JsonProcessingException | IllegalArgumentException e) {
                    if (log != null) log.println("ignored (asked again): " + file + ":" + l.number() + ": " + e.getMessage());
                }
            }
        }
        return out;
    }

    /**
     * Refuses to continue a run made with other settings, naming the flag: the predictions it holds would mix two
     * models or prompt formats.
     */
    static void checkResumable(Path dir, PublicBenchConfig cfg) throws IOException {
        Path f = dir.resolve(CONFIG);
        if (!Files.isRegularFile(f)) return;
        JsonNode old;
        try {
            old = LINES.readTree(f.toFile());
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException(f + ": not valid JSON (" + e.getOriginalMessage() + "); use another --out");
        }
        String mode = old.path("mode").asText("");
        String want = cfg.scoringOnly() ? "score" : "generate";
        if (!mode.equals(want))
            throw new IllegalArgumentException("--out " + dir + " holds a " + (mode.equals("score") ? "scoring (--predictions)" : "model")
                    + " run; write this " + (cfg.scoringOnly() ? "scoring" : "model") + " run to another folder");
        if (cfg.scoringOnly()) return;
        Map<String, Object> key = cfg.resumeKey();
        String[] fields = {"model", "shots", "max_new_tokens", "prompt_version"};
        int i = 0;
        for (var e : key.entrySet()) {
            JsonNode v = old.get(fields[i++]);
            String was = v == null || v.isNull() ? null : v.asText();
            if (!Objects.equals(was, e.getValue() == null ? null : String.valueOf(e.getValue())))
                throw new IllegalArgumentException("--out " + dir + " was run with " + e.getKey() + " " + was + "; this run has "
                        + e.getKey() + " " + e.getValue() + ". Resume with the same settings, or use another --out");
        }
    }
}
