package ai.pulsemind.evaluate.publicbench;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The answer a free-text reply gives to a multiple-choice question, by the paper's protocol: rules first, in this
 * order, the first that finds an answer wins; the similarity fallback only when no rule matches.
 *
 * <ol>
 *   <li>{@code letter.*}: an option letter stated as the answer: the whole reply ({@code B}, {@code (B)}, {@code B.}),
 *       a leading letter ({@code B. Radial nerve}), an answer phrase ({@code the answer is B}, {@code Answer: (B)},
 *       {@code 答案是B}, {@code answer: b} at the end of the reply; the last one counts), then, only when a single option letter is named that way,
 *       {@code option B}, {@code (B)}, or a lone capital letter ({@code A} followed by a lower-case word is read as
 *       the article);</li>
 *   <li>{@code option_text}: an option's text in the reply, as whole words, ignoring case and punctuation (an option
 *       whose text lies inside another matching option's is dropped; of several, the one named first);</li>
 *   <li>{@code yes_no_maybe}: for yes/no/maybe questions (PubMedQA), whose prompt shows no letters, this rule
 *       replaces the two above: the first of those words in the reply;</li>
 *   <li>{@code similarity}: the option whose text is closest to the reply ({@link SequenceRatio}, on lower-cased
 *       text with whitespace collapsed; ties go to the earlier option);</li>
 *   <li>{@code none}: an empty reply.</li>
 * </ol>
 * Only letters that are options count; {@code (E)} in a four-option question is passed over.
 */
final class McqRules {
    private McqRules() {}

    private static final Pattern BARE = Pattern.compile("^[(\\[]?([A-Z])[)\\]]?[.:：]?$");
    private static final Pattern LEADING = Pattern.compile("^[(\\[]?([A-Z])(?:[)\\].:：]|\\s+-)\\s");
    private static final Pattern ANSWER_PHRASE = Pattern.compile(
            "(?:[Aa]nswer|ANSWER)(?:\\s+(?:is|would be|should be|will be|IS))?(?:\\s*[:：])?\\s*(?:[Oo]ption\\s*)?[(\\[]?([A-Z])[)\\]]?(?![A-Za-z0-9])"
                    + "|答案\\s*(?:是|为|應為|应为)?\\s*[:：]?\\s*(?:选项)?\\s*[(（]?([A-Z])"
                    // a lower-case letter only where nothing follows it, so "the answer is a nerve" is not "A"
                    + "|(?:[Aa]nswer|ANSWER)(?:\\s+(?:is|would be|should be|will be))?(?:\\s*[:：])?\\s*[(\\[]?([a-z])[)\\]]?\\.?\\s*$");
    private static final Pattern OPTION_PHRASE = Pattern.compile("(?:[Oo]ption|[Cc]hoice|OPTION)\\s*[(\\[]?([A-Z])[)\\]]?(?![A-Za-z0-9])");
    private static final Pattern PAREN = Pattern.compile("[(\\[（]([A-Z])[)\\]）]");
    private static final Pattern TOKEN = Pattern.compile("(?<![A-Za-z0-9])([A-Z])(?![A-Za-z0-9])(\\s+[a-z])?");

    static Extraction extract(String reply, Map<String, String> options) {
        String r = reply == null ? "" : reply.replace("*", "").replace("`", "").strip();
        if (r.isEmpty()) return Extraction.none("none");
        if (yesNoMaybe(options)) {
            String k = firstWord(r, options);
            if (k != null) return Extraction.of(k, "yes_no_maybe");
            return similarity(r, options);
        }
        Extraction e = letter(r, options);
        if (e != null) return e;
        String k = optionText(r, options);
        if (k != null) return Extraction.of(k, "option_text");
        return similarity(r, options);
    }

    /** Whether every option's text is yes, no or maybe (PubMedQA's options). */
    static boolean yesNoMaybe(Map<String, String> options) {
        for (String v : options.values()) {
            String n = VqaScoring.normalize(v);
            if (!n.equals("yes") && !n.equals("no") && !n.equals("maybe")) return false;
        }
        return true;
    }

    private static Extraction letter(String r, Map<String, String> options) {
        Matcher m = BARE.matcher(r);
        if (m.find() && options.containsKey(m.group(1))) return Extraction.of(m.group(1), "letter.bare");
        m = LEADING.matcher(r);
        if (m.find() && options.containsKey(m.group(1))) return Extraction.of(m.group(1), "letter.leading");
        String last = null;
        m = ANSWER_PHRASE.matcher(r);
        while (m.find()) {
            String g = m.group(1) != null ? m.group(1) : m.group(2) != null ? m.group(2) : m.group(3).toUpperCase(Locale.ROOT);
            if (options.containsKey(g)) last = g;
        }
        if (last != null) return Extraction.of(last, "letter.answer_phrase");
        String one = single(OPTION_PHRASE.matcher(r), options, false);
        if (one != null) return Extraction.of(one, "letter.option_phrase");
        one = single(PAREN.matcher(r), options, false);
        if (one != null) return Extraction.of(one, "letter.paren");
        one = single(TOKEN.matcher(r), options, true);
        if (one != null) return Extraction.of(one, "letter.token");
        return null;
    }

    /** The one option letter the matches name, or null when they name none or several. */
    private static String single(Matcher m, Map<String, String> options, boolean articles) {
        Set<String> seen = new LinkedHashSet<>();
        while (m.find()) {
            String g = m.group(1);
            if (articles && (g.equals("A") || g.equals("I")) && m.group(2) != null) continue; // "A patient", "I think"
            if (options.containsKey(g)) seen.add(g);
        }
        return seen.size() == 1 ? seen.iterator().next() : null;
    }

    private static String optionText(String r, Map<String, String> options) {
        String hay = " " + VqaScoring.normalize(r) + " ";
        List<String> keys = new ArrayList<>();
        List<String> texts = new ArrayList<>();
        options.forEach((k, v) -> {
            String t = VqaScoring.normalize(v);
            if (!t.isEmpty() && hay.contains(" " + t + " ")) { keys.add(k); texts.add(t); }
        });
        String best = null;
        int bestAt = Integer.MAX_VALUE;
        for (int i = 0; i < keys.size(); i++) {
            boolean inner = false;
            for (int j = 0; j < keys.size(); j++)
                if (j != i && texts.get(j).length() > texts.get(i).length() && (" " + texts.get(j) + " ").contains(" " + texts.get(i) + " ")) inner = true;
            int at = hay.indexOf(" " + texts.get(i) + " ");
            if (!inner && at < bestAt) { best = keys.get(i); bestAt = at; }
        }
        return best;
    }

    /** The option whose text is the first of the reply's words (yes/no/maybe questions). */
    private static String firstWord(String r, Map<String, String> options) {
        for (String w : VqaScoring.normalize(r).split(" "))
            for (var e : options.entrySet()) if (VqaScoring.normalize(e.getValue()).equals(w)) return e.getKey();
        return null;
    }

    private static Extraction similarity(String r, Map<String, String> options) {
        String reply = squash(r);
        String best = null;
        double score = -1;
        for (var e : options.entrySet()) {
            double s = SequenceRatio.ratio(squash(e.getValue()), reply);
            if (s > score) { score = s; best = e.getKey(); }
        }
        return score > 0 ? new Extraction(best, "similarity", score, null) : Extraction.none("none");
    }

    private static String squash(String s) { return s.toLowerCase(Locale.ROOT).strip().replaceAll("\\s+", " "); }
}
