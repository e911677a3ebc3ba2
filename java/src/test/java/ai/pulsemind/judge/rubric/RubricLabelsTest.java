package ai.pulsemind.judge.rubric;

import ai.pulsemind.data.Conversation;
import ai.pulsemind.data.Counterpart;
import ai.pulsemind.data.MediRecord;
import ai.pulsemind.data.Quality;
import ai.pulsemind.judge.Answer;
import ai.pulsemind.judge.Dimension;
import ai.pulsemind.judge.Reference;
import ai.pulsemind.judge.SynthSet;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Locale;

import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The rubric against the synthetic counterparts' labels, which it never reads: on whole consultations it should
 * order the reference and the five counterparts per dimension as their 1–5 labels do.
 */
class RubricLabelsTest {
    @TempDir static Path tmp;
    static List<MediRecord> recs;
    static Path root;

    /** Per dimension: counts over candidate pairs whose labels differ. */
    record Tally(int concordant, int discordant, int tied, int bigPairs, int bigDiscordant) {
        double gamma() { return (concordant - discordant) / (double) Math.max(1, concordant + discordant); }
        double discordantShare() { return discordant / (double) Math.max(1, concordant + discordant + tied); }
    }

    @BeforeAll
    static void data() {
        root = tmp.resolve("synth");
        recs = SynthSet.make(root, 160, 11, "both");
    }

    static EnumMap<Dimension, Tally> tally(List<MediRecord> records) {
        EnumMap<Dimension, int[]> c = new EnumMap<>(Dimension.class);
        for (Dimension d : Dimension.values()) c.put(d, new int[5]);
        for (MediRecord r : records) {
            Conversation ctx = Conversation.ofRecord(r, 1, root, null);
            Reference ref = Reference.ofRecord(r);
            List<EnumMap<Dimension, Double>> score = new ArrayList<>();
            List<int[]> label = new ArrayList<>();
            score.add(RubricJudge.raw(ctx, ref, new Answer.Transcript(r.turns())));
            label.add(new int[] {5, 5, 5, 5});
            for (Counterpart cp : r.counterparts()) {
                score.add(RubricJudge.raw(ctx, ref, new Answer.Transcript(cp.turns())));
                Quality q = cp.quality();
                label.add(new int[] {q.proactiveness(), q.accuracy(), q.usefulness(), q.language()});
            }
            for (int i = 0; i < score.size(); i++)
                for (int j = i + 1; j < score.size(); j++)
                    for (Dimension d : Dimension.values()) {
                        int dl = label.get(i)[d.ordinal()] - label.get(j)[d.ordinal()];
                        if (dl == 0) continue;
                        double ds = score.get(i).get(d) - score.get(j).get(d);
                        int[] t = c.get(d);
                        boolean tie = Math.abs(ds) < RubricJudge.TIE_MARGIN, agree = !tie && (ds > 0) == (dl > 0);
                        t[tie ? 2 : agree ? 0 : 1]++;
                        if (Math.abs(dl) >= 2) { t[3]++; if (!tie && !agree) t[4]++; }
                    }
        }
        EnumMap<Dimension, Tally> out = new EnumMap<>(Dimension.class);
        c.forEach((d, t) -> out.put(d, new Tally(t[0], t[1], t[2], t[3], t[4])));
        return out;
    }

    @Test
    void ordersTheCounterpartsAsTheirLabelsDo() {
        for (String lang : List.of("en", "zh")) {
            List<MediRecord> part = recs.stream().filter(r -> r.language().equals(lang)).toList();
            EnumMap<Dimension, Tally> t = tally(part);
            t.forEach((d, x) -> System.out.printf(Locale.ROOT, "rubric vs labels [%s] %-13s concordant %4d discordant %4d tied %4d  gamma %.2f; |Δ|≥2: %d pairs, %d reversed%n",
                    lang, d.key(), x.concordant(), x.discordant(), x.tied(), x.gamma(), x.bigPairs(), x.bigDiscordant()));
            for (Dimension d : Dimension.values()) {
                Tally x = t.get(d);
                assertTrue(x.gamma() >= 0.85, lang + " " + d.key() + ": Goodman–Kruskal gamma " + x.gamma() + " < 0.85 (" + x + ")");
                assertTrue(x.bigDiscordant() <= 0.01 * x.bigPairs(), lang + " " + d.key() + ": pairs two or more grades apart reversed: " + x);
            }
        }
    }
}
