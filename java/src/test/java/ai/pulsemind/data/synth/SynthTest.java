package ai.pulsemind.data.synth;

import ai.pulsemind.data.Counterpart;
import ai.pulsemind.data.DatasetCard;
import ai.pulsemind.data.DatasetPaths;
import ai.pulsemind.data.DatasetValidator;
import ai.pulsemind.data.DatasetWriter;
import ai.pulsemind.data.Fact;
import ai.pulsemind.data.MediRecord;
import ai.pulsemind.data.Modality;
import ai.pulsemind.data.Progress;
import ai.pulsemind.data.Quality;
import ai.pulsemind.data.Records;
import ai.pulsemind.data.Role;
import ai.pulsemind.data.Turn;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.*;

/** The synthetic generator: valid, deterministic, hidden facts only on request, labelled counterparts, clean splits. */
class SynthTest {
    static KnowledgeBase kb;
    @TempDir static Path tmp;
    static Path out;
    static List<MediRecord> recs;

    @BeforeAll
    static void generate() throws IOException {
        kb = KnowledgeBase.bundled();
        out = tmp.resolve("a");
        write(out, new SynthOptions(80, 7, "both", 2, 5));
        recs = new ArrayList<>();
        for (Path s : DatasetPaths.shards(out))
            for (String l : Files.readAllLines(s)) recs.add(Records.MAPPER.readValue(l, MediRecord.class));
    }

    static void write(Path dir, SynthOptions opt) throws IOException {
        try (DatasetWriter w = new DatasetWriter(dir, new DatasetWriter.Options(50, false), new DatasetCard())) {
            SynthGenerator.generate(kb, opt, w, Progress.NONE);
        }
    }

    @Test
    void knowledgeBaseMeetsItsSize() {
        assertTrue(kb.conditions().size() >= 60, "conditions: " + kb.conditions().size());
        assertTrue(kb.departments().size() >= 10, "departments: " + kb.departments().size());
        assertTrue(kb.subspecialtyCount() >= 30, "sub-specialties: " + kb.subspecialtyCount());
        Set<String> modalities = new HashSet<>();
        for (Condition c : kb.conditions()) {
            modalities.add(c.modality());
            assertFalse(c.differentials().isEmpty(), c.id() + " has no look-alikes");
            assertFalse(c.findings().isEmpty(), c.id() + " has no exam/lab findings");
        }
        assertTrue(modalities.size() >= 5, "modalities: " + modalities);
    }

    @Test
    void outputValidatesWithImagesDecoding() throws IOException {
        List<String> errs = new ArrayList<>();
        var r = DatasetValidator.validate(out, DatasetValidator.Options.defaults(), e -> errs.add(e.getMessage()), Progress.NONE);
        assertTrue(r.ok(), String.join("\n", errs));
        assertEquals(80, r.records());
        assertEquals(2, DatasetPaths.shards(out).size(), "shards of 50 records");
    }

    @Test
    void sameSeedSameBytesWhateverTheThreads() throws IOException {
        Path b = tmp.resolve("b");
        write(b, new SynthOptions(80, 7, "both", 1, 5));
        assertEquals(digest(out), digest(b));
        Path c = tmp.resolve("c");
        write(c, new SynthOptions(20, 8, "both", 2, 5));
        assertNotEquals(digest(out).get("data-00000.jsonl"), digest(c).get("data-00000.jsonl"), "another seed, other data");
    }

    /** Digest of every shard and image (the card holds the command line and is left out). */
    static Map<String, String> digest(Path dir) throws IOException {
        Map<String, String> m = new TreeMap<>();
        try (Stream<Path> s = Files.walk(dir)) {
            for (Path p : s.filter(Files::isRegularFile).toList()) {
                String rel = dir.relativize(p).toString();
                if (rel.endsWith(".jsonl") || rel.endsWith(".png")) m.put(rel, sha(Files.readAllBytes(p)));
            }
        }
        return m;
    }

    static String sha(byte[] b) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(b));
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new AssertionError(e);
        }
    }

    /**
     * The first message holds no hidden fact, and in every transcript (reference and counterparts) a fact's answer
     * appears only right after a doctor turn that asks about its topic.
     */
    @Test
    void hiddenFactsAreRevealedOnlyWhenAsked() {
        int revealed = 0;
        for (MediRecord r : recs) {
            for (Fact f : r.facts()) assertFalse(r.turns().getFirst().text().contains(f.answer()), r.id() + ": first message gives away " + f.topic());
            List<List<Turn>> transcripts = new ArrayList<>();
            transcripts.add(r.turns());
            r.counterparts().forEach(c -> transcripts.add(c.turns()));
            for (List<Turn> ts : transcripts)
                for (int i = 1; i < ts.size(); i++) {
                    Turn t = ts.get(i);
                    if (t.role() != Role.PATIENT) continue;
                    String asked = ts.get(i - 1).text().toLowerCase(Locale.ROOT);
                    for (Fact f : r.facts()) {
                        if (!t.text().contains(f.answer())) continue;
                        revealed++;
                        assertTrue(f.keywords().stream().anyMatch(asked::contains),
                                r.id() + ": '" + f.topic() + "' answered but the doctor asked: " + asked);
                    }
                }
        }
        assertTrue(revealed > recs.size(), "facts were revealed " + revealed + " times");
    }

    @Test
    void referenceAsksEveryKeyQuestionAndShowsTheImage() {
        for (MediRecord r : recs) {
            String doctor = String.join(" ", r.turns().stream().filter(t -> t.role() == Role.DOCTOR).map(Turn::text).toList()).toLowerCase(Locale.ROOT);
            for (Fact f : r.facts())
                if (f.key()) assertTrue(f.keywords().stream().anyMatch(doctor::contains), r.id() + ": reference never asks about " + f.topic());
            assertTrue(r.turns().stream().anyMatch(t -> t.images().contains("img1")), r.id() + ": primary image never shown");
            assertTrue(doctor.contains(r.diagnosis().name().toLowerCase(Locale.ROOT)), r.id() + ": reference never names the diagnosis");
        }
    }

    @Test
    void fiveLabelledCounterpartsWorseThanTheReference() {
        Map<String, Integer> flaws = new HashMap<>();
        for (MediRecord r : recs) {
            assertEquals(5, r.counterparts().size());
            Set<String> main = new HashSet<>();
            for (Counterpart c : r.counterparts()) {
                Quality q = c.quality();
                assertNotNull(q);
                assertFalse(q.flaws().isEmpty());
                assertTrue(main.add(q.flaws().getFirst()), r.id() + ": two counterparts with the same main flaw");
                assertTrue(Quality.DIMENSIONS.stream().anyMatch(d -> q.score(d) < 5), r.id() + ": counterpart as good as the reference");
                q.flaws().forEach(f -> flaws.merge(f, 1, Integer::sum));
                assertNotEquals(r.turns(), c.turns());
            }
        }
        assertEquals(Flaw.values().length, flaws.size(), "every flaw kind occurs: " + flaws);
    }

    @Test
    void splitsShareNoTemplateAndAllOccur() throws IOException {
        Map<String, String> splitOf = new HashMap<>();
        Map<String, Integer> count = new TreeMap<>();
        for (MediRecord r : recs) {
            String tpl = (String) r.meta().get("template");
            String prev = splitOf.putIfAbsent(tpl, r.split());
            assertTrue(prev == null || prev.equals(r.split()), "template " + tpl + " in " + prev + " and " + r.split());
            assertEquals(Splits.of(tpl), r.split());
            count.merge(r.split(), 1, Integer::sum);
        }
        assertEquals(Set.of("train", "val", "test"), count.keySet(), count.toString());
        // Over all templates the kb can make, the split is about 80/10/10.
        int[] n = new int[3];
        for (Condition c : kb.conditions())
            for (int k = 0; k < c.complaints().size(); k++)
                for (int o = 0; o < 4; o++) n[List.of("train", "val", "test").indexOf(Splits.of(c.id() + "/" + k + "/" + o))]++;
        double total = n[0] + n[1] + n[2];
        assertTrue(Math.abs(n[0] / total - 0.8) < 0.06 && n[2] / total > 0.05, "template split " + java.util.Arrays.toString(n));
    }

    @Test
    void bothLanguagesAndManyDepartmentsAndModalities() {
        Set<String> langs = new HashSet<>(), modalities = new HashSet<>(), depts = new HashSet<>();
        int sixToTen = 0;
        for (MediRecord r : recs) {
            langs.add(r.language());
            depts.add(r.diagnosis().code() == null ? "" : kb.condition(r.diagnosis().code()).department());
            r.images().forEach(i -> modalities.add(i.modality()));
            if (r.language().equals("zh")) assertTrue(r.turns().getFirst().text().codePoints().anyMatch(cp -> Character.UnicodeScript.of(cp) == Character.UnicodeScript.HAN));
            if (r.turns().size() >= 6 && r.turns().size() <= 10) sixToTen++;
        }
        assertEquals(Set.of("en", "zh"), langs);
        assertTrue(depts.size() >= 10, "departments in 80 cases: " + depts);
        assertTrue(modalities.size() >= 8 && modalities.contains(Modality.LAB_REPORT), "modalities: " + modalities);
        assertTrue(sixToTen > recs.size() / 4, "6-10 turn dialogues: " + sixToTen + " of " + recs.size());
    }

    @Test
    void aBrokenKnowledgeBaseNamesFileAndCondition(@TempDir Path kbDir) throws IOException {
        Path src = Path.of("..", "datasets", "knowledge");
        try (Stream<Path> s = Files.list(src)) {
            for (Path p : s.toList()) Files.copy(p, kbDir.resolve(p.getFileName()));
        }
        Path derm = kbDir.resolve("dermatology.json");
        Files.writeString(derm, Files.readString(derm).replace("\"border\": \"notched\"", "\"bordr\": \"notched\""));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> KnowledgeBase.fromDirectory(kbDir));
        assertTrue(e.getMessage().contains("dermatology.json: melanoma") && e.getMessage().contains("bordr"), e.getMessage());
    }
}
