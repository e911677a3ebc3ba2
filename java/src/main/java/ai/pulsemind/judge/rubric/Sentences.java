package ai.pulsemind.judge.rubric;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/** Sentence splitting and the small text measures the rubric uses, for English and Chinese. */
final class Sentences {
    private Sentences() {}

    /**
     * Sentences of {@code text}: a boundary after 。！？!?；;… and newlines, and after a full stop followed by space
     * or the end (so "5.5 mg" and "e.g.x" stay whole). Each keeps its closing mark.
     */
    static List<String> split(String text) {
        List<String> out = new ArrayList<>();
        StringBuilder cur = new StringBuilder();
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c == '\n') { flush(cur, out); continue; }
            cur.append(c);
            boolean next = i + 1 >= text.length() || Character.isWhitespace(text.charAt(i + 1));
            if ("。！？!?；;…".indexOf(c) >= 0 || (c == '.' && next)) flush(cur, out);
        }
        flush(cur, out);
        return out;
    }

    private static void flush(StringBuilder cur, List<String> out) {
        String s = cur.toString().strip();
        if (!s.isEmpty()) out.add(s);
        cur.setLength(0);
    }

    static boolean isQuestion(String s) {
        String t = s.strip();
        if (t.endsWith("?") || t.endsWith("？")) return true;
        return t.contains("吗") && (t.endsWith("吗") || t.endsWith("吗。")) || t.contains("有没有") || t.contains("是否");
    }

    /** Whether {@code cjk} characters outnumber Latin letters: the text is Chinese. */
    static boolean looksChinese(String text) { return cjkShare(text) >= 0.5; }

    /** CJK ideographs / (CJK ideographs + Latin letters); 0 for text with neither. */
    static double cjkShare(String text) {
        long cjk = 0, latin = 0;
        for (int i = 0; i < text.length(); ) {
            int cp = text.codePointAt(i);
            i += Character.charCount(cp);
            if (Character.UnicodeScript.of(cp) == Character.UnicodeScript.HAN) cjk++;
            else if (Character.isLetter(cp) && Character.UnicodeScript.of(cp) == Character.UnicodeScript.LATIN) latin++;
        }
        return cjk + latin == 0 ? 0 : (double) cjk / (cjk + latin);
    }

    /** Words (English) or characters (Chinese) in a sentence, its marks left out. */
    static int length(String s, boolean zh) {
        if (zh) return (int) s.codePoints().filter(Character::isLetterOrDigit).count();
        int n = 0;
        for (String w : s.split("\\s+")) if (w.codePoints().anyMatch(Character::isLetterOrDigit)) n++;
        return n;
    }

    /** Lower case, runs of space as one, for comparing sentences. */
    static String norm(String s) { return s.toLowerCase(Locale.ROOT).replaceAll("\\s+", " ").strip(); }

    /**
     * Whether {@code key} occurs in {@code lowerText} at a word start (English; so "hot" does not match "photo")
     * or anywhere (Chinese). {@code lowerText} must be lower case.
     */
    static boolean hasKey(String lowerText, String key) { return keyAt(lowerText, key) >= 0; }

    /** Where {@link #hasKey} finds {@code key} first, or -1. */
    static int keyAt(String lowerText, String key) {
        String k = key.toLowerCase(Locale.ROOT);
        if (k.isEmpty()) return -1;
        boolean cjk = Character.UnicodeScript.of(k.codePointAt(0)) == Character.UnicodeScript.HAN;
        for (int at = lowerText.indexOf(k); at >= 0; at = lowerText.indexOf(k, at + 1))
            if (cjk || at == 0 || !Character.isLetterOrDigit(lowerText.charAt(at - 1))) return at;
        return -1;
    }

    /** Whether the text ends as finished text does (a closing mark, bracket or quote), not mid-word. */
    static boolean endsCleanly(String text) {
        String t = text.strip();
        if (t.isEmpty()) return false;
        char c = t.charAt(t.length() - 1);
        return ".!?。！？…)）\"”'’】]".indexOf(c) >= 0;
    }

    /** Whether a word repeats three or more times in a row ("very very very"), a sign of degenerate generation. */
    static boolean hasStutter(String text) {
        String[] w = text.toLowerCase(Locale.ROOT).split("[\\s,，、]+");
        for (int i = 2; i < w.length; i++) if (!w[i].isEmpty() && w[i].equals(w[i - 1]) && w[i].equals(w[i - 2])) return true;
        // Chinese has no spaces: the same 2–4 character run three times in a row
        for (int len = 2; len <= 4; len++)
            for (int i = 0; i + 3 * len <= text.length(); i++) {
                String a = text.substring(i, i + len);
                if (a.codePoints().allMatch(cp -> Character.UnicodeScript.of(cp) == Character.UnicodeScript.HAN)
                        && a.equals(text.substring(i + len, i + 2 * len)) && a.equals(text.substring(i + 2 * len, i + 3 * len))) return true;
            }
        return false;
    }
}
