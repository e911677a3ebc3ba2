package ai.pulsemind.judge.rubric;

import java.util.List;
import java.util.Locale;
import java.util.regex.Pattern;

/**
 * A set of cue phrases in English and Chinese. English cues match at word starts, case-insensitively ("test"
 * matches "tests" and "testing" but not "contest"), or as whole words ({@link #words}: "no" does not match
 * "notice"); Chinese cues match anywhere.
 */
record Cues(Pattern en, List<String> zh) {
    static Cues of(List<String> en, List<String> zh) { return make(en, zh, ""); }

    static Cues words(List<String> en, List<String> zh) { return make(en, zh, "(?![\\p{L}\\p{N}])"); }

    private static Cues make(List<String> en, List<String> zh, String end) {
        StringBuilder sb = new StringBuilder("(?<![\\p{L}\\p{N}])(?:");
        for (int i = 0; i < en.size(); i++) sb.append(i == 0 ? "" : "|").append(Pattern.quote(en.get(i).toLowerCase(Locale.ROOT)));
        return new Cues(Pattern.compile(sb.append(")").append(end).toString()), List.copyOf(zh));
    }

    /** Whether any cue occurs in {@code text}. */
    boolean in(String text) { return count(text) > 0; }

    /** How many cue occurrences {@code text} has (English and Chinese together). */
    int count(String text) {
        String lower = text.toLowerCase(Locale.ROOT);
        int n = 0;
        var m = en.matcher(lower);
        while (m.find()) n++;
        for (String z : zh) for (int at = lower.indexOf(z); at >= 0; at = lower.indexOf(z, at + z.length())) n++;
        return n;
    }
}
