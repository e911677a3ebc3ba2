package ai.pulsemind.data;

import com.fasterxml.jackson.databind.JsonNode;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Reads a JSONL file one line at a time (memory does not grow with the file). Blank lines are skipped; a UTF-8
 * byte-order mark on the first line is dropped; bytes that are not UTF-8 are an error naming the line.
 */
public final class JsonlReader implements AutoCloseable {
    /** One non-blank line: its 1-based number and text. */
    public record Line(long number, String text) {}

    private final Path file;
    private final BufferedReader in;
    private long lineNo;

    public JsonlReader(Path file) throws IOException {
        this.file = file;
        var dec = StandardCharsets.UTF_8.newDecoder()
                .onMalformedInput(CodingErrorAction.REPORT).onUnmappableCharacter(CodingErrorAction.REPORT);
        this.in = new BufferedReader(new InputStreamReader(Files.newInputStream(file), dec), 1 << 16);
    }

    public Path file() { return file; }

    /** The number of the last line read (1-based; 0 before the first). */
    public long lineNumber() { return lineNo; }

    /** The next non-blank line, or null at the end. */
    public Line next() throws IOException {
        while (true) {
            String s;
            try {
                s = in.readLine();
            } catch (CharacterCodingException e) {
                throw new DataError(file.toString(), lineNo + 1, "-", "not valid UTF-8 text");
            }
            if (s == null) return null;
            lineNo++;
            if (lineNo == 1 && !s.isEmpty() && s.charAt(0) == '\uFEFF') s = s.substring(1);
            if (!s.isBlank()) return new Line(lineNo, s);
        }
    }

    /** Parses one line as JSON; a syntax error becomes a {@link DataError} naming the line and column. */
    public static JsonNode parse(String file, Line line) { return Json.parseLine(file, line.number(), line.text()); }

    @Override
    public void close() throws IOException { in.close(); }
}
