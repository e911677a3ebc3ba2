package ai.pulsemind.tokenize;

/**
 * Lossy UTF-8 decoding with the "maximal subpart" rule (Unicode §3.9, WHATWG, Rust's {@code from_utf8_lossy}):
 * each maximal prefix of an ill-formed sequence becomes one U+FFFD. Decoded text of a partial token (half an
 * emoji) must show the same replacement characters as the {@code tokenizers} library.
 */
final class Utf8 {
    private Utf8() {}

    /**
     * The length of the longest prefix of {@code b[0, n)} whose lossy decoding no later byte can change: all of it,
     * less a trailing sequence that is a valid start of a character still missing continuation bytes.
     */
    static int stablePrefix(byte[] b, int n) {
        for (int back = 1; back <= Math.min(3, n); back++) {
            int b0 = b[n - back] & 0xFF;
            if (b0 < 0x80) return n;             // ASCII: complete
            if (b0 < 0xC0) continue;             // a continuation byte: look further back for its lead
            int need = b0 >= 0xC2 && b0 <= 0xDF ? 1 : b0 >= 0xE0 && b0 <= 0xEF ? 2 : b0 >= 0xF0 && b0 <= 0xF4 ? 3 : -1;
            if (need < 0 || back > need) return n; // an invalid lead, or a complete character: final either way
            // back − 1 continuations follow the lead; they must be the valid ones so far for it to be a true start
            int lo = b0 == 0xE0 ? 0xA0 : b0 == 0xF0 ? 0x90 : 0x80, hi = b0 == 0xED ? 0x9F : b0 == 0xF4 ? 0x8F : 0xBF;
            for (int k = 1; k < back; k++) {
                int c = b[n - back + k] & 0xFF;
                if (k == 1 ? (c < lo || c > hi) : (c < 0x80 || c > 0xBF)) return n;
            }
            return n - back;
        }
        return n;
    }

    static String decodeLossy(byte[] b) {
        StringBuilder sb = new StringBuilder(b.length);
        int i = 0, n = b.length;
        while (i < n) {
            int b0 = b[i] & 0xFF;
            if (b0 < 0x80) {
                sb.append((char) b0);
                i++;
                continue;
            }
            int need, lo = 0x80, hi = 0xBF, cp;
            if (b0 >= 0xC2 && b0 <= 0xDF) { need = 1; cp = b0 & 0x1F; }
            else if (b0 >= 0xE0 && b0 <= 0xEF) {
                need = 2;
                cp = b0 & 0x0F;
                if (b0 == 0xE0) lo = 0xA0;
                if (b0 == 0xED) hi = 0x9F; // no surrogates
            } else if (b0 >= 0xF0 && b0 <= 0xF4) {
                need = 3;
                cp = b0 & 0x07;
                if (b0 == 0xF0) lo = 0x90;
                if (b0 == 0xF4) hi = 0x8F; // nothing above U+10FFFF
            } else {
                sb.append('\uFFFD');
                i++;
                continue;
            }
            int k = 1;
            for (; k <= need; k++) {
                if (i + k >= n) break;
                int c = b[i + k] & 0xFF;
                if (k == 1 ? (c < lo || c > hi) : (c < 0x80 || c > 0xBF)) break;
                cp = (cp << 6) | (c & 0x3F);
            }
            if (k <= need) {
                sb.append('\uFFFD'); // the lead byte and the valid continuations seen so far
                i += k;
            } else {
                sb.appendCodePoint(cp);
                i += need + 1;
            }
        }
        return sb.toString();
    }
}
