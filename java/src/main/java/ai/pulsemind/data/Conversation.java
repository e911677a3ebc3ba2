package ai.pulsemind.data;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Objects;

/**
 * A consultation as a chat: the one typed form every stage passes around (the prompt encoder, the generation
 * engine, judges, the benchmark, the server). It is built from a MediScope record prefix ({@link #ofRecord}) or
 * from OpenAI-format messages ({@link OpenAiMessages#parse}); nothing past those edges sees untyped maps.
 *
 * <p>Roles are the chat roles: patient turns are {@link Speaker#USER}, doctor turns {@link Speaker#ASSISTANT}. A
 * message's parts keep their order; images are references, decoded by whoever turns the conversation into model
 * input (so a judge that reads only text never decodes an image).
 *
 * @param messages in order; may start with one {@link Speaker#SYSTEM} message
 */
public record Conversation(List<Message> messages) {
    public Conversation {
        messages = List.copyOf(messages);
        for (int i = 0; i < messages.size(); i++)
            if (messages.get(i).speaker() == Speaker.SYSTEM && i > 0)
                throw new IllegalArgumentException("messages[" + i + "]: a system message may only come first");
    }

    public static final Conversation EMPTY = new Conversation(List.of());

    /** Who speaks; {@link #openAi()} is the OpenAI / chat-template role name. */
    public enum Speaker {
        SYSTEM, USER, ASSISTANT;

        public String openAi() { return name().toLowerCase(Locale.ROOT); }

        public static Speaker of(Role role) { return role == Role.DOCTOR ? ASSISTANT : USER; }

        /** The speaker named by an OpenAI role, or null for an unknown name. */
        public static Speaker parse(String openAiRole) {
            for (Speaker s : values()) if (s.openAi().equals(openAiRole)) return s;
            return null;
        }
    }

    /** One part of a message's content. */
    public sealed interface Part permits Text, Image {}

    public record Text(String text) implements Part {
        public Text { Objects.requireNonNull(text, "text"); }
    }

    /** An image shown in a message: a file, or bytes that came inline (a data URL). */
    public record Image(ImageSource source) implements Part {
        public Image { Objects.requireNonNull(source, "image source"); }
    }

    /** Where an image's bytes are. */
    public sealed interface ImageSource permits ImageFile, InlineImage {
        /** How errors name the image. */
        String label();
    }

    /** @param modality a {@link Modality} name, or null when unknown (it only informs decoding, e.g. DICOM) */
    public record ImageFile(Path path, String modality) implements ImageSource {
        public ImageFile { Objects.requireNonNull(path, "image path"); }

        @Override public String label() { return path.toString(); }
    }

    /** @param label how errors name it, e.g. {@code messages[1].content[0]} */
    public record InlineImage(byte[] bytes, String label) implements ImageSource {
        public InlineImage {
            Objects.requireNonNull(bytes, "image bytes");
            Objects.requireNonNull(label, "image label");
        }
    }

    public record Message(Speaker speaker, List<Part> parts) {
        public Message {
            Objects.requireNonNull(speaker, "speaker");
            parts = List.copyOf(parts);
        }

        public static Message text(Speaker speaker, String text) { return new Message(speaker, List.of(new Text(text))); }

        /** The text parts joined (images left out). */
        public String text() {
            StringBuilder sb = new StringBuilder();
            for (Part p : parts) if (p instanceof Text t) sb.append(t.text());
            return sb.toString();
        }

        public List<ImageSource> images() {
            List<ImageSource> out = new ArrayList<>();
            for (Part p : parts) if (p instanceof Image im) out.add(im.source());
            return out;
        }
    }

    /**
     * The first {@code turns} turns of a record as a conversation (each turn's images first, then its text, the
     * order the training encoder renders them in), with an optional system prompt. A prefix that ends with a patient
     * turn is where the doctor speaks next: {@code ofRecord(r, i, …)} for a doctor turn index {@code i}.
     *
     * @param root the dataset root that image paths are relative to; null leaves them as the record stores them
     *             (relative, unresolved: for callers that already hold the decoded images, such as a data loader)
     */
    public static Conversation ofRecord(MediRecord record, int turns, Path root, String systemPrompt) {
        if (turns < 0 || turns > record.turns().size())
            throw new IllegalArgumentException(record.id() + ": prefix of " + turns + " turns, the record has " + record.turns().size());
        List<Message> out = new ArrayList<>(turns + 1);
        if (systemPrompt != null) out.add(Message.text(Speaker.SYSTEM, systemPrompt));
        for (int i = 0; i < turns; i++) {
            Turn t = record.turns().get(i);
            List<Part> parts = new ArrayList<>();
            for (String imageId : t.images()) {
                ImageRef ref = record.image(imageId);
                if (ref == null) throw new IllegalArgumentException(record.id() + ": turns[" + i + "].images: no image with id '" + imageId + "'");
                Path path = root == null ? Path.of(ref.path()) : DatasetPaths.resolveInside(root, ref.path());
                parts.add(new Image(new ImageFile(path, ref.modality())));
            }
            if (!t.text().isEmpty() || parts.isEmpty()) parts.add(new Text(t.text()));
            out.add(new Message(Speaker.of(t.role()), parts));
        }
        return new Conversation(out);
    }

    /** Indices of a record's doctor turns: the places a model under test or a policy speaks. */
    public static int[] doctorTurns(MediRecord record) {
        return java.util.stream.IntStream.range(0, record.turns().size())
                .filter(i -> record.turns().get(i).role() == Role.DOCTOR).toArray();
    }

    /** This conversation with one more message. */
    public Conversation plus(Message m) {
        List<Message> out = new ArrayList<>(messages);
        out.add(m);
        return new Conversation(out);
    }

    public Conversation plus(Speaker speaker, String text) { return plus(Message.text(speaker, text)); }

    public boolean isEmpty() { return messages.isEmpty(); }

    public Message last() {
        if (messages.isEmpty()) throw new IllegalStateException("empty conversation");
        return messages.get(messages.size() - 1);
    }

    /** Every image, in the order of appearance. */
    public List<ImageSource> images() {
        List<ImageSource> out = new ArrayList<>();
        for (Message m : messages) out.addAll(m.images());
        return out;
    }
}
