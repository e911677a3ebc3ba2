package ai.pulsemind.evaluate.consult;

import ai.pulsemind.data.Counterpart;
import ai.pulsemind.data.DataError;
import ai.pulsemind.data.JsonlReader;
import ai.pulsemind.data.MediRecord;
import ai.pulsemind.judge.Agreement;
import ai.pulsemind.judge.Dimension;
import ai.pulsemind.judge.Judgment;
import ai.pulsemind.judge.Verdict;
import com.fasterxml.jackson.databind.JsonNode;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Expert verdicts on judged pairs, to measure the judge against (the paper's Tables 2–3).
 * <pre>
 * FILE (JSONL): {"pair": "CASE|MODEL|BASELINE|whole", "dimension": "accuracy", "verdict": "A" | "B" | "tie"}
 * </pre>
 * {@code pair} (also {@code pair_id} or {@code id}) is a {@link ConsultPair#id pair id} of this run; A is the model
 * (also {@code win}), B the baseline ({@code loss}). {@code dimension} is a key or the Chinese name. A bad line is
 * an error naming file, line and field. Instead of a file, {@value #GRADES} derives the labels from the records'
 * counterpart quality labels (the synthetic set, where the truth is known by construction): for every pair of
 * {@code graded} participants, on each dimension where their labels differ, the higher-labelled transcript is the
 * expert's choice (as an expert asked which is better; equal labels are left out, since the construction does not
 * say a careful judge must call those a tie).
 */
public final class ExpertLabels {
    private ExpertLabels() {}

    public static final String GRADES = "grades";

    /** @param pair a pair id; @param verdict A = the model is better */
    public record Label(String pair, Dimension dimension, Verdict verdict) {}

    /**
     * Agreement with the experts, relative (the judge's pairwise verdicts) and absolute (verdicts read off the 1–5
     * scores: the higher score wins, equal scores tie); absolute is null without scores.
     *
     * @param labels   labels read
     * @param matched  labels whose pair this run judged
     */
    public record Result(int labels, int matched, Agreement relative, Agreement absolute) {}

    public static List<Label> read(Path file) throws IOException {
        if (!Files.isRegularFile(file)) throw new DataError(file, 0, "-", "--expert-labels: no such file");
        List<Label> out = new ArrayList<>();
        try (JsonlReader in = new JsonlReader(file)) {
            JsonlReader.Line l;
            while ((l = in.next()) != null) {
                JsonNode n = JsonlReader.parse(file.toString(), l);
                String pair = null;
                for (String f : new String[] {"pair", "pair_id", "id"}) if (n.hasNonNull(f)) { pair = n.get(f).asText(); break; }
                if (pair == null || pair.isBlank()) throw new DataError(file, l.number(), "pair", "required: the pair id (CASE|MODEL|BASELINE|whole)");
                Dimension d = Dimension.parse(n.path("dimension").asText(null));
                if (d == null) throw new DataError(file, l.number(), "dimension", "'" + n.path("dimension").asText("") + "' is not proactiveness, accuracy, usefulness or language");
                String v = n.path("verdict").asText("");
                Verdict x = switch (v.strip().toLowerCase(java.util.Locale.ROOT)) {
                    case "win" -> Verdict.A;
                    case "loss" -> Verdict.B;
                    default -> Verdict.parse(v);
                };
                if (x == null) throw new DataError(file, l.number(), "verdict", "'" + v + "' is not A, B or tie (or win, loss)");
                out.add(new Label(pair, d, x));
            }
        }
        return out;
    }

    /** Labels from the counterparts' quality labels: every ordered pair of {@code graded} participants, dimensions where the labels differ. */
    public static List<Label> fromGrades(List<MediRecord> records) {
        List<Label> out = new ArrayList<>();
        for (MediRecord r : records) {
            List<Counterpart> ranked = ParticipantSpecs.ranked(r);
            for (int i = 0; i < ranked.size(); i++)
                for (int j = 0; j < ranked.size(); j++) {
                    if (i == j) continue;
                    String pair = ConsultPair.id(r.id(), "grade-" + (i + 1), "grade-" + (j + 1), -1);
                    for (Dimension d : Dimension.values()) {
                        int a = ranked.get(i).quality().score(d.key()), b = ranked.get(j).quality().score(d.key());
                        if (a != b) out.add(new Label(pair, d, a > b ? Verdict.A : Verdict.B));
                    }
                }
        }
        return out;
    }

    /**
     * @param judged   the run's judgments by pair id
     * @param pairs    the run's pairs by id (to find both sides' scores)
     * @param scores   per {@code CASE|PARTICIPANT}, per dimension the 1–5 score; null without absolute scoring
     */
    public static Result agreement(List<Label> labels, Map<String, Judgment> judged, Map<String, ConsultPair> pairs,
                                   Map<String, Map<Dimension, Integer>> scores) {
        List<Verdict> expert = new ArrayList<>(), rel = new ArrayList<>(), abs = new ArrayList<>();
        int matched = 0;
        for (Label l : labels) {
            ConsultPair p = pairs.get(l.pair());
            if (p == null) continue;
            matched++;
            expert.add(l.verdict());
            Judgment j = judged.get(l.pair());
            rel.add(j != null && j.ok() ? j.verdict(l.dimension()) : null);
            if (scores != null) {
                Map<Dimension, Integer> a = scores.get(p.caseId() + "|" + p.model()), b = scores.get(p.caseId() + "|" + p.baseline());
                if (a == null || b == null || p.turn() >= 0) abs.add(null);
                else {
                    int x = a.get(l.dimension()), y = b.get(l.dimension());
                    abs.add(x > y ? Verdict.A : x < y ? Verdict.B : Verdict.TIE);
                }
            }
        }
        List<Verdict> cats = List.of(Verdict.A, Verdict.TIE, Verdict.B);
        return new Result(labels.size(), matched, Agreement.of(expert, rel, cats), scores == null ? null : Agreement.of(expert, abs, cats));
    }
}
