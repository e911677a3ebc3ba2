package ai.pulsemind.judge.rubric;

import java.util.List;

/**
 * The rubric's cue phrases, in one place. They describe how doctors talk in general (asking, ruling out, hedging,
 * recommending, warning, being polite), not any one generator's sentences; see the package documentation for what
 * they miss.
 */
final class Lexicon {
    private Lexicon() {}

    /** A sentence that sets a diagnosis aside. */
    static final Cues RULE_OUT = Cues.of(
            List.of("less likely", "unlikely", "rule out", "ruled out", "exclude", "excluded", "not consistent with",
                    "does not look like", "doesn't look like", "argues against", "less probable"),
            List.of("可能性较小", "可能性小", "不太可能", "不像", "排除", "不考虑", "不支持", "可能性不大"));

    /** Open uncertainty between diagnoses (a "could be" alone is ordinary caution, not a hedge). */
    static final Cues HEDGE = Cues.of(
            List.of("hard to say", "difficult to say", "not sure", "can't tell", "cannot tell", "unclear which", "hard to tell"),
            List.of("不好说", "难以判断", "说不准", "不确定", "不清楚是哪", "很难说"));

    /** Certainty a careful doctor would not claim, and refusing the tests that would check it. */
    static final Cues OVERCONFIDENT = Cues.of(
            List.of("definitely", "certainly", "for sure", "100%", "without a doubt", "no doubt", "nothing else it could be",
                    "there is nothing else", "no further tests", "no tests are needed", "no need for tests", "no need for any test",
                    "guaranteed", "absolutely", "it can only be"),
            List.of("肯定是", "一定是", "绝对是", "百分之百", "不可能是别的", "毫无疑问", "不需要再做其他检查", "不用检查", "无需检查",
                    "不需要检查", "不用再检查", "只可能是"));

    /** Tests and examinations. */
    static final Cues TESTS = Cues.of(
            List.of("test", "scan", "ultrasound", "x-ray", "ct", "mri", "ecg", "ekg", "blood", "biopsy", "culture", "swab",
                    "endoscopy", "colonoscopy", "gastroscopy", "panel", "imaging", "screening", "urinalysis", "urine",
                    "echocardiogram", "echo", "smear", "aspiration", "dermoscopy", "tsh", "hba1c", "spirometry", "monitoring"),
            List.of("检查", "化验", "复查", "超声", "b超", "ct", "核磁", "心电图", "血常规", "活检", "穿刺", "检测", "筛查",
                    "内镜", "胃镜", "肠镜", "尿常规", "抽血", "造影", "监测"));

    /** Words that make a sentence a recommendation (so a test word in an explanation is not counted as advice). */
    static final Cues RECOMMEND = Cues.of(
            List.of("recommend", "suggest", "should", "need", "please", "get", "have a", "arrange", "order", "do ", "book",
                    "go for", "i'd like", "i would like", "advise"),
            List.of("建议", "需要", "做", "安排", "请", "应", "最好", "尽快"));

    /** Concrete treatment or self-care actions. */
    static final Cues TREATMENT = Cues.of(
            List.of("mg", "tablet", "daily", "twice", "once a", "cream", "ointment", "drops", "inhaler", "antibiotic", "start",
                    "take", "apply", "avoid", "stop", "surgery", "operation", "injection", "therapy", "dose", "treatment",
                    "course", "medication", "medicine", "prescribe", "use a", "use ", "moisturis", "moisturiz", "diet", "exercise",
                    "physiotherapy", "follow-up", "follow up", "review", "refer", "specialist", "call an ambulance", "chew",
                    "elevate", "compress", "splint", "vaccin", "watch", "monitor", "quit", "reduce", "lower", "increase"),
            List.of("服用", "口服", "每日", "每天", "毫克", "涂", "药", "治疗", "手术", "注射", "避免", "戒", "停用", "开始", "使用",
                    "减少", "控制", "饮食", "锻炼", "复诊", "随访", "转诊", "专科", "观察", "保湿", "冷敷", "热敷", "叫救护车", "嚼服"));

    /** Advice anyone could give about anything: not counted as a concrete step. */
    static final Cues VAGUE = Cues.of(
            List.of("just rest", "drink plenty of water", "plenty of fluids", "see a doctor if", "get some rest", "take it easy"),
            List.of("多休息", "多喝水", "再去医院看看", "注意休息"));

    /** Warning signs that should send the patient to urgent care. */
    static final Cues SAFETY_NET = Cues.of(
            List.of("seek urgent", "urgent care", "emergency", "a&e", "call 911", "call 999", "go to hospital", "go to the hospital",
                    "immediately", "right away", "if you notice", "if you develop", "warning sign", "straight away"),
            List.of("立即就医", "及时就医", "马上就医", "急诊", "如果出现", "一旦出现", "警惕", "立刻就医"));

    /** Courtesy and empathy. */
    static final Cues POLITE = Cues.of(
            List.of("please", "thank", "sorry", "understand", "hope", "welcome", "don't worry", "glad", "happy to"),
            List.of("您", "请", "谢谢", "麻烦", "理解", "不客气", "别担心", "祝", "不用担心"));

    /** Clinical shorthand that a patient should not have to decode. */
    static final Cues JARGON = Cues.words(
            List.of("dx", "ddx", "hx", "rx", "tx", "sx", "f/u", "r/o", "prn", "bid", "tid", "qd", "s/p", "c/o", "w/"),
            List.of());

    /** Asking the patient to show something. */
    static final Cues SHOW_REQUEST = Cues.of(
            List.of("upload", "send", "share", "attach", "show me", "post", "take a photo", "take a picture"),
            List.of("发", "上传", "拍", "给我看", "传"));

    /** What can be shown. */
    static final Cues IMAGE_NOUN = Cues.of(
            List.of("image", "photo", "picture", "scan", "x-ray", "ultrasound", "report", "ecg", "ekg", "slide", "mri", "ct",
                    "film", "result"),
            List.of("图片", "照片", "片子", "化验单", "报告", "心电图", "b超", "切片", "影像", "结果"));

    /** A reading of findings ("on the X-ray I can see …"): an observation, not a recommendation. */
    static final Cues FINDING = Cues.of(
            List.of("i can see", "shows", "showed", "would usually show", "is consistent with", "reveals"),
            List.of("可以看到", "显示", "通常表现为", "提示"));

    /** Denials before a word ("no fever", "没有发烧"), for the contradiction check. */
    static final Cues DENIAL = Cues.words(List.of("no", "not", "never", "without", "don't", "didn't", "denies"), List.of("没有", "无", "不", "否认", "未"));
}
