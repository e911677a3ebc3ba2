package ai.pulsemind.tokenize;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * GPT-2's byte-to-unicode map, used by byte-level BPE: every byte becomes one printable code point, so a token is
 * a plain string. Printable Latin-1 bytes ('!'..'~', '¡'..'¬', '®'..'ÿ') map to themselves, the other 68 to
 * U+0100 upwards in byte order (space is 'Ġ', newline 'Ċ').
 */
final class ByteLevel {
    private static final char[] BYTE_TO_CHAR = new char[256];
    private static final int[] CHAR_TO_BYTE = new int[0x180]; // every mapped char is below U+0180

    static {
        java.util.Arrays.fill(CHAR_TO_BYTE, -1);
        int extra = 0;
        for (int b = 0; b < 256; b++) {
            boolean printable = (b >= '!' && b <= '~') || (b >= 0xA1 && b <= 0xAC) || (b >= 0xAE && b <= 0xFF);
            char c = printable ? (char) b : (char) (256 + extra++);
            BYTE_TO_CHAR[b] = c;
            CHAR_TO_BYTE[c] = b;
        }
    }

    private ByteLevel() {}

    /** The byte-level string of {@code text}'s UTF-8 bytes. */
    static String encode(String text) {
        byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
        char[] out = new char[bytes.length];
        for (int i = 0; i < bytes.length; i++) out[i] = BYTE_TO_CHAR[bytes[i] & 0xFF];
        return new String(out);
    }

    /** The byte of a mapped char, or -1. */
    static int byteOf(char c) { return c < CHAR_TO_BYTE.length ? CHAR_TO_BYTE[c] : -1; }

    /** Every mapped char, in byte order: the initial alphabet of a byte-level BPE. */
    static char charOf(int b) { return BYTE_TO_CHAR[b]; }

    /**
     * The ByteLevel decoder: each token's chars back to bytes (a token with an unmapped char, such as an added token
     * outside the map, contributes its own UTF-8 bytes), then one lossy UTF-8 decode of the whole run, as the
     * {@code tokenizers} library does (invalid sequences become U+FFFD).
     */
    static String decode(List<String> tokens) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (String t : tokens) {
            byte[] bytes = bytes(t);
            out.write(bytes, 0, bytes.length);
        }
        return Utf8.decodeLossy(out.toByteArray());
    }

    /** One token's bytes under the decoder: its chars mapped back, or its own UTF-8 when a char is unmapped. */
    static byte[] bytes(String t) {
        byte[] mapped = new byte[t.length()];
        for (int i = 0; i < t.length(); i++) {
            int b = byteOf(t.charAt(i));
            if (b < 0) return t.getBytes(StandardCharsets.UTF_8);
            mapped[i] = (byte) b;
        }
        return mapped;
    }
}
