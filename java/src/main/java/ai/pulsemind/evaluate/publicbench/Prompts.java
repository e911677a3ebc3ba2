package ai.pulsemind.evaluate.publicbench;

import ai.pulsemind.data.Conversation;
import ai.pulsemind.data.Conversation.Message;
import ai.pulsemind.data.Conversation.Part;
import ai.pulsemind.data.Conversation.Speaker;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The prompt of each benchmark, zero-shot and few-shot, as a {@link Conversation}; the model's chat template is
 * applied by whoever runs it (the local engine, or the endpoint's server).
 *
 * <p>Few-shot prompts follow lm-evaluation-harness with {@code --apply_chat_template --fewshot_as_multiturn}: the
 * task's description (MMLU's) is the system message, each shot is a user turn with the shot's question in the
 * zero-shot format and an assistant turn with its target (the option letter; PubMedQA's yes/no/maybe; the short
 * answer of open VQA), then the question itself. Shots are the first K of the task's {@code train} records, then
 * its {@code val} records (MMLU and MMMU: of the same subject, as their per-subject tasks do); with no such
 * records, the first K other questions of the task (lm-eval's behaviour when the few-shot split is the test split),
 * drawn from all of them, not only those {@code --limit} keeps.
 */
public final class Prompts {
    private Prompts() {}

    /** A prompt format and the harness it follows. */
    public enum Style {
        /** {@code Question: …\nA. …\nB. …\nAnswer:}. */
        LM_EVAL_MEDQA("lm-evaluation-harness medqa_4options (doc_to_text), generated"),
        /** {@code Question: …\nChoices:\nA. …\nAnswer:}. */
        LM_EVAL_MEDMCQA("lm-evaluation-harness medmcqa (doc_to_text), generated"),
        /** {@code Abstract: …\nQuestion: …\nAnswer:}, target yes/no/maybe. */
        LM_EVAL_PUBMEDQA("lm-evaluation-harness pubmedqa (doc_to_text), generated"),
        /** System: {@code The following are multiple choice questions (with answers) about SUBJECT.}; user: {@code …\nA. …\nAnswer:}. */
        LM_EVAL_MMLU("lm-evaluation-harness mmlu_<subject>_generative"),
        /** The image(s), then {@code …\nAnswer the question using a single word or phrase.}. */
        SHORT_ANSWER("LLaVA short-answer VQA prompt, as lmms-eval's vqa_rad/slake/pathvqa tasks and LLaVA-Med use it"),
        /** The image(s), then {@code …\nA. …\nAnswer with the option's letter from the given choices directly.}. */
        LLAVA_MCQ("LLaVA-1.5 multiple-choice VQA prompt, as lmms-eval and VLMEvalKit use it"),
        /**
         * {@code …\n\n(A) …\n(B) …\n\nAnswer with the option's letter from the given choices directly.}, or for open
         * questions {@code …\n\nAnswer the question using a single word or phrase.}; images where the text says
         * {@code <image N>}.
         */
        MMMU("lm-evaluation-harness mmmu_val_* (MMMU's own llava1.5 prompt)");

        private final String harness;

        Style(String harness) { this.harness = harness; }

        /** Which harness's format this is, for config.json, summaries and docs. */
        public String harness() { return harness; }
    }

    static final String SHORT_ANSWER_SUFFIX = "Answer the question using a single word or phrase.";
    static final String LETTER_SUFFIX = "Answer with the option's letter from the given choices directly.";
    private static final Pattern IMAGE_PLACEHOLDER = Pattern.compile("<image (\\d+)>");

    /** The prompt for {@code item} after the given shots (none: zero-shot). */
    public static Conversation build(Item item, List<Item> shots) {
        List<Message> out = new ArrayList<>();
        String system = system(item);
        if (system != null) out.add(Message.text(Speaker.SYSTEM, system));
        for (Item s : shots) {
            out.add(new Message(Speaker.USER, userParts(s)));
            out.add(Message.text(Speaker.ASSISTANT, target(s)));
        }
        out.add(new Message(Speaker.USER, userParts(item)));
        return new Conversation(out);
    }

    /**
     * The shots for {@code item}: the first {@code k} of the task's few-shot pool ({@link ItemReader}) other than the
     * item itself, of the same subject where the task has subjects; fewer when the pool has fewer.
     */
    public static List<Item> shots(Item item, List<Item> from, int k) {
        List<Item> out = new ArrayList<>(k);
        for (Item c : from) {
            if (out.size() == k) break;
            if (c.key().equals(item.key())) continue;
            if (item.subject() != null && !Objects.equals(Task.subjectKey(item.subject()), c.subject() == null ? null : Task.subjectKey(c.subject())))
                continue;
            out.add(c);
        }
        return out;
    }

    /** MMLU's task description, lm-eval's {@code description} (with its trailing blank line), else null. */
    static String system(Item item) {
        if (item.task().style() != Style.LM_EVAL_MMLU) return null;
        String subject = item.subject() == null ? "medicine" : Task.subjectKey(item.subject()).replace('_', ' ');
        return "The following are multiple choice questions (with answers) about " + subject + ".\n\n";
    }

    /** What a shot's assistant turn says: the option letter, PubMedQA's decision, or the short answer. */
    static String target(Item item) {
        if (!item.multipleChoice()) return item.answer();
        return item.task().style() == Style.LM_EVAL_PUBMEDQA ? item.answerText() : item.answer();
    }

    /** The user turn's text in the task's zero-shot format. */
    static String text(Item item) {
        Map<String, String> o = item.options();
        StringBuilder sb = new StringBuilder();
        switch (item.task().style()) {
            case LM_EVAL_MEDQA -> {
                sb.append("Question: ").append(item.question()).append('\n');
                o.forEach((k, v) -> sb.append(k).append(". ").append(v).append('\n'));
                sb.append("Answer:");
            }
            case LM_EVAL_MEDMCQA -> {
                sb.append("Question: ").append(item.question()).append("\nChoices:\n");
                o.forEach((k, v) -> sb.append(k).append(". ").append(v).append('\n'));
                sb.append("Answer:");
            }
            case LM_EVAL_PUBMEDQA -> sb.append("Abstract: ").append(item.context() == null ? "" : item.context())
                    .append("\nQuestion: ").append(item.question()).append("\nAnswer:");
            case LM_EVAL_MMLU -> {
                sb.append(item.question().strip()).append('\n');
                o.forEach((k, v) -> sb.append(k).append(". ").append(v).append('\n'));
                sb.append("Answer:");
            }
            case SHORT_ANSWER -> sb.append(item.question()).append('\n').append(SHORT_ANSWER_SUFFIX);
            case LLAVA_MCQ -> {
                if (!item.multipleChoice()) return item.question() + "\n" + SHORT_ANSWER_SUFFIX;
                sb.append(item.question()).append('\n');
                o.forEach((k, v) -> sb.append(k).append(". ").append(v).append('\n'));
                sb.append(LETTER_SUFFIX);
            }
            case MMMU -> {
                sb.append(item.question()).append("\n\n");
                if (!item.multipleChoice()) return sb.append(SHORT_ANSWER_SUFFIX).toString();
                List<String> lines = new ArrayList<>();
                o.forEach((k, v) -> lines.add("(" + k + ") " + v));
                sb.append(String.join("\n", lines)).append("\n\n").append(LETTER_SUFFIX);
            }
        }
        return sb.toString();
    }

    /**
     * The user turn: the images, then the text; for MMMU each {@code <image N>} in the text becomes that image, in
     * place (an image shown twice is sent twice, as lm-eval does), and images the text never names come first.
     */
    static List<Part> userParts(Item item) {
        String text = text(item);
        List<Part> parts = new ArrayList<>();
        if (item.task().style() != Style.MMMU) {
            for (Item.Image im : item.images()) parts.add(image(im));
            parts.add(new Conversation.Text(text));
            return parts;
        }
        Set<String> named = new HashSet<>();
        Matcher m = IMAGE_PLACEHOLDER.matcher(text);
        while (m.find()) named.add("image_" + m.group(1));
        for (Item.Image im : item.images()) if (!named.contains(im.id())) parts.add(image(im));
        m.reset();
        int at = 0;
        while (m.find()) {
            Item.Image im = find(item, "image_" + m.group(1));
            if (im == null) continue; // a placeholder without an image stays as text
            if (m.start() > at) parts.add(new Conversation.Text(text.substring(at, m.start())));
            parts.add(image(im));
            at = m.end();
        }
        if (at < text.length()) parts.add(new Conversation.Text(text.substring(at)));
        return parts;
    }

    private static Item.Image find(Item item, String id) {
        for (Item.Image im : item.images()) if (im.id().equals(id)) return im;
        return null;
    }

    private static Part image(Item.Image im) {
        return new Conversation.Image(new Conversation.ImageFile(im.file(), im.modality()));
    }
}
