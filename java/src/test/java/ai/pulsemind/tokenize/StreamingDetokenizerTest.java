package ai.pulsemind.tokenize;

import ai.pulsemind.model.io.OracleFixtures;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The streaming detokenizer against the tokenizer's own decode: pieces joined equal the whole decode, characters
 * split across tokens (CJK, emoji) are never shown half, stop strings end the text even when they straddle tokens,
 * and ids the tokenizer does not know show nothing.
 */
class StreamingDetokenizerTest {
    static Tokenizer qwen;

    @BeforeAll static void load() { qwen = Tokenizer.load(OracleFixtures.path("tokenizer/qwen-tokenizer.json.gz")); }

    /** Pushes every id, returns the pieces (the last one from finish()). */
    static List<String> stream(StreamingDetokenizer d, int[] ids) {
        List<String> pieces = new ArrayList<>();
        for (int id : ids) {
            if (d.stopped()) break;
            pieces.add(d.push(id));
        }
        pieces.add(d.finish());
        return pieces;
    }

    @Test
    void piecesJoinToTheDecodeAndNeverShowHalfACharacter() {
        String text = "患者主诉头痛三天 🤒🏽 fever 38.5°C — ok? <|im_end|> naïve café 👩‍⚕️";
        int[] ids = qwen.encode(text);
        List<String> pieces = stream(new StreamingDetokenizer(qwen, List.of(), true), ids);
        assertEquals(qwen.decode(ids, true), String.join("", pieces));
        for (String p : pieces) assertFalse(p.contains("\uFFFD"), "a piece shows a replacement character: " + p);
        // single ids of a multi-byte character decode to U+FFFD alone; the stream holds them back instead
        boolean split = false;
        for (int id : ids) split |= qwen.decode(new int[] {id}, true).contains("\uFFFD");
        assertTrue(split, "the text has characters split across tokens (else this test proves nothing)");
    }

    @Test
    void randomIdSequencesJoinToTheDecode() {
        SplittableRandom r = new SplittableRandom(3);
        for (int trial = 0; trial < 200; trial++) {
            int[] ids = r.ints(1 + r.nextInt(12), 0, qwen.vocabSize()).toArray();
            String joined = String.join("", stream(new StreamingDetokenizer(qwen, List.of(), false), ids));
            assertEquals(qwen.decode(ids, false), joined, java.util.Arrays.toString(ids));
        }
    }

    @Test
    void aStopStringAcrossTokensEndsTheTextBeforeIt() {
        String text = "Take ibuprofen.\nPatient: thanks";
        int[] ids = qwen.encode(text);
        StreamingDetokenizer d = new StreamingDetokenizer(qwen, List.of("\nPatient:", "never"), true);
        StringBuilder seen = new StringBuilder();
        int used = 0;
        for (int id : ids) {
            seen.append(d.push(id));
            used++;
            if (d.stopped()) break;
            assertFalse(seen.toString().contains("\nPat"), "the start of the stop string was shown: " + seen);
        }
        assertTrue(d.stopped());
        assertEquals("\nPatient:", d.stopString());
        assertEquals("Take ibuprofen.", d.text());
        assertEquals("Take ibuprofen.", seen.toString());
        assertTrue(used < ids.length, "stopped at the token that completed it");
        for (int id : ids) assertFalse(qwen.decode(new int[] {id}).contains("\nPatient:"), "the stop string spans tokens");
    }

    @Test
    void heldTextThatCannotStartAStopStringIsReleased() {
        StreamingDetokenizer d = new StreamingDetokenizer(qwen, List.of("STOP"), true);
        StringBuilder out = new StringBuilder();
        for (int id : qwen.encode("a ST")) out.append(d.push(id));
        assertEquals("a ", out.toString(), "\"ST\" may begin STOP: held");
        for (int id : qwen.encode("AR")) out.append(d.push(id));
        assertEquals("a STAR", out.toString(), "STAR is not STOP: released");
        out.append(d.finish());
        assertNull(d.stopString());
    }

    @Test
    void unknownIdsAndSpecialTokensShowNothing() {
        StreamingDetokenizer d = new StreamingDetokenizer(qwen, List.of(), true);
        int imEnd = qwen.requireId("<|im_end|>");
        assertEquals("", d.push(qwen.vocabSize() + 5));
        assertEquals("", d.push(imEnd));
        StringBuilder s = new StringBuilder();
        for (int id : qwen.encode("hi")) s.append(d.push(id));
        s.append(d.finish());
        assertEquals("hi", s.toString());
    }
}
