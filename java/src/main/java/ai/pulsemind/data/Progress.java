package ai.pulsemind.data;

import java.io.PrintStream;
import java.util.Locale;

/**
 * Progress of long work on stderr: on a terminal, one self-overwriting bar with rate and ETA; otherwise (logs, CI)
 * a plain line at most every {@code plainEverySeconds}. {@link #NONE} prints nothing.
 */
public final class Progress {
    public static final Progress NONE = new Progress(null, "", -1, false);

    private final PrintStream out;
    private final String label;
    private final long total;
    private final boolean terminal;
    private final long start = System.nanoTime();
    private long done, lastPrint, failed;
    private final long everyNanos;

    public Progress(PrintStream out, String label, long total, boolean terminal) {
        this(out, label, total, terminal, terminal ? 200_000_000L : 10_000_000_000L);
    }

    /** @param everyNanos the least time between two progress prints */
    Progress(PrintStream out, String label, long total, boolean terminal, long everyNanos) {
        this.out = out;
        this.label = label;
        this.total = total;
        this.terminal = terminal;
        this.everyNanos = everyNanos;
        this.lastPrint = start;
    }

    /** Progress on stderr; a bar when stderr is a terminal (System.console() is the JDK's test for that). */
    public static Progress stderr(String label, long total) {
        return new Progress(System.err, label, total, System.console() != null && System.console().isTerminal());
    }

    public synchronized void advance(long n) {
        done += n;
        if (out == null) return;
        long now = System.nanoTime();
        if (now - lastPrint >= everyNanos) {
            lastPrint = now;
            print(now, false);
        }
    }

    public synchronized void failed(long n) { failed += n; }

    public synchronized long done() { return done; }

    /** The closing line: count, time and rate. */
    public synchronized void finish() {
        if (out == null) return;
        print(System.nanoTime(), true);
    }

    private void print(long now, boolean end) {
        double secs = Math.max(1e-9, (now - start) / 1e9);
        double rate = done / secs;
        String fail = failed > 0 ? ", " + failed + " failed" : "";
        if (end) {
            if (terminal) out.print("\r\033[K");
            out.printf(Locale.ROOT, "%s: %d done in %.1fs (%.0f/s%s)%n", label, done, secs, rate, fail);
            return;
        }
        String eta = total > 0 && rate > 0 ? " ETA " + clock((total - done) / rate) : "";
        if (terminal) {
            int width = 30, fill = total > 0 ? (int) Math.min(width, width * done / total) : 0;
            String bar = "=".repeat(fill) + (fill < width ? ">" : "") + " ".repeat(Math.max(0, width - fill - 1));
            String pct = total > 0 ? String.format(Locale.ROOT, "%3d%% ", 100 * done / total) : "";
            out.printf(Locale.ROOT, "\r\033[K%s [%s] %s%d%s %.0f/s%s%s", label, bar, pct, done,
                    total > 0 ? "/" + total : "", rate, eta, fail);
        } else {
            out.printf(Locale.ROOT, "%s: %d%s (%.0f/s%s%s)%n", label, done, total > 0 ? "/" + total : "", rate, eta, fail);
        }
        out.flush();
    }

    static String clock(double s) {
        long t = Math.round(s);
        return t >= 3600 ? String.format(Locale.ROOT, "%d:%02d:%02d", t / 3600, t / 60 % 60, t % 60)
                : String.format(Locale.ROOT, "%d:%02d", t / 60, t % 60);
    }
}
