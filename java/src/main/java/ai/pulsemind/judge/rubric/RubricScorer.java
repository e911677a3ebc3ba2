package ai.pulsemind.judge.rubric;

import ai.pulsemind.data.Conversation;
import ai.pulsemind.data.Fact;
import ai.pulsemind.data.MediRecord;
import ai.pulsemind.judge.Answer;
import ai.pulsemind.judge.Dimension;

import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Locale;

/**
 * Scores one answer on the four dimensions, each in [0, 1], from its text and the record (see the package
 * documentation for the rules and their weights). Deterministic; reads the record's facts, diagnosis, images and
 * language, never anything about the answer's origin.
 */
final class RubricScorer {
    /** Per dimension a score in [0, 1] and what it was made of. */
    record Assessment(EnumMap<Dimension, Double> score, EnumMap<Dimension, String> why) {
        double get(Dimension d) { return score.get(d); }
    }

    private RubricScorer() {}

    static Assessment assess(Conversation context, MediRecord record, Answer answer) {
        DiagnosisMatcher dx = record.diagnosis() == null ? null : new DiagnosisMatcher(record.diagnosis());
        Walk w = new Walk(context, record, answer, dx);
        List<String> said = w.sentences();
        boolean zh = record.language().equals("zh") || record.language().isEmpty() && Sentences.looksChinese(allText(context));
        boolean transcript = answer instanceof Answer.Transcript;
        DiagnosisMatcher.Conclusion c = dx == null ? null : dx.conclude(w.diagnosingTurn(dx));
        Steps steps = Steps.of(said);
        EnumMap<Dimension, Double> s = new EnumMap<>(Dimension.class);
        EnumMap<Dimension, String> why = new EnumMap<>(Dimension.class);
        proactiveness(w, s, why);
        accuracy(w, c, steps, said, transcript, s, why);
        usefulness(c, steps, transcript, s, why);
        language(w, zh, s, why);
        return new Assessment(s, why);
    }

    /** Key facts still unknown when the answer starts, asked for; the image asked for when one exists and was not shown. */
    private static void proactiveness(Walk w, EnumMap<Dimension, Double> s, EnumMap<Dimension, String> why) {
        int missing = 0, asked = 0;
        List<String> topics = new ArrayList<>();
        for (int i = 0; i < w.facts.size(); i++) {
            if (!w.isKey(i) || w.knownAtStart[i]) continue;
            missing++;
            if (w.askedByAnswer[i]) { asked++; topics.add(w.facts.get(i).topic()); }
        }
        double factPart, factWeight = 0.7, imageWeight = w.imageNeeded ? 0.3 : 0;
        String factWhy;
        if (w.facts.isEmpty()) { // no hidden facts recorded: count the questions asked before any diagnosis
            factPart = Math.min(1, w.questions / 3.0);
            factWhy = w.questions + " question(s) before a diagnosis";
        } else if (missing == 0) {
            factPart = 1;
            factWeight = imageWeight == 0 ? 1 : 0;
            factWhy = "no key fact left to ask";
        } else {
            factPart = (double) asked / missing;
            factWhy = "asks " + asked + "/" + missing + " missing key facts" + (topics.isEmpty() ? "" : " (" + String.join(", ", topics) + ")");
        }
        double score = (factWeight * factPart + imageWeight * (w.imageRequested ? 1 : 0)) / (factWeight + imageWeight);
        s.put(Dimension.PROACTIVENESS, score);
        why.put(Dimension.PROACTIVENESS, factWhy + (w.imageNeeded ? (w.imageRequested ? "; asks for the image" : "; never asks for the image") : ""));
    }

    private static void accuracy(Walk w, DiagnosisMatcher.Conclusion c, Steps steps, List<String> said, boolean transcript,
                                 EnumMap<Dimension, Double> s, EnumMap<Dimension, String> why) {
        List<String> notes = new ArrayList<>();
        double diag, evidence = 1, ruledOut = 0;
        if (c == null) { diag = 0.7; notes.add("no reference diagnosis"); }
        else {
            diag = switch (c.status()) {
                case CORRECT -> 1;
                case HEDGED -> 0.5;
                case WRONG -> 0;
                case NONE -> transcript ? 0.2 : 0.7; // a reply that names nothing has claimed nothing wrong
            };
            notes.add(switch (c.status()) {
                case CORRECT -> "names the diagnosis";
                case HEDGED -> "hedges between " + String.join(" and ", c.named());
                case WRONG -> "names a look-alike (" + String.join(", ", c.named()) + ")";
                case NONE -> "names no diagnosis";
            });
            if (c.status() == DiagnosisMatcher.Status.CORRECT && c.ruledOut() > 0) { ruledOut = 1; notes.add("rules out " + c.ruledOut() + " look-alike(s)"); }
            if (w.keyKnownAtDiagnosis >= 0) { // over-inference: concluding before the key facts and the image are in
                double facts = w.facts.isEmpty() ? 1 : w.keyKnownAtDiagnosis, image = !w.imageNeeded || w.imageSeenAtDiagnosis ? 1 : 0;
                evidence = c.status() == DiagnosisMatcher.Status.WRONG ? 0 : 0.4 * facts + 0.6 * image;
                notes.add(String.format(Locale.ROOT, "concludes knowing %.0f%% of key facts%s", 100 * facts,
                        image < 1 ? ", without the image" : ""));
            }
        }
        boolean overconfident = said.stream().anyMatch(Lexicon.OVERCONFIDENT::in);
        if (overconfident) notes.add("claims certainty");
        List<String> contradicted = contradictions(w, said);
        int contradictions = contradicted.size();
        if (contradictions > 0) notes.add("contradicts what the patient said (" + String.join("; ", contradicted) + ")");
        double score = 0.45 * diag + 0.15 * ruledOut + 0.2 * evidence + 0.1 * (steps.tests() > 0 ? 1 : 0)
                + (overconfident ? -0.1 : 0.1) - 0.25 * contradictions;
        s.put(Dimension.ACCURACY, clip(score));
        why.put(Dimension.ACCURACY, String.join("; ", notes));
    }

    /**
     * Doctor statements that deny a topic the patient affirmed: the patient's answer to a fact has no denial in it
     * ("I can't stand the heat and sweat a lot"), and the doctor says "you are not hot" or "no fever" about one of
     * its keywords. Returned as "topic: sentence"; readings of findings and questions are not statements about the
     * patient. Answers that deny something ("no fever between attacks") are left out: which part is denied is not
     * worked out.
     */
    static List<String> contradictions(Walk w, List<String> said) {
        List<String> out = new ArrayList<>();
        for (Fact f : w.facts) {
            if (Lexicon.DENIAL.in(f.answer())) continue;
            search:
            for (String k : f.keywords())
                for (String line : said) {
                    if (Sentences.isQuestion(line) || Lexicon.FINDING.in(line)) continue;
                    String l = line.toLowerCase(Locale.ROOT);
                    int at = Sentences.keyAt(l, k);
                    if (at >= 0 && denied(l, at)) { out.add(f.topic() + ": '" + line + "'"); break search; }
                }
        }
        return out;
    }

    private static boolean denied(String lower, int at) { return Lexicon.DENIAL.in(lower.substring(Math.max(0, at - 10), at)); }

    /** Concrete next steps (tests, treatment, warning signs), worth less when they follow a wrong or hedged diagnosis. */
    private static void usefulness(DiagnosisMatcher.Conclusion c, Steps st, boolean transcript,
                                   EnumMap<Dimension, Double> s, EnumMap<Dimension, String> why) {
        double steps = 0.35 * (st.tests() > 0 ? 1 : 0) + 0.4 * Math.min(1, st.treatments() / 2.0 + (st.treatments() > 0 ? 0.2 : 0))
                + 0.25 * (st.safetyNets() > 0 ? 1 : 0);
        double direction = c == null ? 1 : switch (c.status()) {
            case CORRECT -> 1;
            case HEDGED -> 0.6;
            case WRONG -> 0.25;
            case NONE -> transcript ? 0.5 : 0.8;
        };
        s.put(Dimension.USEFULNESS, clip(steps * direction));
        why.put(Dimension.USEFULNESS, st.tests() + " test, " + st.treatments() + " treatment, " + st.safetyNets() + " warning-sign sentence(s)"
                + (direction < 1 ? String.format(Locale.ROOT, "; ×%.2f for the diagnosis they follow", direction) : ""));
    }

    /** The patient's language, then fluency: capitalised, complete sentences, courtesy, no shorthand, no loops, not cut off. */
    private static void language(Walk w, boolean zh, EnumMap<Dimension, Double> s, EnumMap<Dimension, String> why) {
        List<String> said = w.sentences();
        StringBuilder all = new StringBuilder();
        for (Walk.DoctorTurn t : w.doctorTurns) all.append(t.text()).append('\n');
        double share = Sentences.cjkShare(all.toString());
        double match = zh ? Math.min(1, share / 0.6) : Math.min(1, Math.max(0, (0.5 - share) / 0.4));
        List<String> notes = new ArrayList<>();
        if (match < 1) notes.add(String.format(Locale.ROOT, "%.0f%% Chinese script for a %s patient", 100 * share, zh ? "Chinese" : "English"));
        int lower = 0, shortOnes = 0;
        for (String x : said) {
            if (!zh && Character.isLowerCase(x.codePointAt(0)) && Character.isLetter(x.codePointAt(0))) lower++;
            if (Sentences.length(x, zh) < (zh ? 5 : 3)) shortOnes++;
        }
        double n = Math.max(1, said.size()), penalty = 0;
        penalty += 0.45 * lower / n + 0.35 * shortOnes / n;
        if (lower > 0) notes.add(lower + "/" + said.size() + " sentences start in lower case");
        if (shortOnes > 0) notes.add(shortOnes + "/" + said.size() + " fragments");
        if (!Lexicon.POLITE.in(all.toString())) { penalty += 0.15; notes.add("no courtesy"); }
        int jargon = Lexicon.JARGON.count(all.toString());
        if (jargon > 0) { penalty += Math.min(0.3, 0.15 * jargon); notes.add(jargon + " shorthand term(s)"); }
        if (repeats(w)) { penalty += 0.3; notes.add("repeats itself"); }
        long cut = w.doctorTurns.stream().filter(t -> !Sentences.endsCleanly(t.text())).count();
        if (cut > 0) { penalty += 0.35; notes.add(cut + " turn(s) end mid-sentence"); }
        s.put(Dimension.LANGUAGE, clip(match * (0.3 + 0.7 * clip(1 - penalty))));
        why.put(Dimension.LANGUAGE, notes.isEmpty() ? "fluent, in the patient's language" : String.join("; ", notes));
    }

    /** A sentence said twice in one turn, or a word stuttered: signs of degenerate generation. */
    private static boolean repeats(Walk w) {
        for (Walk.DoctorTurn t : w.doctorTurns) {
            if (Sentences.hasStutter(t.text())) return true;
            List<String> seen = new ArrayList<>();
            for (String x : t.sentences()) {
                String k = Sentences.norm(x);
                if (k.length() >= 8 && seen.contains(k)) return true;
                seen.add(k);
            }
        }
        return false;
    }

    private static String allText(Conversation c) {
        StringBuilder sb = new StringBuilder();
        for (Conversation.Message m : c.messages()) sb.append(m.text()).append('\n');
        return sb.toString();
    }

    static double clip(double x) { return Math.max(0, Math.min(1, x)); }

    /** Sentences that are next steps; questions, findings, rule-outs, vague advice and refusals of tests are not. */
    record Steps(int tests, int treatments, int safetyNets) {
        static Steps of(List<String> sentences) {
            int t = 0, r = 0, f = 0;
            for (String x : sentences) {
                if (Sentences.isQuestion(x) || Lexicon.RULE_OUT.in(x) || Lexicon.FINDING.in(x) || Lexicon.VAGUE.in(x) || Lexicon.OVERCONFIDENT.in(x)) continue;
                if (Lexicon.TESTS.in(x) && (Lexicon.RECOMMEND.in(x) || x.contains(":") || x.contains("："))) t++;
                if (Lexicon.TREATMENT.in(x)) r++;
                if (Lexicon.SAFETY_NET.in(x)) f++;
            }
            return new Steps(t, r, f);
        }
    }
}
