package ai.pulsemind.tokenize;

import java.util.List;

/**
 * Text of a growing list of token ids, released piece by piece as ids arrive: what a chat window or a server's
 * stream shows. Two things are held back until they are resolved:
 * <ul>
 *   <li>the bytes of a character that is not complete yet (a token may end in the middle of a multi-byte UTF-8
 *       character, such as half an emoji or a CJK character split by BPE);</li>
 *   <li>text that may be the start of a stop string ("\nPatient:" arriving as "\nPat" + "ient:"): it is released
 *       once it can no longer become one, and a completed stop string ends the text before it.</li>
 * </ul>
 * The pieces released, joined, are exactly {@link Tokenizer#decode}{@code (ids, skipSpecial)} cut before the first
 * stop string; special tokens (with {@code skipSpecial}) and ids the tokenizer does not know (a model's padded
 * vocabulary rows) contribute nothing. Not thread-safe: one per sequence.
 */
public final class StreamingDetokenizer {
    private final Tokenizer tokenizer;
    private final List<String> stops;
    private final boolean skipSpecial;
    private byte[] pending = new byte[16];   // bytes not decoded yet (an incomplete character)
    private int pendingLength;
    private final StringBuilder held = new StringBuilder(); // decoded text not released yet (a possible stop start)
    private final StringBuilder released = new StringBuilder();
    private String stopped;                  // the stop string that ended the text, or null

    /**
     * @param stopStrings non-empty strings that end the text (the text before the first one is kept)
     * @param skipSpecial leave special added tokens ({@code <|im_end|>}, ...) out of the text
     */
    public StreamingDetokenizer(Tokenizer tokenizer, List<String> stopStrings, boolean skipSpecial) {
        this.tokenizer = tokenizer;
        this.stops = List.copyOf(stopStrings);
        for (String s : stops) if (s.isEmpty()) throw new IllegalArgumentException("stop strings must not be empty");
        this.skipSpecial = skipSpecial;
    }

    /** Adds one id and returns the text it releases (often empty; never text after a stop string). */
    public String push(int id) {
        if (stopped != null) return "";
        if (skipSpecial && tokenizer.isSpecial(id)) return "";
        byte[] b = tokenizer.tokenBytes(id);
        if (b == null) return ""; // not in the vocabulary: nothing to show
        if (pendingLength + b.length > pending.length) pending = java.util.Arrays.copyOf(pending, Math.max(2 * pending.length, pendingLength + b.length));
        System.arraycopy(b, 0, pending, pendingLength, b.length);
        pendingLength += b.length;
        int stable = Utf8.stablePrefix(pending, pendingLength);
        if (stable > 0) {
            held.append(Utf8.decodeLossy(java.util.Arrays.copyOf(pending, stable)));
            System.arraycopy(pending, stable, pending, 0, pendingLength - stable);
            pendingLength -= stable;
        }
        return release(false);
    }

    /**
     * The end of the sequence: releases whatever is still held (an incomplete character as U+FFFD, as
     * {@link Tokenizer#decode} shows it), unless a stop string ended the text already.
     */
    public String finish() {
        if (stopped != null) return "";
        if (pendingLength > 0) {
            held.append(Utf8.decodeLossy(java.util.Arrays.copyOf(pending, pendingLength)));
            pendingLength = 0;
        }
        return release(true);
    }

    /** The stop string that ended the text, or null. */
    public String stopString() { return stopped; }

    public boolean stopped() { return stopped != null; }

    /** All text released so far. */
    public String text() { return released.toString(); }

    /** Releases the held text up to a completed stop string, or up to the longest suffix that could start one. */
    private String release(boolean all) {
        int at = -1;
        String which = null;
        for (String s : stops) {
            int i = held.indexOf(s);
            if (i >= 0 && (at < 0 || i < at)) {
                at = i;
                which = s;
            }
        }
        int upTo;
        if (at >= 0) {
            stopped = which;
            upTo = at;
        } else {
            upTo = all ? held.length() : held.length() - possibleStopStart();
        }
        String out = held.substring(0, upTo);
        held.delete(0, at >= 0 ? held.length() : upTo);
        released.append(out);
        return out;
    }

    /** Length of the longest suffix of the held text that is a proper prefix of some stop string. */
    private int possibleStopStart() {
        String h = held.toString();
        int best = 0, n = h.length();
        for (String s : stops)
            for (int k = Math.min(n, s.length() - 1); k > best; k--)
                if (s.regionMatches(0, h, n - k, k)) {
                    best = k;
                    break;
                }
        return best;
    }
}
