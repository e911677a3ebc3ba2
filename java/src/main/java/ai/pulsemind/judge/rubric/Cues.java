package ai.pulsemind.judge.rubric;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * A set of cue phrases in English and Chinese. English cues match at word starts, case-insensitively ("test"
 * matches "tests" and "testing" but not "contest"), or as whole words ({@link #words}: "no" does not match
 * "notice"); Chinese cues match anywhere. Matching is {@code indexOf} per cue: the rubric runs thousands of these
 * per CRPO step, and a regex alternation of fifty phrases is ten times slower.
 */
record Cues(List<String> cues, boolean wholeWords) {
    static Cues of(List<String> en, List<String> zh) { return make(en, zh, false); }

    static Cues words(List<String> en, List<String> zh) { return make(en, zh, true); }

    private static Cues make(List<String> en, List<String> zh, boolean whole) {
        List<String> all = new ArrayList<>();
        for (String e : en) all.add(e.toLowerCase(Locale.ROOT));
        all.addAll(zh);
        return new Cues(List.copyOf(all), whole);
    }

    /** Whether any cue occurs in {@code text}. */
    boolean in(String text) { return count(text, true) > 0; }

    /** How many cue occurrences {@code text} has. */
    int count(String text) { return count(text, false); }

    private int count(String text, boolean firstOnly) {
        String lower = text.toLowerCase(Locale.ROOT);
        int n = 0;
        for (String c : cues) {
            boolean latin = isWordChar(c.charAt(0));
            for (int at = lower.indexOf(c); at >= 0; at = lower.indexOf(c, at + 1)) {
                if (latin && at > 0 && isWordChar(lower.charAt(at - 1))) continue;
                int end = at + c.length();
                if (latin && wholeWords && end < lower.length() && isWordChar(lower.charAt(end))) continue;
                n++;
                if (firstOnly) return n;
                at = end - 1;
            }
        }
        return n;
    }

    /** A letter or digit that is not a CJK ideograph (Chinese has no word boundaries). */
    private static boolean isWordChar(char ch) {
        return Character.isLetterOrDigit(ch) && Character.UnicodeScript.of(ch) != Character.UnicodeScript.HAN;
    }
}
