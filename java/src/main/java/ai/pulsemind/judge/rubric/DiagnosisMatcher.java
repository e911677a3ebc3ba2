package ai.pulsemind.judge.rubric;

import ai.pulsemind.data.Diagnosis;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.TreeSet;

/**
 * Finds the record's diagnosis and its differentials in a doctor's sentences and tells what the doctor concluded.
 * A mention in a sentence that rules it out ("X is less likely", "可能性较小", "rule out X") sets it aside; any other
 * mention asserts it. Names match in full, without their bracketed part, or by the bracketed part alone
 * ("Graves' disease (hyperthyroidism)"), longest first, so one name inside another is not counted twice.
 */
final class DiagnosisMatcher {
    /** What the doctor concluded. */
    enum Status {
        /** The record's diagnosis, with no look-alike left standing. */
        CORRECT,
        /** The diagnosis and a look-alike both left standing, or the diagnosis with open uncertainty. */
        HEDGED,
        /** A look-alike asserted and the diagnosis not. */
        WRONG,
        /** Neither named. */
        NONE
    }

    /**
     * @param status      the conclusion
     * @param ruledOut    look-alikes explicitly set aside
     * @param named       the names asserted, for the rationale
     */
    record Conclusion(Status status, int ruledOut, List<String> named) {}

    private record Variant(String text, int owner) {} // owner 0 = the diagnosis, k > 0 = differential k-1

    private final List<Variant> variants = new ArrayList<>();
    private final List<String> names = new ArrayList<>();

    DiagnosisMatcher(Diagnosis d) {
        add(d.name(), 0);
        for (int i = 0; i < d.differentials().size(); i++) add(d.differentials().get(i), i + 1);
        variants.sort(Comparator.comparingInt((Variant v) -> v.text.length()).reversed());
    }

    private void add(String name, int owner) {
        names.add(name);
        String n = name.toLowerCase(Locale.ROOT).strip();
        variant(n, owner);
        int open = Math.max(n.indexOf('('), n.indexOf('（'));
        if (open > 0) {
            variant(n.substring(0, open).strip(), owner);
            int close = Math.max(n.indexOf(')', open), n.indexOf('）', open));
            if (close > open) variant(n.substring(open + 1, close).strip(), owner);
        }
    }

    private void variant(String v, int owner) {
        if (v.codePointCount(0, v.length()) >= 2 && variants.stream().noneMatch(x -> x.text.equals(v))) variants.add(new Variant(v, owner));
    }

    /** Which names a sentence mentions (owner indices), longest names first, overlaps masked. */
    List<Integer> mentions(String sentence) {
        StringBuilder s = new StringBuilder(sentence.toLowerCase(Locale.ROOT));
        List<Integer> out = new ArrayList<>();
        for (Variant v : variants) {
            for (int at = s.indexOf(v.text); at >= 0; at = s.indexOf(v.text, at + 1)) {
                if (!out.contains(v.owner)) out.add(v.owner);
                for (int i = at; i < at + v.text.length(); i++) s.setCharAt(i, '\u0000'); // mask the span
            }
        }
        return out;
    }

    /** Whether a sentence asserts any of the names. */
    boolean asserts(String sentence) { return !mentions(sentence).isEmpty() && !Lexicon.RULE_OUT.in(sentence); }

    Conclusion conclude(List<String> sentences) {
        boolean right = false, hedge = false;
        List<String> named = new ArrayList<>();
        Set<Integer> wrong = new TreeSet<>(), out = new TreeSet<>();
        for (String s : sentences) {
            List<Integer> m = mentions(s);
            if (m.isEmpty()) continue;
            boolean rules = Lexicon.RULE_OUT.in(s);
            for (int owner : m) {
                if (rules) { if (owner > 0) out.add(owner); continue; }
                if (owner == 0) { right = true; hedge |= Lexicon.HEDGE.in(s); }
                else wrong.add(owner);
                if (!named.contains(names.get(owner))) named.add(names.get(owner));
            }
        }
        Status st = right ? (wrong.isEmpty() && !hedge ? Status.CORRECT : Status.HEDGED) : wrong.isEmpty() ? Status.NONE : Status.WRONG;
        out.removeAll(wrong);
        return new Conclusion(st, out.size(), named);
    }
}
