package ai.pulsemind.judge.rubric;

import ai.pulsemind.data.Conversation;
import ai.pulsemind.data.Fact;
import ai.pulsemind.data.MediRecord;
import ai.pulsemind.data.Role;
import ai.pulsemind.data.Turn;
import ai.pulsemind.judge.Answer;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * One pass over a consultation as the rubric reads it: the context, then the answer, keeping track of which hidden
 * facts are known (the patient said them, or a doctor asked about them), whether an image has been shown, and what
 * the answer's doctor said. A fact counts as asked when a doctor's question names one of its keywords, or when the
 * patient's turn inside the answer says it (in a transcript the patient answers only what was asked).
 */
final class Walk {
    /** A doctor turn of the answer and its sentences. */
    record DoctorTurn(String text, List<String> sentences) {}

    private record Seg(boolean doctor, String text, boolean images) {}

    final List<Fact> facts;
    final boolean[] knownAtStart, askedByAnswer;
    final boolean imageNeeded;
    /** Whether the image and how many key facts were known when the answer first named a diagnosis (-1: never). */
    boolean imageSeenAtDiagnosis;
    double keyKnownAtDiagnosis = -1;
    boolean imageRequested;
    int questions;
    final List<DoctorTurn> doctorTurns = new ArrayList<>();

    private final boolean[] known;
    private boolean imageSeen;

    Walk(Conversation context, MediRecord record, Answer answer, DiagnosisMatcher diagnoses) {
        this.facts = record.facts();
        this.known = new boolean[facts.size()];
        this.askedByAnswer = new boolean[facts.size()];
        List<Seg> ctx = context(context), ans = answer(answer);
        dropEcho(ctx, ans);
        for (Seg s : ctx) {
            if (s.doctor) for (String q : Sentences.split(s.text)) { if (Sentences.isQuestion(q)) markAsked(q, known); }
            else reveal(s);
        }
        knownAtStart = known.clone();
        imageNeeded = !record.images().isEmpty() && !imageSeen;
        for (Seg s : ans) {
            if (!s.doctor) {
                boolean[] before = known.clone();
                reveal(s);
                for (int i = 0; i < known.length; i++) if (known[i] && !before[i]) askedByAnswer[i] = true;
                continue;
            }
            List<String> sentences = Sentences.split(s.text);
            doctorTurns.add(new DoctorTurn(s.text, sentences));
            if (keyKnownAtDiagnosis < 0 && diagnoses != null && sentences.stream().anyMatch(diagnoses::asserts)) {
                keyKnownAtDiagnosis = keyShare(known);
                imageSeenAtDiagnosis = imageSeen;
            }
            for (String q : sentences) {
                boolean question = Sentences.isQuestion(q);
                if (question && (keyKnownAtDiagnosis < 0)) questions++;
                if (question) markAsked(q, askedByAnswer);
                if (imageNeeded && !imageSeen && Lexicon.SHOW_REQUEST.in(q) && Lexicon.IMAGE_NOUN.in(q)) imageRequested = true;
            }
            for (int i = 0; i < known.length; i++) known[i] |= askedByAnswer[i];
        }
    }

    /** Every sentence the answer's doctor said, in order. */
    List<String> sentences() {
        List<String> out = new ArrayList<>();
        for (DoctorTurn t : doctorTurns) out.addAll(t.sentences());
        return out;
    }

    /**
     * The sentences of the answer's first doctor turn that asserts a diagnosis (the conclusion; later mentions, such
     * as "stroke risk is managed as for atrial fibrillation", are not a change of mind), or every sentence when no
     * turn asserts one.
     */
    List<String> diagnosingTurn(DiagnosisMatcher dx) {
        for (DoctorTurn t : doctorTurns) if (t.sentences().stream().anyMatch(dx::asserts)) return t.sentences();
        return sentences();
    }

    /** Share of the key facts (all facts when none is marked key) that {@code k} holds. */
    double keyShare(boolean[] k) {
        int n = 0, have = 0;
        boolean anyKey = facts.stream().anyMatch(Fact::key);
        for (int i = 0; i < facts.size(); i++)
            if (facts.get(i).key() || !anyKey) { n++; if (k[i]) have++; }
        return n == 0 ? 1 : (double) have / n;
    }

    boolean isKey(int i) { return facts.get(i).key() || facts.stream().noneMatch(Fact::key); }

    private void markAsked(String question, boolean[] into) {
        String q = question.toLowerCase(Locale.ROOT);
        for (int i = 0; i < facts.size(); i++)
            if (!known[i]) for (String k : facts.get(i).keywords()) if (Sentences.hasKey(q, k)) { into[i] = true; break; }
    }

    private void reveal(Seg s) {
        imageSeen |= s.images;
        String t = Sentences.norm(s.text);
        for (int i = 0; i < facts.size(); i++) {
            String a = Sentences.norm(facts.get(i).answer());
            if (!a.isEmpty() && t.contains(a)) known[i] = true;
        }
    }

    private static List<Seg> context(Conversation c) {
        List<Seg> out = new ArrayList<>();
        for (Conversation.Message m : c.messages()) {
            if (m.speaker() == Conversation.Speaker.SYSTEM) continue;
            out.add(new Seg(m.speaker() == Conversation.Speaker.ASSISTANT, m.text(), !m.images().isEmpty()));
        }
        return out;
    }

    private static List<Seg> answer(Answer a) {
        List<Seg> out = new ArrayList<>();
        switch (a) {
            case Answer.Reply r -> out.add(new Seg(true, r.text(), false));
            case Answer.Transcript t -> {
                for (Turn turn : t.turns()) out.add(new Seg(turn.role() == Role.DOCTOR, turn.text(), !turn.images().isEmpty()));
            }
        }
        return out;
    }

    /** A transcript that repeats the context's last turns (the patient's opening) starts after them. */
    private static void dropEcho(List<Seg> ctx, List<Seg> ans) {
        for (int k = Math.min(ctx.size(), ans.size() - 1); k >= 1; k--) {
            if (ctx.subList(ctx.size() - k, ctx.size()).equals(ans.subList(0, k))) {
                ans.subList(0, k).clear();
                return;
            }
        }
    }
}
