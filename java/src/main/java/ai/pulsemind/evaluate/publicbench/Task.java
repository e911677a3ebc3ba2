package ai.pulsemind.evaluate.publicbench;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * The public benchmarks, each with the records it takes (by the {@code source} an importer gave them, and for the
 * multi-subject suites the subject) and the prompt format it is asked in ({@link Prompts.Style}, which says which
 * harness that format follows).
 */
public enum Task {
    MEDQA("MedQA", Set.of("medqa"), Set.of(), Prompts.Style.LM_EVAL_MEDQA),
    MEDMCQA("MedMCQA", Set.of("medmcqa"), Set.of(), Prompts.Style.LM_EVAL_MEDMCQA),
    PUBMEDQA("PubMedQA", Set.of("pubmedqa"), Set.of(), Prompts.Style.LM_EVAL_PUBMEDQA),
    /** The six clinical subjects of MMLU that medical-model papers report as MMLU-medical. */
    MMLU_MEDICAL("MMLU-medical", Set.of("mmlu"), Set.of("anatomy", "clinical_knowledge", "college_biology",
            "college_medicine", "medical_genetics", "professional_medicine"), Prompts.Style.LM_EVAL_MMLU),
    VQA_RAD("VQA-RAD", Set.of("vqa-rad"), Set.of(), Prompts.Style.SHORT_ANSWER),
    SLAKE("SLAKE", Set.of("slake"), Set.of(), Prompts.Style.SHORT_ANSWER),
    PATHVQA("PathVQA", Set.of("pathvqa"), Set.of(), Prompts.Style.SHORT_ANSWER),
    PMC_VQA("PMC-VQA", Set.of("pmc-vqa"), Set.of(), Prompts.Style.LLAVA_MCQ),
    /** MMMU's Health &amp; Medicine discipline (its five subjects), validation split as MMMU reports it. */
    MMMU_MEDICAL("MMMU-medical", Set.of("mmmu"), Set.of("basic_medical_science", "clinical_medicine",
            "diagnostics_and_laboratory_medicine", "pharmacy", "public_health"), Prompts.Style.MMMU);

    private final String display;
    private final Set<String> sources;
    private final Set<String> subjects;
    private final Prompts.Style style;

    Task(String display, Set<String> sources, Set<String> subjects, Prompts.Style style) {
        this.display = display;
        this.sources = sources;
        this.subjects = subjects;
        this.style = style;
    }

    /** The name users write ({@code --task MedQA}) and summaries show. */
    public String display() { return display; }

    /** The lower-case id used in predictions and summaries, e.g. {@code mmlu-medical}. */
    public String id() { return display.toLowerCase(Locale.ROOT); }

    public Prompts.Style style() { return style; }

    /**
     * Whether a record with this {@code source} and subject belongs to the task. Subjects compare without case, with
     * spaces and underscores alike ({@code Clinical_Medicine} = {@code clinical medicine}).
     */
    public boolean takes(String source, String subject) {
        if (source == null || !sources.contains(source.toLowerCase(Locale.ROOT))) return false;
        return subjects.isEmpty() || subject != null && subjects.contains(subjectKey(subject));
    }

    static String subjectKey(String subject) {
        return subject.strip().toLowerCase(Locale.ROOT).replace(' ', '_').replace('-', '_');
    }

    /** The task named {@code name} (its display name or id, any case), or an error listing the tasks. */
    public static Task byName(String name) {
        String n = name.strip().toLowerCase(Locale.ROOT).replace('_', '-');
        for (Task t : values()) if (t.id().equals(n) || t.id().replace("-", "").equals(n.replace("-", ""))) return t;
        throw new IllegalArgumentException("--task: unknown task '" + name + "'; one of " + names());
    }

    /** {@code NAME[,NAME…]} to tasks, in the order given, each once; {@code all} is every task. */
    public static List<Task> parseList(String list) {
        if (list == null || list.isBlank()) throw new IllegalArgumentException("--task: no task named; one of " + names());
        if (list.strip().equalsIgnoreCase("all")) return List.of(values());
        Set<Task> out = new LinkedHashSet<>();
        for (String s : list.split(",")) if (!s.isBlank()) out.add(byName(s));
        return new ArrayList<>(out);
    }

    public static String names() {
        List<String> out = new ArrayList<>();
        for (Task t : values()) out.add(t.display);
        return String.join(", ", out);
    }
}
