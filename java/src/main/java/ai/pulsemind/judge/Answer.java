package ai.pulsemind.judge;

import ai.pulsemind.data.Role;
import ai.pulsemind.data.Turn;

import java.util.List;
import java.util.Objects;

/**
 * What is judged: one doctor reply to the context, or a whole consultation (the doctor's turns with the patient
 * turns they drew out). Images in transcripts are only named by id; judges read text.
 */
public sealed interface Answer permits Answer.Reply, Answer.Transcript {
    /** The doctor's words: the reply, or every doctor turn of the transcript joined by newlines. */
    String doctorText();

    /** The answer as a judge reads it, with speaker labels for transcripts in the given language. */
    String render(String language);

    /** One reply (what the doctor says next). */
    record Reply(String text) implements Answer {
        public Reply { Objects.requireNonNull(text, "reply text"); }

        @Override public String doctorText() { return text; }

        @Override public String render(String language) { return text; }
    }

    /** A whole consultation, patient turns included (the patient reveals only what this doctor asked). */
    record Transcript(List<Turn> turns) implements Answer {
        public Transcript {
            turns = List.copyOf(turns);
            if (turns.stream().noneMatch(t -> t.role() == Role.DOCTOR))
                throw new IllegalArgumentException("a transcript needs at least one doctor turn");
        }

        @Override public String doctorText() {
            StringBuilder sb = new StringBuilder();
            for (Turn t : turns) if (t.role() == Role.DOCTOR) sb.append(sb.isEmpty() ? "" : "\n").append(t.text());
            return sb.toString();
        }

        @Override public String render(String language) {
            boolean zh = "zh".equals(language);
            StringBuilder sb = new StringBuilder();
            for (Turn t : turns) {
                if (!sb.isEmpty()) sb.append('\n');
                sb.append(t.role() == Role.DOCTOR ? (zh ? "医生：" : "Doctor: ") : (zh ? "患者：" : "Patient: ")).append(t.text());
                if (!t.images().isEmpty()) sb.append(zh ? "［图片］" : " [image]");
            }
            return sb.toString();
        }
    }

    static Answer reply(String text) { return new Reply(text); }

    static Answer transcript(List<Turn> turns) { return new Transcript(turns); }
}
