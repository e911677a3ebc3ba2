package ai.pulsemind.evaluate.publicbench;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Scoring of open-ended answers with the usual closed/open split of medical VQA (LLaVA-Med's protocol):
 * <ul>
 *   <li>closed questions (yes/no, or the record says {@code CLOSED}) are scored by accuracy: for a yes/no answer,
 *       the first yes or no in the reply ({@code yes_no_maybe}; {@code 是}/{@code 有} and {@code 否}/{@code 不是}/
 *       {@code 没有} for SLAKE's Chinese questions); otherwise the normalized reply equal to the answer
 *       ({@code exact}) or containing it as whole words ({@code contains});</li>
 *   <li>open questions by recall (the share of the answer's tokens found in the reply) and token F1, with
 *       exact match beside them; an open answer counts as correct when its recall is 1 (every answer token is in the
 *       reply), the figure LLaVA-Med reports as open accuracy.</li>
 * </ul>
 * Normalization: lower case, every character that is not a letter or a digit becomes a space, spaces collapse; a
 * CJK ideograph is a token by itself (Chinese has no spaces between words).
 */
public final class VqaScoring {
    private VqaScoring() {}

    /** The scores of one open-ended answer. */
    public record Scored(Extraction extraction, boolean correct, Double recall, Double f1, Boolean exact) {}

    public static Scored score(String reply, String answer, boolean closed) {
        String r = reply == null ? "" : reply;
        String n = normalize(r), gold = normalize(answer);
        if (closed) {
            String yn = yesNo(answer);
            if (yn != null) {
                String got = firstYesNo(n);
                return new Scored(got == null ? Extraction.none("none") : Extraction.of(got, "yes_no_maybe"), yn.equals(got), null, null, null);
            }
            if (!gold.isEmpty() && n.equals(gold)) return new Scored(Extraction.of(n, "exact"), true, null, null, null);
            if (!gold.isEmpty() && (" " + spaced(n) + " ").contains(" " + spaced(gold) + " "))
                return new Scored(Extraction.of(gold, "contains"), true, null, null, null);
            return new Scored(n.isEmpty() ? Extraction.none("none") : Extraction.of(n, "no_match"), false, null, null, null);
        }
        List<String> g = tokens(answer), p = tokens(r);
        int common = overlap(g, p);
        double recall = g.isEmpty() ? 0 : (double) common / g.size();
        double precision = p.isEmpty() ? 0 : (double) common / p.size();
        double f1 = common == 0 ? 0 : 2 * precision * recall / (precision + recall);
        boolean exact = !gold.isEmpty() && n.equals(gold);
        return new Scored(n.isEmpty() ? Extraction.none("none") : Extraction.of(n, "overlap"), !g.isEmpty() && common == g.size(), recall, f1, exact);
    }

    /** {@code yes} or {@code no} when the text is one of those (in English or Chinese), else null. */
    static String yesNo(String text) {
        String n = normalize(text == null ? "" : text);
        return switch (n) {
            case "yes", "是", "有", "是的" -> "yes";
            case "no", "否", "不是", "没有", "无" -> "no";
            default -> null;
        };
    }

    /** The first yes/no the reply gives: an English token, or the earliest Chinese form (longer forms first). */
    private static String firstYesNo(String normalized) {
        String[] zhNo = {"不是", "没有", "否", "无"}, zhYes = {"是", "有"};
        int best = Integer.MAX_VALUE;
        String got = null;
        String[] words = normalized.split(" ");
        int at = 0;
        for (String w : words) {
            if (w.equals("yes") || w.equals("no")) { best = at; got = w; break; }
            at += w.length() + 1;
        }
        for (String z : zhNo) { int i = normalized.indexOf(z); if (i >= 0 && i < best) { best = i; got = "no"; } }
        for (String z : zhYes) {
            int i = normalized.indexOf(z);
            // 是 inside 不是, 有 inside 没有 are the negative forms found above
            if (i >= 0 && i < best && !(i > 0 && (normalized.charAt(i - 1) == '不' || normalized.charAt(i - 1) == '没'))) { best = i; got = "yes"; }
        }
        return got;
    }

    /** Lower case, non-alphanumerics to spaces, spaces collapsed. */
    public static String normalize(String s) {
        StringBuilder sb = new StringBuilder(s.length());
        boolean space = true;
        for (int i = 0; i < s.length(); ) {
            int cp = s.codePointAt(i);
            i += Character.charCount(cp);
            if (Character.isLetterOrDigit(cp)) {
                sb.appendCodePoint(Character.toLowerCase(cp));
                space = false;
            } else if (!space) {
                sb.append(' ');
                space = true;
            }
        }
        int end = sb.length();
        if (end > 0 && sb.charAt(end - 1) == ' ') sb.setLength(end - 1);
        return sb.toString().toLowerCase(Locale.ROOT);
    }

    /** The normalized text with every CJK ideograph set apart by spaces. */
    private static String spaced(String normalized) { return String.join(" ", tokens(normalized)); }

    /** Tokens of the normalized text; each CJK ideograph is one token. */
    public static List<String> tokens(String s) {
        List<String> out = new ArrayList<>();
        for (String w : normalize(s).split(" ")) {
            if (w.isEmpty()) continue;
            StringBuilder run = new StringBuilder();
            for (int i = 0; i < w.length(); ) {
                int cp = w.codePointAt(i);
                i += Character.charCount(cp);
                if (Character.UnicodeScript.of(cp) == Character.UnicodeScript.HAN) {
                    if (!run.isEmpty()) { out.add(run.toString()); run.setLength(0); }
                    out.add(new String(Character.toChars(cp)));
                } else run.appendCodePoint(cp);
            }
            if (!run.isEmpty()) out.add(run.toString());
        }
        return out;
    }

    /** Size of the multiset intersection. */
    static int overlap(List<String> a, List<String> b) {
        Map<String, Integer> count = new HashMap<>();
        for (String t : b) count.merge(t, 1, Integer::sum);
        int n = 0;
        for (String t : a) {
            Integer c = count.get(t);
            if (c != null && c > 0) { n++; count.put(t, c - 1); }
        }
        return n;
    }
}
