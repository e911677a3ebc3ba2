package ai.pulsemind.data;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** JSON syntax errors in plain words, at the file's line and column, never in the parser's own wording. */
class JsonTest {
    @TempDir Path tmp;

    static String plain(String text) {
        try {
            new ObjectMapper().enable(com.fasterxml.jackson.databind.DeserializationFeature.FAIL_ON_TRAILING_TOKENS).readTree(text);
        } catch (JsonProcessingException e) {
            return Json.plain(e);
        }
        throw new AssertionError("parsed: " + text);
    }

    @Test
    void commonMistakesInPlainWords() {
        assertEquals("expected ',' or '}' after an object entry, found '\"'", plain("{\"a\":1 \"b\":2}"));
        assertEquals("expected a field name in double quotes, found 'a'", plain("{a:1}"));
        assertEquals("field names need double quotes, found a single quote", plain("{'a':1}"));
        assertEquals("expected a value, found ']'", plain("[1,]"));
        assertEquals("expected ',' or ']' after an array element, found '2'", plain("[1 2]"));
        assertEquals("expected ':' after a field name, found '1'", plain("{\"a\" 1}"));
        assertEquals("the text ends before the array opened at line 1, column 6 is closed (truncated?)", plain("{\"a\":[1,2"));
        assertEquals("the text ends inside a string (truncated?)", plain("{\"a\":\"xx"));
        assertEquals("'oops' is not a JSON value (text needs double quotes; the literals are true, false and null)", plain("oops"));
        assertEquals("'NaN' is not a JSON value (text needs double quotes; the literals are true, false and null)", plain("{\"a\":NaN}"));
        assertEquals("a control character (code 10) inside a string; escape it (\\n for a line break, \\t for a tab)", plain("{\"a\":\"x\ny\"}"));
        assertEquals("'}' closes nothing (one too many?)", plain("{\"a\":1}}"));
        assertEquals("'}' where ']' should close the array opened at line 1, column 1", plain("[1}"));
        assertEquals("more text after the end of the JSON value", plain("{\"a\":1} {}"));
        assertEquals("'\\q' is not a JSON escape (write \\\\ for a backslash)", plain("{\"a\":\"\\q\"}"));
        assertEquals("invalid number: leading zeroes not allowed", plain("{\"a\":01}"));
        assertEquals("incomplete number before '}'", plain("{\"a\":-}"));
    }

    @Test
    void noParserInternalsInAnyMessage() {
        for (String bad : new String[] {"{\"a\":1 \"b\":2}", "[1,]", "{\"a\":[1,2", "oops", "{\"a\":1} {}", "[1}", "{\"a\":NaN}", "{\"a\":1.}"}) {
            String m = plain(bad);
            for (String internal : new String[] {"code ", "START_", "`", "Source", "JsonNode", "Feature", "token '"})
                assertFalse(m.contains(internal) && !m.startsWith("'"), bad + " -> " + m);
            assertFalse(m.contains("(code"), m);
        }
    }

    @Test
    void fileErrorsNameFileLineAndColumn() throws Exception {
        Path f = tmp.resolve("config.json");
        Files.writeString(f, "{\n  \"a\": 1,\n  \"b\" 2\n}\n");
        DataError e = assertThrows(DataError.class, () -> Json.readFile(f));
        assertEquals(f + ":3: -: malformed JSON at column 7: expected ':' after a field name, found '2'", e.getMessage());
        Files.writeString(f, "   \n");
        assertEquals(f + ": the file is empty (expected JSON)", assertThrows(DataError.class, () -> Json.readFile(f)).getMessage());
        Files.writeString(f, "\uFEFF{\"é\": \"ü\"}");
        assertEquals("ü", Json.readFile(f).get("é").asText(), "a byte-order mark is skipped");
        Files.write(f, new byte[] {'{', '"', 'a', '"', ':', '"', (byte) 0xff, '"', '}'});
        assertEquals(f + ": not valid UTF-8 text", assertThrows(DataError.class, () -> Json.readFile(f)).getMessage());
        Path none = tmp.resolve("none.json");
        assertEquals(none + ": no such file", assertThrows(DataError.class, () -> Json.readFile(none)).getMessage());
    }

    @Test
    void jsonLinesNameTheFileLine() {
        DataError e = assertThrows(DataError.class, () -> Json.parseLine("d.jsonl", 12, "{\"id\": \"x\", }"));
        assertEquals("d.jsonl:12: -: malformed JSON at column 13: expected a field name in double quotes, found '}'", e.getMessage());
    }

    @Test
    void anImportOfAJsonListSaysWhereItBroke() throws Exception {
        Path in = tmp.resolve("list.json");
        Files.writeString(in, "[\n  {\"conversations\": [{\"from\": \"human\", \"value\": \"hi\"}, {\"from\": \"gpt\", \"value\": \"hello\"}]},\n  {\"conversations\": [ {\"from\": \"human\" \"value\": \"x\"}]}\n]\n",
                StandardCharsets.UTF_8);
        DataCommandsTest.Run r = DataCommandsTest.run("data", "import", "--format", "sharegpt", "--input", in.toString(),
                "--out", tmp.resolve("out").toString());
        assertEquals(1, r.code());
        assertTrue(r.err().contains("1 record(s) written before the problem are kept"), r.err());
        assertTrue(r.err().contains("error: " + in + ":3: -: malformed JSON at column 40: expected ',' or '}' after an object "
                + "entry, found '\"'; the rest of this file cannot be read"), r.err());
    }
}
