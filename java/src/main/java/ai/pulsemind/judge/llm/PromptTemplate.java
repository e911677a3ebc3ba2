package ai.pulsemind.judge.llm;

import ai.pulsemind.data.Conversation;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A judge prompt: a text file with a system part and a user part, and {@code {{name}}} placeholders.
 *
 * <pre>
 * ### system
 * You are … (the dimensions, the rules)
 * ### user
 * {{context}} … {{answer_a}} … {{answer_b}} … (what to judge, the JSON to reply with)
 * </pre>
 *
 * Placeholders: {@code context} (the consultation so far), {@code reference} (the real doctor), {@code diagnosis},
 * {@code facts} (key facts from the record, "-" when none), and {@code answer_a}, {@code answer_b} (pairwise) or
 * {@code answer} (absolute). A file without the {@code ### system} line is all user message. An unknown or missing
 * required placeholder is an error naming the file when it is loaded, not a surprise mid-run.
 */
public final class PromptTemplate {
    /** Which judgment a template asks for. */
    public enum Kind {
        PAIRWISE(Set.of("answer_a", "answer_b")), ABSOLUTE(Set.of("answer"));

        final Set<String> required;

        Kind(Set<String> required) { this.required = required; }
    }

    static final Set<String> COMMON = Set.of("context", "reference", "diagnosis", "facts");
    private static final Pattern VAR = Pattern.compile("\\{\\{\\s*([a-z_]+)\\s*}}");

    private final Kind kind;
    private final String source, system, user, text;

    private PromptTemplate(Kind kind, String source, String text) {
        this.kind = kind;
        this.source = source;
        this.text = text.replace("\r\n", "\n");
        int sys = this.text.indexOf("### system\n"), usr = this.text.indexOf("### user\n");
        if (sys >= 0 && usr > sys) {
            system = this.text.substring(sys + "### system\n".length(), usr).strip();
            user = this.text.substring(usr + "### user\n".length()).strip();
        } else if (sys >= 0) {
            throw new IllegalArgumentException(source + ": has a '### system' line but no '### user' line after it");
        } else {
            system = "";
            user = (usr >= 0 ? this.text.substring(usr + "### user\n".length()) : this.text).strip();
        }
        Set<String> seen = new LinkedHashSet<>();
        Matcher m = VAR.matcher(this.text);
        while (m.find()) seen.add(m.group(1));
        for (String v : seen)
            if (!COMMON.contains(v) && !kind.required.contains(v))
                throw new IllegalArgumentException(source + ": unknown placeholder {{" + v + "}}; a " + kind.name().toLowerCase(java.util.Locale.ROOT)
                        + " prompt knows " + COMMON + " and " + kind.required);
        for (String v : kind.required)
            if (!seen.contains(v)) throw new IllegalArgumentException(source + ": the prompt never shows {{" + v + "}}");
    }

    /** A user's template file. */
    public static PromptTemplate load(Path file, Kind kind) {
        try {
            return new PromptTemplate(kind, file.toString(), Files.readString(file, StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new IllegalArgumentException(file + ": cannot read the prompt template (" + e.getMessage() + ")", e);
        }
    }

    /** A bundled default: {@code pairwise.en.txt}, {@code absolute.zh.txt}, … */
    public static PromptTemplate bundled(Kind kind, String language) {
        String name = kind.name().toLowerCase(java.util.Locale.ROOT) + "." + language + ".txt";
        try (InputStream in = PromptTemplate.class.getResourceAsStream("/ai/pulsemind/judge/prompts/" + name)) {
            if (in == null) throw new IllegalStateException("bundled prompt " + name + " is missing from the jar");
            return new PromptTemplate(kind, "bundled:" + name, new String(in.readAllBytes(), StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public Kind kind() { return kind; }

    public String source() { return source; }

    /** The template text as loaded (what the cache identity hashes). */
    public String text() { return text; }

    /** The chat to send: a system message when the template has one, then the user message. */
    public Conversation render(Map<String, String> vars) {
        Conversation c = Conversation.EMPTY;
        if (!system.isEmpty()) c = c.plus(Conversation.Speaker.SYSTEM, fill(system, vars));
        return c.plus(Conversation.Speaker.USER, fill(user, vars));
    }

    private static String fill(String s, Map<String, String> vars) {
        Matcher m = VAR.matcher(s);
        StringBuilder sb = new StringBuilder();
        while (m.find()) m.appendReplacement(sb, Matcher.quoteReplacement(vars.getOrDefault(m.group(1), "")));
        m.appendTail(sb);
        return sb.toString();
    }
}
