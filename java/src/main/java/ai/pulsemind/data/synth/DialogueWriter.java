package ai.pulsemind.data.synth;

import ai.pulsemind.data.Turn;
import com.fasterxml.jackson.databind.JsonNode;

import java.util.ArrayList;
import java.util.List;

import static ai.pulsemind.data.synth.Phrases.cap;
import static ai.pulsemind.data.synth.Phrases.end;
import static ai.pulsemind.data.synth.Phrases.t;

/**
 * Writes one consultation for a case in a given {@link Style}. The patient opens with an incomplete complaint;
 * a hidden fact is said only in answer to a question about its topic; the image is sent with the first message or
 * when the doctor asks for it. The reference style asks every key question, reads the image, names the diagnosis
 * against its look-alikes, recommends tests, advises and warns; each {@link Flaw} bends one of those steps.
 */
final class DialogueWriter {
    private final KnowledgeBase kb;
    private final CasePlan p;
    private final Style s;
    private final String lang;
    private final List<Turn> turns = new ArrayList<>();
    private boolean imageSent, labSent;

    private DialogueWriter(KnowledgeBase kb, CasePlan p, Style s) {
        this.kb = kb;
        this.p = p;
        this.s = s;
        this.lang = p.lang();
    }

    static List<Turn> write(KnowledgeBase kb, CasePlan p, Style s) {
        DialogueWriter w = new DialogueWriter(kb, p, s);
        w.run();
        return w.turns;
    }

    private void run() {
        Condition c = p.condition();
        String opening = Phrases.opening(p, c.complaints().get(p.complaint()).in(lang));
        if (p.earlyImage()) { patient(opening, CasePlan.PRIMARY); imageSent = true; }
        else patient(opening);
        askHistory();
        if (s.asksForImage() && (!imageSent || (p.hasLabImage() && !labSent))) requestImages();
        doctor(diagnosis());
        patient(Phrases.concern(p));
        doctor(advice());
        if (p.closing()) {
            patient(t(lang, "Thank you, doctor.", "谢谢医生。"));
            doctor(s.poor() ? t(lang, "ok.", "嗯。") : t(lang, "You're welcome. I hope you feel better soon; get in touch if anything changes.",
                    "不客气，祝您早日康复，有变化随时联系。"));
        }
    }

    private void askHistory() {
        int n = s.questionsToAsk(p.facts().size());
        List<Condition.Fact> ask = p.facts().subList(0, Math.min(n, p.facts().size()));
        for (int i = 0; i < ask.size(); i += p.perRound()) {
            List<Condition.Fact> round = ask.subList(i, Math.min(ask.size(), i + p.perRound()));
            StringBuilder q = new StringBuilder();
            if (!s.poor()) q.append(i == 0 ? t(lang, "Thanks for getting in touch. To work out what is going on I need to ask a few things. ",
                    "谢谢您的描述。为了判断清楚，我需要先了解几个情况。") : t(lang, "Thank you, that helps. ", "好的，这很有帮助。"));
            StringBuilder a = new StringBuilder();
            for (Condition.Fact f : round) {
                KnowledgeBase.Topic topic = kb.topic(f.topic());
                q.append(s.poor() ? topic.keywords(lang).getFirst() + t(lang, "? ", "？") : topic.question().in(lang) + t(lang, " ", ""));
                a.append(f.answer().in(lang)).append(t(lang, " ", ""));
            }
            doctor(q.toString().strip());
            patient(a.toString().strip());
        }
    }

    private void requestImages() {
        String noun = Phrases.modalityNoun(p.condition().modality(), lang);
        boolean wantPrimary = !imageSent, wantLab = p.hasLabImage() && !labSent;
        String what = wantPrimary && wantLab ? t(lang, "the " + noun + " and your latest blood test report", noun + "和最近的化验单")
                : wantPrimary ? t(lang, "the " + noun, noun) : t(lang, "your latest blood test report", "最近的化验单");
        doctor(s.poor() ? t(lang, "send " + what + ".", "发" + what + "。")
                : t(lang, "Could you please upload " + what + "? It will help me see what is going on.", "麻烦您把" + what + "发给我看一下，这对判断很重要。"));
        List<String> ims = new ArrayList<>();
        if (wantPrimary) ims.add(CasePlan.PRIMARY);
        if (wantLab) ims.add(CasePlan.LAB);
        patient(t(lang, "Here it is.", "好的，发给您了。"), ims.toArray(String[]::new));
        imageSent = true;
        labSent |= wantLab;
    }

    private String diagnosis() {
        Condition c = p.condition();
        boolean sees = s.readsImage() && imageSent;
        Condition named = s.has(Flaw.WRONG_DIAGNOSIS) ? p.wrongDiff() : c;
        String noun = Phrases.modalityNoun(c.modality(), lang);
        StringBuilder b = new StringBuilder();
        if (s.poor()) {
            b.append(t(lang, "dx: ", "诊断：")).append(named.name().in(lang).toLowerCase(java.util.Locale.ROOT)).append(t(lang, ". ", "。"));
            if (s.recommendsTests()) b.append(t(lang, "do ", "做")).append(c.tests().getFirst().in(lang)).append(t(lang, ".", "。"));
            return b.toString();
        }
        if (sees) b.append(t(lang, "Thank you. On the " + noun + " I can see " + named.visual().en() + ". ", "谢谢。从" + noun + "上可以看到" + named.visual().zh() + "。"));
        if (sees && labSent && c.labs() != null) b.append(labReading(c.labs()));
        boolean hedge = s.has(Flaw.IGNORES_IMAGE) || (s.has(Flaw.SKIPS_KEY_QUESTIONS) && !sees);
        if (hedge) {
            b.append(t(lang, "From what you describe, it could be " + c.name().en() + " or " + p.wrongDiff().name().en() + "; it is hard to say which. ",
                    "根据您的描述，可能是" + c.name().zh() + "，也可能是" + p.wrongDiff().name().zh() + "，不好说是哪一个。"));
        } else if (s.has(Flaw.OVERCONFIDENT)) {
            b.append(t(lang, "This is definitely " + named.name().en() + "; there is nothing else it could be. ", "这肯定是" + named.name().zh() + "，不可能是别的。"));
        } else {
            String basis = s.questionsToAsk(p.facts().size()) > 0 ? t(lang, "Together with the history you gave, ", "结合您提供的病史，") : "";
            b.append(basis.isEmpty() ? t(lang, "The most likely diagnosis is ", "最可能的诊断是")
                    : basis + t(lang, "the most likely diagnosis is ", "最可能的诊断是")).append(named.name().in(lang)).append(t(lang, ". ", "。"));
        }
        if (s.namesDifferentials() && !hedge) {
            for (Condition d : p.differentials()) {
                if (d == named) continue;
                b.append(t(lang, cap(d.name().en()) + " is less likely, because it would usually show " + d.visual().en() + ". ",
                        d.name().zh() + "的可能性较小，因为它通常表现为" + d.visual().zh() + "。"));
            }
            if (named != c) b.append(t(lang, cap(c.name().en()) + " is less likely. ", c.name().zh() + "的可能性较小。"));
        }
        if (s.recommendsTests()) {
            List<String> tests = named.tests().stream().map(x -> x.in(lang)).toList();
            b.append(t(lang, "I recommend: ", "建议检查：")).append(end(Phrases.join(tests, lang), lang));
        } else if (s.has(Flaw.OVERCONFIDENT)) {
            b.append(t(lang, "No further tests are needed.", "不需要再做其他检查。"));
        }
        return b.toString().strip();
    }

    private String labReading(JsonNode labs) {
        List<String> items = new ArrayList<>();
        labs.path("abnormal").properties().forEach(e -> items.add(e.getKey() + t(lang, " " + e.getValue().asText(), e.getValue().asText().equals("high") ? "偏高" : "偏低")));
        if (items.isEmpty()) return t(lang, "The lab report is within normal limits. ", "化验单各项基本正常。");
        return t(lang, "The lab report shows " + String.join(", ", items) + ". ", "化验单显示" + String.join("、", items) + "。");
    }

    private String advice() {
        Condition named = s.has(Flaw.WRONG_DIAGNOSIS) ? p.wrongDiff() : p.condition();
        if (!s.specificAdvice()) return t(lang, "Just rest, drink plenty of water and see a doctor if it doesn't get better.", "多休息、多喝水，不好的话再去医院看看。");
        List<String> adv = named.advice().stream().map(x -> x.in(lang)).toList();
        if (s.poor()) return t(lang, "follow " + adv.getFirst() + ". that's it.", "按这个来：" + adv.getFirst() + "。就这样。");
        StringBuilder b = new StringBuilder(s.has(Flaw.OVERCONFIDENT) ? "" : t(lang, "I understand your concern. ", "理解您的担心。"));
        for (String a : adv) b.append(end(cap(a), lang)).append(t(lang, " ", ""));
        if (s.warnsOfRedFlags()) {
            List<String> rf = named.redFlags().stream().map(x -> x.in(lang)).toList();
            b.append(t(lang, "Please seek urgent care if you notice " + Phrases.or(rf, lang) + ".", "如果出现" + Phrases.or(rf, lang) + "，请立即就医。"));
        }
        return b.toString().strip();
    }

    private void patient(String text, String... images) { turns.add(Turn.patient(text, images)); }

    private void doctor(String text) { turns.add(Turn.doctor(text)); }
}
