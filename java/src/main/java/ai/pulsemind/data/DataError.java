package ai.pulsemind.data;

import java.nio.file.Path;

/**
 * A problem in input data, located: {@code file:line: field: message}. {@code line} is 1-based, 0 when the
 * problem is not on a line (a missing file, a directory); {@code field} is a JSON path such as
 * {@code turns[2].role}, or {@code -} when the whole line is at fault.
 */
public final class DataError extends RuntimeException {
    private final String file;
    private final long line;
    private final String field;
    private final String detail;

    public DataError(String file, long line, String field, String detail) {
        super(format(file, line, field, detail));
        this.file = file;
        this.line = line;
        this.field = field;
        this.detail = detail;
    }

    public DataError(Path file, long line, String field, String detail) { this(String.valueOf(file), line, field, detail); }

    public DataError(String file, long line, String field, String detail, Throwable cause) {
        this(file, line, field, detail);
        initCause(cause);
    }

    /** {@code file:line: field: detail}; a problem with the whole file (no line, no field) reads {@code file: detail}. */
    public static String format(String file, long line, String field, String detail) {
        boolean noField = field == null || field.isEmpty() || field.equals("-");
        StringBuilder sb = new StringBuilder(file);
        if (line > 0) sb.append(':').append(line);
        if (line > 0 || !noField) sb.append(": ").append(noField ? "-" : field);
        return sb.append(": ").append(detail).toString();
    }

    public String file() { return file; }
    public long line() { return line; }
    public String field() { return field; }
    public String detail() { return detail; }
}
