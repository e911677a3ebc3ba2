package ai.pulsemind.data.synth;

import ai.pulsemind.data.Modality;

import java.util.List;
import java.util.Locale;

/** The sentence frames of synthetic dialogues, in English and Chinese. */
final class Phrases {
    private Phrases() {}

    static String t(String lang, String en, String zh) { return lang.equals("zh") ? zh : en; }

    static String cap(String s) { return s.isEmpty() ? s : s.substring(0, 1).toUpperCase(Locale.ROOT) + s.substring(1); }

    static String modalityNoun(String modality, String lang) {
        return switch (modality) {
            case Modality.ULTRASOUND -> t(lang, "ultrasound image", "B超图片");
            case Modality.CT -> t(lang, "CT scan", "CT片子");
            case Modality.MRI -> t(lang, "MRI scan", "核磁共振片子");
            case Modality.XRAY -> t(lang, "X-ray", "X光片");
            case Modality.DERMATOLOGY -> t(lang, "photo of the skin", "皮肤照片");
            case Modality.PATHOLOGY -> t(lang, "biopsy slide", "病理切片照片");
            case Modality.ENDOSCOPY -> t(lang, "endoscopy photo", "内镜照片");
            case Modality.FUNDUS -> t(lang, "retinal photo", "眼底照片");
            case Modality.ECG -> t(lang, "ECG", "心电图");
            case Modality.LAB_REPORT -> t(lang, "lab report", "化验单");
            default -> t(lang, "image", "图片");
        };
    }

    static String opening(CasePlan p, String complaint) {
        String lang = p.lang();
        String sex = t(lang, p.sex().equals("female") ? "female" : "male", p.sex().equals("female") ? "女" : "男");
        String noun = modalityNoun(p.condition().modality(), lang);
        return switch (p.opening()) {
            case 0 -> t(lang, "Hello doctor. " + cap(complaint) + ".", "医生您好，" + complaint + "。");
            case 1 -> t(lang, "Hi doctor, the patient is " + p.age() + " years old, " + sex + ". " + cap(complaint) + ". What do you think?",
                    "医生您好，患者" + p.age() + "岁，" + sex + "。" + complaint + "，您看是怎么回事？");
            case 2 -> t(lang, "Doctor, " + complaint + ". I've attached the " + noun + ".", "医生，" + complaint + "。我把" + noun + "发上来了。");
            default -> t(lang, "Good evening. " + cap(complaint) + ". I'm quite worried — could it be serious?",
                    "晚上好，" + complaint + "，我挺担心的，严重吗？");
        };
    }

    static final List<String> CONCERN_EN = List.of("Is it serious? What should I do now?", "What should I do next?", "Do I need to worry about it?");
    static final List<String> CONCERN_ZH = List.of("严重吗？我现在该怎么办？", "接下来我该怎么做？", "需要担心吗？");

    static String concern(CasePlan p) { return (p.lang().equals("zh") ? CONCERN_ZH : CONCERN_EN).get(p.concern()); }

    static String join(List<String> items, String lang) {
        if (items.isEmpty()) return "";
        if (lang.equals("zh")) return String.join("；", items);
        return String.join("; ", items);
    }

    static String or(List<String> items, String lang) {
        if (items.size() == 1) return items.getFirst();
        return lang.equals("zh") ? String.join("或", items) : String.join(" or ", items);
    }

    static String end(String s, String lang) {
        if (s.isEmpty()) return s;
        char c = s.charAt(s.length() - 1);
        if (".!?。！？".indexOf(c) >= 0) return s;
        return s + (lang.equals("zh") ? "。" : ".");
    }
}
