package ai.pulsemind.data;

import java.util.List;
import java.util.Set;

/** The image modalities a record may name; the JSON Schema's enum lists the same words (a test checks it). */
public final class Modality {
    private Modality() {}

    public static final String ULTRASOUND = "ultrasound";
    public static final String CT = "ct";
    public static final String MRI = "mri";
    public static final String XRAY = "xray";
    public static final String PATHOLOGY = "pathology";
    public static final String ENDOSCOPY = "endoscopy";
    public static final String DERMATOLOGY = "dermatology";
    public static final String FUNDUS = "fundus";
    public static final String ECG = "ecg";
    public static final String LAB_REPORT = "lab_report";
    public static final String MEDICAL_RECORD = "medical_record";
    public static final String PHOTO = "photo";
    public static final String OTHER = "other";

    public static final List<String> NAMES = List.of(ULTRASOUND, CT, MRI, XRAY, PATHOLOGY, ENDOSCOPY, DERMATOLOGY,
            FUNDUS, ECG, LAB_REPORT, MEDICAL_RECORD, PHOTO, OTHER);
    private static final Set<String> SET = Set.copyOf(NAMES);

    public static boolean known(String m) { return SET.contains(m); }

    /** Best guess from free text such as SLAKE's "MRI" or a file name; {@link #OTHER} when nothing fits. */
    public static String guess(String text) {
        if (text == null) return OTHER;
        String t = text.toLowerCase(java.util.Locale.ROOT);
        if (t.contains("ultra") || t.contains("超声") || t.contains("b超")) return ULTRASOUND;
        if (t.contains("mri") || t.contains("mr ") || t.equals("mr") || t.contains("磁共振")) return MRI;
        if (t.contains("ct") || t.contains("computed tomography")) return CT;
        if (t.contains("x-ray") || t.contains("xray") || t.contains("radiograph") || t.contains("x光")) return XRAY;
        if (t.contains("patholog") || t.contains("histo") || t.contains("病理")) return PATHOLOGY;
        if (t.contains("endoscop") || t.contains("colonoscop") || t.contains("gastroscop") || t.contains("镜")) return ENDOSCOPY;
        if (t.contains("derm") || t.contains("skin") || t.contains("皮肤")) return DERMATOLOGY;
        if (t.contains("fundus") || t.contains("眼底")) return FUNDUS;
        if (t.contains("ecg") || t.contains("ekg") || t.contains("心电")) return ECG;
        if (t.contains("lab") || t.contains("化验") || t.contains("检验")) return LAB_REPORT;
        return OTHER;
    }
}
