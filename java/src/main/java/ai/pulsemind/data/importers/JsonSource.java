package ai.pulsemind.data.importers;

import ai.pulsemind.data.DataError;
import ai.pulsemind.data.Json;
import ai.pulsemind.data.JsonlReader;
import ai.pulsemind.data.Records;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.JsonNode;

import java.io.IOException;
import java.io.InputStream;
import java.io.PushbackInputStream;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Streams the objects of a JSON source with their line numbers, whatever its shape: JSONL (one object per line; a
 * bad line is reported and the next is read), a JSON array of objects (read element by element, never whole),
 * or one object keyed by id (PubMedQA's {@code ori_pqal.json}; each value gets its key as {@code "_key"}), or a
 * CSV file with a header row (PMC-VQA's release; each row becomes an object of text fields named by the header).
 */
final class JsonSource {
    private JsonSource() {}

    /** Reads one element at a time from a stream that goes on after it, so trailing tokens are expected. */
    private static final com.fasterxml.jackson.databind.ObjectMapper STREAMING = Records.MAPPER.copy()
            .disable(com.fasterxml.jackson.databind.DeserializationFeature.FAIL_ON_TRAILING_TOKENS);

    interface Visitor {
        void object(long line, JsonNode node) throws IOException;
    }

    /** How a JSON importer turns one source object into a record; a {@link DataError} marks it bad. */
    interface Parser {
        Importer.Imported parse(JsonNode node, String file, long line);
    }

    /** Every object of {@code file} parsed and sent to the sink; a record the parser rejects goes to {@code sink.bad}. */
    static void records(Path file, Importer.Sink sink, Parser parser) throws IOException {
        String name = file.toString();
        each(file, sink, (line, n) -> {
            Importer.Imported item;
            try {
                item = parser.parse(n, name, line);
            } catch (DataError e) {
                sink.bad(e);
                return;
            }
            sink.accept(name, line, item);
        });
    }

    static void each(Path file, Importer.Sink sink, Visitor v) throws IOException {
        if (!Files.isRegularFile(file)) throw new DataError(file.toString(), 0, "-", "no such input file");
        if (file.toString().toLowerCase(java.util.Locale.ROOT).endsWith(".csv")) { csv(file, sink, v); return; }
        int first = firstChar(file);
        if (file.toString().endsWith(".jsonl") || (first == '{' && looksLikeJsonl(file))) lines(file, sink, v);
        else stream(file, sink, v);
    }

    private static void csv(Path file, Importer.Sink sink, Visitor v) throws IOException {
        String name = file.toString();
        try (CsvReader in = new CsvReader(name, Files.newBufferedReader(file, java.nio.charset.StandardCharsets.UTF_8))) {
            CsvReader.Row header = in.next();
            if (header == null) return;
            CsvReader.Row row;
            while ((row = in.next()) != null) {
                if (row.fields().size() != header.fields().size()) {
                    sink.bad(new DataError(name, row.line(), "-", "row has " + row.fields().size() + " fields, the header has "
                            + header.fields().size()));
                    continue;
                }
                com.fasterxml.jackson.databind.node.ObjectNode n = Records.MAPPER.createObjectNode();
                for (int i = 0; i < header.fields().size(); i++) n.put(header.fields().get(i).strip(), row.fields().get(i));
                v.object(row.line(), n);
            }
        }
    }

    private static void lines(Path file, Importer.Sink sink, Visitor v) throws IOException {
        try (JsonlReader in = new JsonlReader(file)) {
            JsonlReader.Line line;
            while ((line = in.next()) != null) {
                JsonNode n;
                try {
                    n = JsonlReader.parse(file.toString(), line);
                } catch (DataError e) {
                    sink.bad(e);
                    continue;
                }
                if (!n.isObject()) { sink.bad(new DataError(file.toString(), line.number(), "-", "expected a JSON object per line")); continue; }
                v.object(line.number(), n);
            }
        }
    }

    private static void stream(Path file, Importer.Sink sink, Visitor v) throws IOException {
        // A reader, not bytes: the parser then counts columns in characters, as an editor does.
        try (JsonParser p = STREAMING.createParser(utf8(file))) {
            JsonToken t = p.nextToken();
            if (t == JsonToken.START_ARRAY) {
                while ((t = p.nextToken()) != JsonToken.END_ARRAY) {
                    if (t == null) throw new DataError(file.toString(), p.currentLocation().getLineNr(), "-", "JSON array is not closed (file truncated?)");
                    long line = p.currentTokenLocation().getLineNr();
                    JsonNode n = p.readValueAsTree();
                    if (n == null || !n.isObject()) sink.bad(new DataError(file.toString(), line, "-", "array element is not an object"));
                    else v.object(line, n);
                }
            } else if (t == JsonToken.START_OBJECT) {
                while ((t = p.nextToken()) == JsonToken.FIELD_NAME) {
                    String key = p.currentName();
                    p.nextToken();
                    long line = p.currentTokenLocation().getLineNr();
                    JsonNode n = p.readValueAsTree();
                    if (n == null || !n.isObject()) { sink.bad(new DataError(file.toString(), line, key, "expected an object")); continue; }
                    ((com.fasterxml.jackson.databind.node.ObjectNode) n).put("_key", key);
                    v.object(line, n);
                }
            } else {
                throw new DataError(file.toString(), 1, "-", "expected a JSON array, an object or JSON lines");
            }
        } catch (JsonProcessingException e) {
            DataError d = Json.error(file.toString(), e, 1);
            sink.bad(new DataError(d.file(), d.line(), "-", d.detail() + "; the rest of this file cannot be read", e));
        } catch (java.nio.charset.CharacterCodingException e) {
            sink.bad(new DataError(file.toString(), 0, "-", "not valid UTF-8 text; the rest of this file cannot be read"));
        }
    }

    private static java.io.Reader utf8(Path file) throws IOException {
        var dec = java.nio.charset.StandardCharsets.UTF_8.newDecoder()
                .onMalformedInput(java.nio.charset.CodingErrorAction.REPORT)
                .onUnmappableCharacter(java.nio.charset.CodingErrorAction.REPORT);
        var in = new java.io.PushbackReader(new java.io.BufferedReader(new java.io.InputStreamReader(Files.newInputStream(file), dec), 1 << 16));
        int c = in.read();
        if (c != -1 && c != '\uFEFF') in.unread(c); // a UTF-8 byte-order mark is not JSON
        return in;
    }

    private static int firstChar(Path file) throws IOException {
        try (InputStream in = new PushbackInputStream(Files.newInputStream(file))) {
            int c;
            while ((c = in.read()) != -1) if (!Character.isWhitespace(c) && c != 0xEF && c != 0xBB && c != 0xBF) return c;
            return -1;
        }
    }

    /** JSON lines: the first non-blank line is a complete object by itself. */
    private static boolean looksLikeJsonl(Path file) throws IOException {
        try (JsonlReader in = new JsonlReader(file)) {
            JsonlReader.Line l = in.next();
            if (l == null) return false;
            try {
                return Records.MAPPER.readTree(l.text()).isObject() && in.next() != null;
            } catch (JsonProcessingException e) {
                return false;
            }
        }
    }
}
