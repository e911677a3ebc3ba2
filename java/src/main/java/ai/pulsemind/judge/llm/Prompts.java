package ai.pulsemind.judge.llm;

import ai.pulsemind.data.Conversation;
import ai.pulsemind.data.Fact;
import ai.pulsemind.data.MediRecord;
import ai.pulsemind.judge.Answer;
import ai.pulsemind.judge.JudgeRequest;
import ai.pulsemind.judge.Reference;
import ai.pulsemind.judge.ScoreRequest;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;

/**
 * The prompts a model judge uses: pairwise and absolute, in English and Chinese, picked by the record's language
 * (or, without a record, by the script of the consultation). A user's file replaces the bundled template for both
 * languages.
 */
public record Prompts(PromptTemplate pairwiseEn, PromptTemplate pairwiseZh, PromptTemplate absoluteEn, PromptTemplate absoluteZh) {
    public static Prompts bundled() {
        return new Prompts(PromptTemplate.bundled(PromptTemplate.Kind.PAIRWISE, "en"), PromptTemplate.bundled(PromptTemplate.Kind.PAIRWISE, "zh"),
                PromptTemplate.bundled(PromptTemplate.Kind.ABSOLUTE, "en"), PromptTemplate.bundled(PromptTemplate.Kind.ABSOLUTE, "zh"));
    }

    /** The bundled prompts with the user's files in place of either kind (null keeps the bundled one). */
    public static Prompts of(Path pairwise, Path absolute) {
        Prompts b = bundled();
        PromptTemplate p = pairwise == null ? null : PromptTemplate.load(pairwise, PromptTemplate.Kind.PAIRWISE);
        PromptTemplate a = absolute == null ? null : PromptTemplate.load(absolute, PromptTemplate.Kind.ABSOLUTE);
        return new Prompts(p != null ? p : b.pairwiseEn, p != null ? p : b.pairwiseZh, a != null ? a : b.absoluteEn, a != null ? a : b.absoluteZh);
    }

    /** SHA-256 of the four templates' texts (part of a judge's identity). */
    public String hash() {
        try {
            MessageDigest md = MessageDigest.getInstance("SHA-256");
            for (PromptTemplate t : List.of(pairwiseEn, pairwiseZh, absoluteEn, absoluteZh))
                md.update((t.text() + "\u0000").getBytes(StandardCharsets.UTF_8));
            return HexFormat.of().formatHex(md.digest()).substring(0, 16);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    public Conversation pairwise(JudgeRequest r) {
        String lang = language(r.reference(), r.context(), r.a());
        Map<String, String> v = common(r.context(), r.reference(), lang);
        v.put("answer_a", r.a().render(lang));
        v.put("answer_b", r.b().render(lang));
        return (lang.equals("zh") ? pairwiseZh : pairwiseEn).render(v);
    }

    public Conversation absolute(ScoreRequest r) {
        String lang = language(r.reference(), r.context(), r.answer());
        Map<String, String> v = common(r.context(), r.reference(), lang);
        v.put("answer", r.answer().render(lang));
        return (lang.equals("zh") ? absoluteZh : absoluteEn).render(v);
    }

    static String language(Reference ref, Conversation context, Answer a) {
        if (ref.language() != null && !ref.language().isEmpty()) return ref.language().equals("zh") ? "zh" : "en";
        StringBuilder sb = new StringBuilder(a.doctorText());
        for (Conversation.Message m : context.messages()) sb.append(m.text());
        long han = sb.codePoints().filter(cp -> Character.UnicodeScript.of(cp) == Character.UnicodeScript.HAN).count();
        long latin = sb.codePoints().filter(cp -> Character.isLetter(cp) && Character.UnicodeScript.of(cp) == Character.UnicodeScript.LATIN).count();
        return han > latin ? "zh" : "en";
    }

    private static Map<String, String> common(Conversation context, Reference ref, String lang) {
        boolean zh = lang.equals("zh");
        Map<String, String> v = new java.util.HashMap<>();
        v.put("context", context(context, zh));
        v.put("reference", ref.doctor() == null ? "-" : ref.doctor().render(lang));
        MediRecord rec = ref.record();
        v.put("diagnosis", rec == null || rec.diagnosis() == null ? "-" : rec.diagnosis().name()
                + (rec.diagnosis().differentials().isEmpty() ? "" : (zh ? "（需鉴别：" : " (differentials: ")
                + String.join(zh ? "、" : ", ", rec.diagnosis().differentials()) + (zh ? "）" : ")")));
        List<String> facts = new ArrayList<>();
        if (rec != null) for (Fact f : rec.facts()) if (f.key()) facts.add(f.question().isEmpty() ? f.topic() : f.question());
        v.put("facts", facts.isEmpty() ? "-" : String.join(zh ? "；" : "; ", facts));
        return v;
    }

    private static String context(Conversation c, boolean zh) {
        StringBuilder sb = new StringBuilder();
        for (Conversation.Message m : c.messages()) {
            if (m.speaker() == Conversation.Speaker.SYSTEM) continue;
            if (!sb.isEmpty()) sb.append('\n');
            boolean doctor = m.speaker() == Conversation.Speaker.ASSISTANT;
            sb.append(doctor ? (zh ? "医生：" : "Doctor: ") : (zh ? "患者：" : "Patient: ")).append(m.text());
            for (int i = 0; i < m.images().size(); i++) sb.append(zh ? "［图片］" : " [image]");
        }
        return sb.isEmpty() ? "-" : sb.toString();
    }
}
