package ai.pulsemind.evaluate.consult;

import ai.pulsemind.data.Counterpart;
import ai.pulsemind.data.DataError;
import ai.pulsemind.data.JsonlReader;
import ai.pulsemind.data.MediRecord;
import ai.pulsemind.data.Quality;
import ai.pulsemind.data.Turn;
import ai.pulsemind.evaluate.ModelSpec;
import com.fasterxml.jackson.databind.JsonNode;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The {@code --model} and {@code --baseline} SPECs of {@code eval consult}, resolved against the cases:
 * <pre>
 * SPEC := MODEL_SPEC                 a model that consults here ({@link ModelSpec}: DIR, local:…, openai:…)
 *       | "counterparts"             every counterpart the records carry, one participant per counterpart model name
 *       | "counterpart:" NAME        one of them
 *       | "graded"                   the records' counterparts ranked by their labelled quality within each case:
 *                                    grade-1 is each case's best, grade-N its worst (ties broken by overall grade,
 *                                    then name); on the synthetic set the order is known by construction
 *       | "transcripts:" FILE        consultations recorded elsewhere (JSONL: model, case, turns; our own
 *                                    transcripts.jsonl reads back): one participant per model named in the file
 *       | "run:" DIR                 the models another run generated (its DIR/transcripts.jsonl, lines of source
 *                                    replay or simulated; its recorded baselines are not taken)
 * </pre>
 * A recorded transcript names its case by {@code case} (or {@code id}); cases a participant has no transcript for
 * are left out of that participant's pairs.
 */
public final class ParticipantSpecs {
    private ParticipantSpecs() {}

    public static final String COUNTERPARTS = "counterparts", GRADED = "graded";

    /** Whether {@code spec} names transcripts rather than a model (no model is opened for it). */
    public static boolean recorded(String spec) {
        return spec.equals(COUNTERPARTS) || spec.equals(GRADED) || spec.startsWith("counterpart:") || spec.startsWith("transcripts:")
                || spec.startsWith("run:");
    }

    /** The participants one SPEC names; {@code flag} starts every error. */
    public static List<Participant> resolve(String flag, String spec, List<MediRecord> records) {
        String s = spec.strip();
        if (s.equals(COUNTERPARTS)) {
            Set<String> names = new LinkedHashSet<>();
            for (MediRecord r : records) for (Counterpart c : r.counterparts()) names.add(c.model());
            if (names.isEmpty()) throw new IllegalArgumentException(flag + " counterparts: none of the " + records.size() + " cases has counterparts");
            List<Participant> out = new ArrayList<>();
            for (String n : names) out.add(counterpart(n));
            return out;
        }
        if (s.startsWith("counterpart:")) {
            String n = s.substring("counterpart:".length());
            if (records.stream().noneMatch(r -> r.counterparts().stream().anyMatch(c -> c.model().equals(n))))
                throw new IllegalArgumentException(flag + " " + s + ": no case has a counterpart named '" + n + "'");
            return List.of(counterpart(n));
        }
        if (s.equals(GRADED)) {
            int most = records.stream().mapToInt(r -> r.counterparts().size()).max().orElse(0);
            if (most == 0) throw new IllegalArgumentException(flag + " graded: none of the " + records.size() + " cases has counterparts");
            List<Participant> out = new ArrayList<>();
            for (int k = 0; k < most; k++) {
                int rank = k;
                out.add(new Participant.Recorded("grade-" + (k + 1), "counterpart", r -> {
                    List<Counterpart> ranked = ranked(r);
                    return rank < ranked.size() ? ranked.get(rank).turns() : null;
                }));
            }
            return out;
        }
        if (s.startsWith("transcripts:")) return fromFile(flag, Path.of(s.substring("transcripts:".length())), false);
        if (s.startsWith("run:")) return fromFile(flag, Path.of(s.substring("run:".length())).resolve(RunFiles.TRANSCRIPTS), true);
        ModelSpec m = ModelSpec.parse(flag, s);
        return List.of(new Participant.Generating(m.name(), m, null));
    }

    /** A case's counterparts, best first: by the sum of the four dimension scores, then the overall grade, then name. */
    public static List<Counterpart> ranked(MediRecord r) {
        List<Counterpart> l = new ArrayList<>(r.counterparts().stream().filter(c -> c.quality() != null).toList());
        l.sort(Comparator.comparingInt((Counterpart c) -> -sum(c.quality())).thenComparingInt(c -> -c.quality().overall())
                .thenComparing(Counterpart::model));
        return l;
    }

    static int sum(Quality q) { return q.proactiveness() + q.accuracy() + q.usefulness() + q.language(); }

    private static Participant counterpart(String name) {
        return new Participant.Recorded(name, "counterpart", r -> {
            for (Counterpart c : r.counterparts()) if (c.model().equals(name)) return c.turns();
            return null;
        });
    }

    /**
     * Transcripts from a JSONL file, grouped by model; a bad line is an error naming file, line and field.
     *
     * @param generatedOnly only lines whose {@code source} is {@code replay} or {@code simulated} (another run's models)
     */
    static List<Participant> fromFile(String flag, Path file, boolean generatedOnly) {
        if (!Files.isRegularFile(file)) throw new IllegalArgumentException(flag + " " + file + ": no such file");
        Map<String, Map<String, List<Turn>>> byModel = new LinkedHashMap<>();
        try (JsonlReader in = new JsonlReader(file)) {
            JsonlReader.Line l;
            while ((l = in.next()) != null) {
                JsonNode n = JsonlReader.parse(file.toString(), l);
                String source = n.path("source").asText("");
                if (generatedOnly && !source.equals("replay") && !source.equals("simulated")) continue;
                String model = text(n, "model", file, l.number());
                String c = n.hasNonNull("case") ? n.get("case").asText() : text(n, "id", file, l.number());
                JsonNode turns = n.get("turns");
                if (turns == null || !turns.isArray() || turns.isEmpty()) throw new DataError(file, l.number(), "turns", "required: the consultation's turns");
                List<Turn> ts = new ArrayList<>();
                for (int i = 0; i < turns.size(); i++) {
                    try {
                        ts.add(RunFiles.JSON.treeToValue(turns.get(i), Turn.class));
                    } catch (IOException | IllegalArgumentException e) {
                        throw new DataError(file, l.number(), "turns[" + i + "]", "not a turn {role: patient|doctor, text}: " + e.getMessage());
                    }
                }
                byModel.computeIfAbsent(model, k -> new LinkedHashMap<>()).put(c, ts);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(flag + " " + file + ": " + e.getMessage(), e);
        }
        if (byModel.isEmpty()) throw new IllegalArgumentException(flag + " " + file + ": no transcripts");
        List<Participant> out = new ArrayList<>();
        byModel.forEach((m, t) -> out.add(Participant.Recorded.of(m, "recorded", t)));
        return out;
    }

    private static String text(JsonNode n, String field, Path file, long line) {
        JsonNode v = n.get(field);
        if (v == null || !v.isTextual() || v.asText().isBlank()) throw new DataError(file, line, field, "required: a non-empty string");
        return v.asText();
    }
}
