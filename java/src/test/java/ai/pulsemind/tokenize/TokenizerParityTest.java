package ai.pulsemind.tokenize;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import ai.pulsemind.model.io.OracleFixtures;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Ids, decoded text and pre-tokenizer splits identical to the tokenizers library (tools/oracle fixtures). */
public class TokenizerParityTest {
    static JsonNode corpus;
    static Tokenizer qwen, tinyTrained, tinyTruncated;

    @BeforeAll
    static void load() throws IOException {
        corpus = new ObjectMapper().readTree(OracleFixtures.path("tokenizer/corpus.json").toFile());
        qwen = Tokenizer.load(OracleFixtures.path("tokenizer/qwen-tokenizer.json.gz"));
        tinyTrained = Tokenizer.load(OracleFixtures.path("tokenizer/tiny-trained.json"));
        tinyTruncated = Tokenizer.load(OracleFixtures.path("tokenizer/tiny-truncated.json"));
    }

    public static int[] ints(JsonNode arr) {
        int[] out = new int[arr.size()];
        for (int i = 0; i < out.length; i++) out[i] = arr.get(i).intValue();
        return out;
    }

    private static void checkCorpus(String key, Tokenizer tok) {
        List<String> failures = new ArrayList<>();
        int cases = 0;
        for (JsonNode c : corpus.get("cases")) {
            String text = c.get("text").asText();
            JsonNode want = c.get(key);
            int[] expect = ints(want.get("ids")), got = tok.encode(text);
            cases++;
            if (!Arrays.equals(expect, got)) {
                int at = 0;
                while (at < Math.min(expect.length, got.length) && expect[at] == got[at]) at++;
                failures.add("encode " + quote(text) + ": first difference at index " + at + "\n  expected " + Arrays.toString(expect)
                        + "\n  got      " + Arrays.toString(got));
            }
            check(failures, "decode " + quote(text), want.get("decoded").asText(), tok.decode(expect, false));
            check(failures, "decode(skip special) " + quote(text), want.get("decoded_skip_special").asText(), tok.decode(expect, true));
            JsonNode each = want.get("decoded_each");
            if (each != null)
                for (int i = 0; i < expect.length; i++)
                    check(failures, "decode([" + expect[i] + "])", each.get(i).asText(), tok.decode(new int[] {expect[i]}, false));
        }
        assertTrue(cases >= 25, "corpus too small: " + cases);
        if (!failures.isEmpty()) fail(key + ": " + failures.size() + " mismatches\n" + String.join("\n", failures));
    }

    private static void check(List<String> failures, String what, String expect, String got) {
        if (!expect.equals(got)) failures.add(what + ": expected " + quote(expect) + " got " + quote(got));
    }

    static String quote(String s) {
        StringBuilder sb = new StringBuilder("\"");
        s.codePoints().forEach(cp -> {
            if (cp >= 0x20 && cp < 0x7F && cp != '"') sb.append((char) cp);
            else sb.append(String.format("\\u{%X}", cp));
        });
        return sb.append('"').toString();
    }

    @Test
    void realQwenVocabulary() {
        assertEquals(151669, qwen.vocabSize()); // 151,643 BPE tokens + Qwen3's 26 added tokens
        checkCorpus("qwen", qwen);
    }

    @Test
    void tinyTrainedTokenizer() { checkCorpus("tiny_trained", tinyTrained); }

    @Test
    void tinyTruncatedQwenTokenizer() { checkCorpus("tiny_truncated", tinyTruncated); }

    @Test
    void specialTokens() {
        assertEquals(151644, qwen.requireId("<|im_start|>"));
        assertEquals(151655, qwen.requireId("<|image_pad|>"));
        assertTrue(qwen.isSpecial(151645));
        assertTrue(!qwen.isSpecial(151657)); // <tool_call> is added but not special
        assertEquals(-1, qwen.tokenToId("<|not_a_token|>"));
        assertEquals("<|im_end|>", qwen.idToToken(151645));
    }

    /**
     * Qwen's split regex as this engine compiles it, against the tokenizers library (Oniguruma) code point by code
     * point: the fixture records how two probe strings around each code point are cut.
     */
    @Test
    void splitRegexMatchesOniguruma() throws IOException {
        JsonNode cls = new ObjectMapper().readTree(OracleFixtures.path("tokenizer/split_classes.json").toFile());
        Pattern p = PreTokenizer.compile(cls.get("pattern").asText());
        List<String> probes = new ArrayList<>();
        cls.get("probes").forEach(n -> probes.add(n.asText()));
        List<String> bad = new ArrayList<>();
        long checked = 0;
        for (JsonNode r : cls.get("ranges")) {
            for (int cp = r.get(0).intValue(); cp <= r.get(1).intValue(); cp++) {
                if ((cp >= 0xD800 && cp <= 0xDFFF) || !exhaustive(cp) && cp % 61 != 0) continue;
                String sig = signature(p, probes, cp);
                checked++;
                if (!sig.equals(r.get(2).asText()) && bad.size() < 30)
                    bad.add(String.format("U+%04X (%s): expected %s got %s", cp, Character.getName(cp), r.get(2).asText(), sig));
            }
        }
        assertTrue(checked > 0x40000 - 0x800, "checked " + checked);
        if (!bad.isEmpty()) fail("split regex differs from the tokenizers library at:\n" + String.join("\n", bad));
    }

    /**
     * Code points checked one by one: planes 0-3 (every script, CJK extensions) and plane 14 (tags, variation
     * selectors). Planes 4-13 and 15-16 (unassigned and private use, one class each) are sampled every 61st, which
     * keeps the test around a second.
     */
    private static boolean exhaustive(int cp) { return cp < 0x40000 || (cp >= 0xE0000 && cp < 0xE1000); }

    private static String signature(Pattern p, List<String> probes, int cp) {
        String c = new String(Character.toChars(cp));
        StringBuilder sig = new StringBuilder();
        for (String probe : probes) {
            if (!sig.isEmpty()) sig.append('|');
            String s = probe.replace("{c}", c);
            Matcher m = p.matcher(s);
            List<String> lens = new ArrayList<>();
            int last = 0;
            while (m.find()) {
                if (m.start() > last) lens.add(String.valueOf(s.codePointCount(last, m.start())));
                lens.add(String.valueOf(s.codePointCount(m.start(), m.end())));
                last = m.end();
            }
            if (last < s.length()) lens.add(String.valueOf(s.codePointCount(last, s.length())));
            sig.append(String.join(",", lens));
        }
        return sig.toString();
    }
}
