package ai.pulsemind.evaluate.consult;

import ai.pulsemind.data.Conversation;
import ai.pulsemind.data.MediRecord;
import ai.pulsemind.data.Turn;

import java.nio.file.Path;
import java.util.List;

/**
 * The prompt a model under test answers as the doctor: a short system message in the record's language, then the
 * consultation so far (its own earlier replies in place of the real doctor's), ending with a patient turn.
 */
public final class DoctorPrompt {
    private DoctorPrompt() {}

    static final String EN = "You are an experienced doctor in an online consultation. When the patient's information is "
            + "incomplete, ask for the key history or tests you need, one or two questions at a time. When you have enough, "
            + "give the most likely diagnosis with the alternatives, the tests and treatment, and the warning signs, in "
            + "clear, friendly language.";
    static final String ZH = "你是一位经验丰富的医生，正在进行线上问诊。患者信息不完整时，先询问关键病史或所需检查，每次一两个问题；"
            + "信息足够时，给出最可能的诊断及鉴别、检查与治疗建议和需要警惕的症状，语言清楚、友好。";

    public static String system(String language) { return "zh".equals(language) ? ZH : EN; }

    /** The prompt for the doctor turn after {@code turns} (which ends with a patient turn). */
    public static Conversation of(MediRecord record, List<Turn> turns, Path root) {
        MediRecord r = record.toBuilder().turns(turns).counterparts(null).build();
        return Conversation.ofRecord(r, turns.size(), root, system(record.language()));
    }
}
