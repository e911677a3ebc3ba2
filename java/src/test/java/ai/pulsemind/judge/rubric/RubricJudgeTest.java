package ai.pulsemind.judge.rubric;

import ai.pulsemind.data.Conversation;
import ai.pulsemind.data.Counterpart;
import ai.pulsemind.data.MediRecord;
import ai.pulsemind.data.Quality;
import ai.pulsemind.judge.Answer;
import ai.pulsemind.judge.Dimension;
import ai.pulsemind.judge.JudgeRequest;
import ai.pulsemind.judge.Outcome;
import ai.pulsemind.judge.Reference;
import ai.pulsemind.judge.ScoreRequest;
import ai.pulsemind.judge.Scores;
import ai.pulsemind.judge.SynthSet;
import ai.pulsemind.judge.Verdict;
import ai.pulsemind.judge.Verdicts;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The rubric's rules one at a time, on single replies and whole consultations of the shipped sample. */
class RubricJudgeTest {
    static Path root;
    static MediRecord en, zh; // en: Graves' disease, image asked for; zh: breast cyst, image in the opening
    static final RubricJudge judge = new RubricJudge();

    @BeforeAll
    static void load() throws IOException {
        root = SynthSet.mini();
        List<MediRecord> recs = SynthSet.read(root);
        en = recs.get(0);
        zh = recs.get(1);
        assertEquals("en", en.language());
        assertEquals("zh", zh.language());
    }

    static Verdicts compare(MediRecord r, int prefix, String a, String b) {
        JudgeRequest req = new JudgeRequest("t", Conversation.ofRecord(r, prefix, root, null), Reference.ofRecord(r), new Answer.Reply(a), new Answer.Reply(b));
        Outcome<Verdicts> o = judge.compare(req);
        assertTrue(o.isOk(), o.toString());
        return ((Outcome.Ok<Verdicts>) o).value();
    }

    static String turn(MediRecord r, int i) { return r.turns().get(i).text(); }

    @Test
    void askingForMissingKeyFactsIsProactive() {
        Verdicts v = compare(en, 1, turn(en, 1), "You have Graves' disease. Start carbimazole daily.");
        assertEquals(Verdict.A, v.get(Dimension.PROACTIVENESS), v.rationale(Dimension.PROACTIVENESS));
        // the same question when the patient has already answered it is no longer proactive: nothing is missing
        Verdicts later = compare(en, 7, "Do you feel unusually hot or cold?", "Thank you.");
        assertEquals(Verdict.TIE, later.get(Dimension.PROACTIVENESS), later.rationale(Dimension.PROACTIVENESS));
    }

    @Test
    void askingForTheImageCounts() {
        Verdicts v = compare(en, 5, "Could you please upload the lab report?", "Thank you for the details.");
        assertEquals(Verdict.A, v.get(Dimension.PROACTIVENESS), v.rationale(Dimension.PROACTIVENESS));
    }

    @Test
    void namingALookAlikeIsInaccurateAndLessUseful() {
        String right = turn(en, 7);
        String wrong = right.replace("the most likely diagnosis is Graves' disease (hyperthyroidism)", "the most likely diagnosis is Hashimoto's thyroiditis (hypothyroidism)")
                .replace("Hashimoto's thyroiditis (hypothyroidism) is less likely", "Graves' disease (hyperthyroidism) is less likely");
        assertFalse(wrong.equals(right));
        Verdicts v = compare(en, 7, right, wrong);
        assertEquals(Verdict.A, v.get(Dimension.ACCURACY), v.rationale(Dimension.ACCURACY));
        assertEquals(Verdict.A, v.get(Dimension.USEFULNESS), v.rationale(Dimension.USEFULNESS));
        assertEquals(Verdict.TIE, v.get(Dimension.LANGUAGE), v.rationale(Dimension.LANGUAGE));
    }

    @Test
    void overConfidentClaimsAndHedgingLoseAccuracy() {
        Verdicts v = compare(en, 7, turn(en, 7), "This is definitely Graves' disease (hyperthyroidism); there is nothing else it could be. No further tests are needed.");
        assertEquals(Verdict.A, v.get(Dimension.ACCURACY), v.rationale(Dimension.ACCURACY));
        Verdicts h = compare(en, 7, turn(en, 7), "It could be Graves' disease (hyperthyroidism) or Hashimoto's thyroiditis (hypothyroidism); it is hard to say which.");
        assertEquals(Verdict.A, h.get(Dimension.ACCURACY), h.rationale(Dimension.ACCURACY));
    }

    @Test
    void contradictingThePatientLosesAccuracy() {
        // the patient said "I can't stand the heat and sweat a lot"; the doctor says the opposite
        Verdicts v = compare(en, 7, turn(en, 7), turn(en, 7) + " As you are not hot or tired, this is mild.");
        assertEquals(Verdict.A, v.get(Dimension.ACCURACY), v.rationale(Dimension.ACCURACY));
        assertTrue(v.rationale(Dimension.ACCURACY).contains("contradicts"), v.rationale(Dimension.ACCURACY));
    }

    @Test
    void concreteNextStepsAreUseful() {
        Verdicts v = compare(en, 9, turn(en, 9), "Just rest, drink plenty of water and see a doctor if it doesn't get better.");
        assertEquals(Verdict.A, v.get(Dimension.USEFULNESS), v.rationale(Dimension.USEFULNESS));
        Verdicts z = compare(zh, 9, turn(zh, 9), "多休息、多喝水，不好的话再去医院看看。");
        assertEquals(Verdict.A, z.get(Dimension.USEFULNESS), z.rationale(Dimension.USEFULNESS));
    }

    @Test
    void thePatientsLanguageFluentAndWhole() {
        Verdicts lang = compare(zh, 9, turn(zh, 9), turn(en, 9));
        assertEquals(Verdict.A, lang.get(Dimension.LANGUAGE), lang.rationale(Dimension.LANGUAGE));
        Verdicts english = compare(en, 9, turn(en, 9), turn(zh, 9));
        assertEquals(Verdict.A, english.get(Dimension.LANGUAGE), english.rationale(Dimension.LANGUAGE));
        String full = turn(en, 9);
        Verdicts cut = compare(en, 9, full, full.substring(0, full.length() - 25));
        assertEquals(Verdict.A, cut.get(Dimension.LANGUAGE), cut.rationale(Dimension.LANGUAGE));
        Verdicts loop = compare(en, 9, full, full + " " + full.substring(0, full.indexOf('.') + 1) + " very very very important.");
        assertEquals(Verdict.A, loop.get(Dimension.LANGUAGE), loop.rationale(Dimension.LANGUAGE));
        Verdicts curt = compare(en, 9, full, "ok. take carbimazole. that's it.");
        assertEquals(Verdict.A, curt.get(Dimension.LANGUAGE), curt.rationale(Dimension.LANGUAGE));
        Verdicts zcurt = compare(zh, 9, turn(zh, 9), "嗯。穿内衣。就这样。");
        assertEquals(Verdict.A, zcurt.get(Dimension.LANGUAGE), zcurt.rationale(Dimension.LANGUAGE));
    }

    @Test
    void symmetricInTheOrderShown() {
        JudgeRequest r = new JudgeRequest("s", Conversation.ofRecord(en, 1, root, null), Reference.ofRecord(en),
                new Answer.Transcript(en.turns()), new Answer.Transcript(en.counterparts().get(1).turns()));
        Verdicts ab = ((Outcome.Ok<Verdicts>) judge.compare(r)).value(), ba = ((Outcome.Ok<Verdicts>) judge.compare(r.swapped())).value();
        assertEquals(ab.verdicts(), ba.flip().verdicts());
    }

    @Test
    void absoluteScoresFollowTheRubric() {
        Conversation ctx = Conversation.ofRecord(en, 1, root, null);
        Scores ref = ((Outcome.Ok<Scores>) judge.score(new ScoreRequest("r", ctx, Reference.ofRecord(en), new Answer.Transcript(en.turns())))).value();
        for (Dimension d : Dimension.values()) assertTrue(ref.get(d) >= 4, d + ": " + ref.get(d) + " " + ref.rationale(d));
        for (Counterpart cp : en.counterparts()) {
            Scores s = ((Outcome.Ok<Scores>) judge.score(new ScoreRequest("c", ctx, Reference.ofRecord(en), new Answer.Transcript(cp.turns())))).value();
            for (Dimension d : Dimension.values())
                if (cp.quality().score(d.key()) <= 2) assertTrue(s.get(d) < ref.get(d), cp.quality() + " " + d + ": " + s.get(d) + " " + s.rationale(d));
        }
    }

    @Test
    void withoutARecordItFailsAsData() {
        JudgeRequest r = new JudgeRequest("x", Conversation.EMPTY, Reference.ofText("take paracetamol"), new Answer.Reply("a"), new Answer.Reply("b"));
        Outcome<Verdicts> o = judge.compare(r);
        assertTrue(o instanceof Outcome.Failed<Verdicts> f && f.reason().contains("reference record"), o.toString());
    }

    /** The labels are what the rubric is tested against: permuting or dropping them changes nothing it says. */
    @Test
    void neverReadsTheLabels() throws IOException {
        List<Counterpart> cps = en.counterparts(), permuted = new ArrayList<>();
        for (int i = 0; i < cps.size(); i++) {
            Quality q = cps.get((i + 1) % cps.size()).quality();
            permuted.add(new Counterpart(cps.get(i).model(), cps.get(i).turns(), new Quality(q.proactiveness(), q.accuracy(), q.usefulness(), q.language(), q.overall(), List.of("wrong_diagnosis"))));
        }
        MediRecord relabelled = en.toBuilder().counterparts(permuted).build();
        Conversation ctx = Conversation.ofRecord(en, 1, root, null);
        for (Counterpart cp : cps) {
            Answer a = new Answer.Transcript(en.turns()), b = new Answer.Transcript(cp.turns());
            var x = judge.compare(new JudgeRequest("l", ctx, Reference.ofRecord(en), a, b));
            var y = judge.compare(new JudgeRequest("l", ctx, new Reference(null, relabelled), a, b));
            assertEquals(x, y);
        }
        assertTrue(Reference.ofRecord(en).record().counterparts().isEmpty(), "references carry no counterparts");
        // and the rubric's code names neither the label type nor the flaw names
        Path src = Path.of("src/main/java/ai/pulsemind/judge/rubric");
        assertTrue(Files.isDirectory(src), "run from the java module: " + src.toAbsolutePath());
        try (Stream<Path> files = Files.list(src)) {
            for (Path f : files.toList()) {
                String code = Files.readString(f);
                for (String banned : List.of("Quality", "quality()", "flaws", "counterparts()", "wrong_diagnosis", "skips_key_questions", "poor_language"))
                    assertFalse(code.contains(banned), f + " mentions " + banned);
            }
        }
    }
}
