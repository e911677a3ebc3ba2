package ai.pulsemind.evaluate.publicbench;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * lm-evaluation-harness's answer extraction for generated multiple-choice answers, reproduced step for step so that
 * scores on the same outputs are the same: the {@code flexible-extract} filter of its generative MCQ tasks
 * ({@code multi_choice_regex} with {@code regex_pattern: "(\([A-Z]\))"}, {@code ignore_case: true},
 * {@code ignore_punctuation: true}, then {@code take_first}), scored by {@code exact_match} against {@code (X)},
 * X the gold letter. lm-eval 0.4.x, {@code lm_eval/filters/extraction.py}, {@code MultiChoiceRegexFilter}:
 *
 * <ol>
 *   <li>{@code lm-eval.paren}: the first {@code (X)} in the reply, any capital letter, even one that is not an
 *       option;</li>
 *   <li>{@code lm-eval.choice_text}: else the leftmost occurrence in the lower-cased, punctuation-stripped reply of
 *       any option text (stripped the same way; alternatives tried longest first, by the length of their regex-escaped
 *       form), mapped to its letter; plain substring matching, so {@code no} is found inside {@code not};</li>
 *   <li>{@code lm-eval.colon_letter}: else the first {@code :} followed by whitespace and an option letter;</li>
 *   <li>{@code lm-eval.invalid}: else {@code [invalid]}, scored wrong.</li>
 * </ol>
 * Punctuation is every character of a Unicode category P*, as the filter's {@code unicodedata} table has it.
 */
final class LmEvalMatch {
    private LmEvalMatch() {}

    static final String INVALID = "[invalid]";
    private static final Pattern PAREN = Pattern.compile("(\\([A-Z]\\))");
    /** The characters Python's {@code re.escape} escapes (3.7 and later). */
    private static final String PY_SPECIAL = "()[]{}?*+-|^$\\.&~# \t\n\r\u000b\f";

    static Extraction extract(String reply, Map<String, String> options) {
        String resp = reply == null ? "" : reply;
        Matcher m = PAREN.matcher(resp);
        if (m.find()) {
            String got = m.group(1).strip();
            if (!got.isEmpty()) return new Extraction(got.substring(1, 2), "lm-eval.paren", null, got);
        }
        List<String> alternatives = new ArrayList<>();
        Map<String, String> toLetter = new HashMap<>();
        List<String> letters = new ArrayList<>();
        char next = 'A';
        for (String c : options.values()) {
            String f = ignores(c.strip());
            alternatives.add(f);
            toLetter.put(f, "(" + next + ")"); // a later option with the same text wins, as in the Python dict
            letters.add(String.valueOf(next));
            next++;
        }
        List<String> sorted = new ArrayList<>(alternatives);
        sorted.sort((a, b) -> Integer.compare(pyEscapedLength(b), pyEscapedLength(a))); // stable, longest first
        StringBuilder alt = new StringBuilder();
        for (String s : sorted) alt.append(alt.isEmpty() ? "" : "|").append(Pattern.quote(s));
        m = Pattern.compile(alt.toString()).matcher(ignores(resp));
        if (m.find()) {
            String got = m.group().strip();
            if (!got.isEmpty()) {
                String conv = toLetter.getOrDefault(got, got);
                return new Extraction(letterOf(conv), "lm-eval.choice_text", null, conv);
            }
        }
        m = Pattern.compile(":[\\s]*(" + String.join("|", letters) + ")", Pattern.UNICODE_CHARACTER_CLASS).matcher(resp);
        if (m.find()) {
            String got = m.group(1).strip();
            if (!got.isEmpty()) return new Extraction(got, "lm-eval.colon_letter", null, "(" + got + ")");
        }
        return new Extraction(null, "lm-eval.invalid", null, INVALID);
    }

    /** X of {@code (X)}; a match that did not map to a letter stays text (and is scored wrong, as in lm-eval). */
    private static String letterOf(String filtered) {
        return filtered.length() == 3 && filtered.charAt(0) == '(' && filtered.charAt(2) == ')' ? filtered.substring(1, 2) : filtered;
    }

    /** {@code filter_ignores} with ignore_case and ignore_punctuation: lower-case, then drop P* characters. */
    static String ignores(String s) {
        String lower = s.toLowerCase(Locale.ROOT);
        StringBuilder sb = new StringBuilder(lower.length());
        lower.codePoints().filter(cp -> !punctuation(cp)).forEach(sb::appendCodePoint);
        return sb.toString();
    }

    static boolean punctuation(int cp) {
        return switch (Character.getType(cp)) {
            case Character.CONNECTOR_PUNCTUATION, Character.DASH_PUNCTUATION, Character.START_PUNCTUATION,
                 Character.END_PUNCTUATION, Character.INITIAL_QUOTE_PUNCTUATION, Character.FINAL_QUOTE_PUNCTUATION,
                 Character.OTHER_PUNCTUATION -> true;
            default -> false;
        };
    }

    /** {@code len(re.escape(s))} in Python: code points, plus one backslash per special character. */
    static int pyEscapedLength(String s) {
        int n = 0;
        for (int i = 0; i < s.length(); ) {
            int cp = s.codePointAt(i);
            n += cp < 128 && PY_SPECIAL.indexOf(cp) >= 0 ? 2 : 1;
            i += Character.charCount(cp);
        }
        return n;
    }
}
