package ai.pulsemind.data.importers;

import ai.pulsemind.data.DataError;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.Reader;
import java.util.ArrayList;
import java.util.List;

/**
 * RFC 4180 CSV, streamed row by row: quoted fields may hold commas, doubled quotes and newlines (a MedDiagnose
 * {@code Response} spans many lines). Each row knows the line it starts on. A UTF-8 BOM is dropped.
 */
final class CsvReader implements AutoCloseable {
    record Row(long line, List<String> fields) {}

    private final String file;
    private final BufferedReader in;
    private long line = 1;
    private boolean first = true;

    CsvReader(String file, Reader r) {
        this.file = file;
        this.in = new BufferedReader(r, 1 << 16);
    }

    /** The next row, or null at the end of the input. */
    Row next() throws IOException {
        List<String> fields = new ArrayList<>();
        StringBuilder f = new StringBuilder();
        long start = line;
        boolean quoted = false, any = false, wasQuoted = false;
        int c;
        while ((c = in.read()) != -1) {
            if (first) { first = false; if (c == 0xFEFF) continue; }
            any = true;
            if (quoted) {
                if (c == '"') {
                    in.mark(1);
                    int d = in.read();
                    if (d == '"') f.append('"');
                    else { quoted = false; if (d != -1) in.reset(); }
                } else {
                    if (c == '\n') line++;
                    f.append((char) c);
                }
            } else if (c == '"' && f.isEmpty() && !wasQuoted) {
                quoted = wasQuoted = true;
            } else if (c == ',') {
                fields.add(f.toString()); f.setLength(0); wasQuoted = false;
            } else if (c == '\r') {
                // CRLF: the \n ends the row
            } else if (c == '\n') {
                line++;
                fields.add(f.toString());
                if (fields.size() == 1 && fields.getFirst().isEmpty()) { fields.clear(); start = line; any = false; continue; }
                return new Row(start, fields);
            } else {
                f.append((char) c);
            }
        }
        if (quoted) throw new DataError(file, start, "-", "a quoted field is not closed before the end of the file");
        if (!any) return null;
        fields.add(f.toString());
        return new Row(start, fields);
    }

    @Override
    public void close() throws IOException { in.close(); }
}
