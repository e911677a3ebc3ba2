package ai.pulsemind.data;

import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.IOException;
import java.nio.charset.CharacterCodingException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The one way JSON is read from files people write: syntax errors say where (line and column, in characters) and
 * what, in plain words ({@code expected ',' or '}' after an object entry, found '"'}), never the JSON library's
 * internal wording (token types, feature names, "code 34"). Everything that reads a user's JSON goes through
 * {@link #readFile}, {@link #parseLine} or, where the caller has its own exception type, {@link #describe}.
 */
public final class Json {
    private Json() {}

    /** Trailing text after the value is an error; otherwise the plain Jackson tree model. */
    private static final ObjectMapper MAPPER = new ObjectMapper().enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS);

    /**
     * A whole file as one JSON value. Problems are {@link DataError}s naming the file and line: no such file, not
     * UTF-8, empty, or malformed ({@code file:3: -: malformed JSON at column 12: ...}).
     */
    public static JsonNode readFile(Path file) throws IOException {
        String name = file.toString();
        JsonNode n;
        try {
            String text = Files.readString(file); // strict UTF-8; columns then count characters
            if (!text.isEmpty() && text.charAt(0) == '\uFEFF') text = text.substring(1); // byte-order mark
            n = MAPPER.readTree(text);
        } catch (NoSuchFileException e) {
            throw new DataError(name, 0, "-", "no such file");
        } catch (CharacterCodingException e) {
            throw new DataError(name, 0, "-", "not valid UTF-8 text");
        } catch (JsonProcessingException e) {
            throw error(name, e, 1);
        }
        if (n == null || n.isMissingNode()) throw new DataError(name, 0, "-", "the file is empty (expected JSON)");
        return n;
    }

    /** One line of a JSON-lines file; a syntax error names {@code file:line} and the column. */
    public static JsonNode parseLine(String file, long line, String text) {
        try {
            JsonNode n = MAPPER.readTree(text);
            if (n == null || n.isMissingNode()) throw new DataError(file, line, "-", "the line holds no JSON value");
            return n;
        } catch (JsonProcessingException e) {
            throw error(file, e, line);
        }
    }

    /**
     * A syntax error as a {@link DataError}: {@code firstLine} is the file line where the parsed text started (1
     * for a whole file), so the error names the file's line, not the parser's.
     */
    public static DataError error(String file, JsonProcessingException e, long firstLine) {
        JsonLocation loc = e.getLocation();
        long line = loc != null && loc.getLineNr() > 0 ? firstLine + loc.getLineNr() - 1 : firstLine;
        String col = loc != null && loc.getColumnNr() > 0 ? " at column " + loc.getColumnNr() : "";
        DataError d = new DataError(file, line, "-", "malformed JSON" + col + ": " + plain(e));
        d.initCause(e);
        return d;
    }

    /** {@code malformed JSON at line 3, column 12: ...}, for callers that name the file in their own exception. */
    public static String describe(JsonProcessingException e) {
        JsonLocation loc = e.getLocation();
        String where = loc == null || loc.getLineNr() <= 0 ? ""
                : " at line " + loc.getLineNr() + (loc.getColumnNr() > 0 ? ", column " + loc.getColumnNr() : "");
        return "malformed JSON" + where + ": " + plain(e);
    }

    private static final Pattern UNEXPECTED = Pattern.compile("^Unexpected character \\('(.*?)' \\(code \\d+\\)\\)(?: in numeric value)?: (.*)$", Pattern.DOTALL);
    private static final Pattern UNCLOSED = Pattern.compile("^Unexpected end-of-input: expected close marker for (Object|Array).*?line: (\\d+), column: (\\d+)", Pattern.DOTALL);
    private static final Pattern WRONG_CLOSE = Pattern.compile("^Unexpected close marker '(.)': expected '(.)' \\(for (Object|Array) starting at .*?line: (\\d+), column: (\\d+)", Pattern.DOTALL);
    private static final Pattern CLOSE = Pattern.compile("^Unexpected close marker '(.)'");
    private static final Pattern TOKEN = Pattern.compile("^(?:Unrecognized|Non-standard) token '(.*?)'", Pattern.DOTALL);
    private static final Pattern CTRL = Pattern.compile("^Illegal unquoted character \\(\\(CTRL-CHAR, code (\\d+)\\)\\)");
    private static final Pattern ESCAPE = Pattern.compile("^Unrecognized character escape '(.)'");

    /** What is wrong, in plain words, from the parser's own message (which names its internals). */
    public static String plain(JsonProcessingException e) {
        String m = e.getOriginalMessage() == null ? "" : e.getOriginalMessage();
        Matcher x;
        if ((x = UNEXPECTED.matcher(m)).find()) return unexpected(x.group(1), x.group(2));
        if ((x = UNCLOSED.matcher(m)).find())
            return "the text ends before the " + x.group(1).toLowerCase(java.util.Locale.ROOT) + " opened at line " + x.group(2)
                    + ", column " + x.group(3) + " is closed (truncated?)";
        if (m.startsWith("Unexpected end-of-input"))
            return m.contains("quote") ? "the text ends inside a string (truncated?)" : "the text ends in the middle of a value (truncated?)";
        if ((x = WRONG_CLOSE.matcher(m)).find())
            return "'" + x.group(1) + "' where '" + x.group(2) + "' should close the " + x.group(3).toLowerCase(java.util.Locale.ROOT)
                    + " opened at line " + x.group(4) + ", column " + x.group(5);
        if ((x = CLOSE.matcher(m)).find()) return "'" + x.group(1) + "' closes nothing (one too many?)";
        if ((x = TOKEN.matcher(m)).find())
            return "'" + x.group(1) + "' is not a JSON value (text needs double quotes; the literals are true, false and null)";
        if ((x = CTRL.matcher(m)).find())
            return "a control character (code " + x.group(1) + ") inside a string; escape it (\\n for a line break, \\t for a tab)";
        if ((x = ESCAPE.matcher(m)).find()) return "'\\" + x.group(1) + "' is not a JSON escape (write \\\\ for a backslash)";
        if (m.startsWith("Trailing token")) return "more text after the end of the JSON value";
        if (m.startsWith("Invalid numeric value: ")) return "invalid number: " + lowerFirst(m.substring(23));
        if (m.startsWith("Invalid UTF-8")) return "bytes that are not UTF-8 text";
        // Anything else: the parser's sentence without its source dumps, character codes and feature names.
        return m.replaceAll("\\s*\\(?(start marker at )?\\[Source:.*?\\]\\)?", "").replaceAll(" \\(code \\d+\\)", "")
                .replaceAll(":? ?(enable|not allowed as per) `[^`]*`.*$", "").strip();
    }

    private static String unexpected(String ch, String expecting) {
        String found = "found " + (ch.equals("'") ? "a single quote" : "'" + ch + "'");
        if (expecting.contains("comma to separate Object")) return "expected ',' or '}' after an object entry, " + found;
        if (expecting.contains("comma to separate Array")) return "expected ',' or ']' after an array element, " + found;
        if (expecting.contains("double-quote to start field name"))
            return ch.equals("'") ? "field names need double quotes, found a single quote" : "expected a field name in double quotes, " + found;
        if (expecting.contains("colon to separate")) return "expected ':' after a field name, " + found;
        if (expecting.startsWith("expected a valid value")) return "expected a value, " + found;
        if (expecting.contains("minus sign") || expecting.contains("Decimal point")) return "incomplete number before '" + ch + "'";
        return "unexpected '" + ch + "'";
    }

    private static String lowerFirst(String s) { return s.isEmpty() ? s : Character.toLowerCase(s.charAt(0)) + s.substring(1); }
}
