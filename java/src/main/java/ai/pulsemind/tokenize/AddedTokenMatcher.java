package ai.pulsemind.tokenize;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Finds added tokens in text as the tokenizers library does: leftmost-longest, non-overlapping matches (its
 * Aho-Corasick automaton's MatchKind::LeftmostLongest), then the single_word, lstrip and rstrip rules applied to each
 * match in order.
 */
final class AddedTokenMatcher {
    /** A piece of text: an added token's id with its span, or plain text (id -1). */
    record Piece(int id, int start, int end) {}

    private final Map<Character, List<AddedToken>> byFirstChar = new HashMap<>();

    AddedTokenMatcher(List<AddedToken> tokens) {
        for (AddedToken t : tokens) byFirstChar.computeIfAbsent(t.content().charAt(0), k -> new ArrayList<>()).add(t);
        byFirstChar.values().forEach(l -> l.sort(Comparator.comparingInt((AddedToken t) -> -t.content().length())));
    }

    boolean isEmpty() { return byFirstChar.isEmpty(); }

    /** Splits {@code text} into plain pieces and added-token pieces, covering it without gaps. */
    List<Piece> split(String text) {
        List<Piece> out = new ArrayList<>();
        int plainStart = 0, from = 0; // from: where matching resumes (after the last kept match)
        for (int i = 0; i < text.length(); ) {
            AddedToken t = longestAt(text, i);
            if (t == null) {
                i++;
                continue;
            }
            int start = i, stop = i + t.content().length();
            i = stop; // matching is non-overlapping whether or not the rules below keep this match
            if (t.singleWord() && !(boundaryBefore(text, start) && boundaryAfter(text, stop))) continue;
            if (t.lstrip()) {
                int s = start;
                while (s > from && isWhiteSpace(text.charAt(s - 1))) s--;
                start = s;
            }
            if (t.rstrip()) {
                while (stop < text.length() && isWhiteSpace(text.charAt(stop))) stop++;
                i = stop;
            }
            if (start > plainStart) out.add(new Piece(-1, plainStart, start));
            out.add(new Piece(t.id(), start, stop));
            plainStart = from = stop;
        }
        if (plainStart < text.length()) out.add(new Piece(-1, plainStart, text.length()));
        return out;
    }

    private AddedToken longestAt(String text, int i) {
        List<AddedToken> cands = byFirstChar.get(text.charAt(i));
        if (cands == null) return null;
        for (AddedToken t : cands) if (text.startsWith(t.content(), i)) return t; // sorted longest first
        return null;
    }

    /** Unicode White_Space (Rust's char::is_whitespace); Java's isWhitespace leaves out no-break spaces and U+0085. */
    static boolean isWhiteSpace(char c) {
        return (c >= '\t' && c <= '\r') || c == ' ' || c == '\u0085' || c == '\u00A0' || c == '\u1680'
                || (c >= '\u2000' && c <= '\u200A') || c == '\u2028' || c == '\u2029' || c == '\u202F' || c == '\u205F'
                || c == '\u3000';
    }

    private static boolean isWordChar(int cp) { return Character.isLetterOrDigit(cp) || cp == '_'; }

    private static boolean boundaryBefore(String s, int i) { return i == 0 || !isWordChar(s.codePointBefore(i)); }

    private static boolean boundaryAfter(String s, int i) { return i == s.length() || !isWordChar(s.codePointAt(i)); }
}
