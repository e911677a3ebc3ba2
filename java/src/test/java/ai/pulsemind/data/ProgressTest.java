package ai.pulsemind.data;

import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;

import static org.junit.jupiter.api.Assertions.*;

/** Progress: a bar with rate and ETA on a terminal, plain lines elsewhere, and a closing line with failures. */
class ProgressTest {
    @Test
    void plainLinesForLogs() {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        Progress p = new Progress(new PrintStream(b, true, StandardCharsets.UTF_8), "synth", 100, false, 0);
        p.advance(40);
        p.failed(2);
        p.finish();
        String[] lines = b.toString(StandardCharsets.UTF_8).split("\n");
        assertTrue(lines[0].matches("synth: 40/100 \\(\\d+/s ETA \\d+:\\d\\d, 2 failed\\)|synth: 40/100 \\(\\d+/s ETA \\d+:\\d\\d\\)"), lines[0]);
        assertTrue(lines[lines.length - 1].matches("synth: 40 done in \\d+\\.\\ds \\(\\d+/s, 2 failed\\)"), lines[lines.length - 1]);
        assertFalse(b.toString(StandardCharsets.UTF_8).contains("\r"), "no carriage returns in logs");
    }

    @Test
    void barOnATerminal() {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        Progress p = new Progress(new PrintStream(b, true, StandardCharsets.UTF_8), "import", 10, true, 0);
        p.advance(5);
        String s = b.toString(StandardCharsets.UTF_8);
        assertTrue(s.startsWith("\r\033[Kimport [") && s.contains(" 50% 5/10 ") && s.contains("ETA"), s);
    }

    @Test
    void clockFormat() {
        assertEquals("0:05", Progress.clock(5));
        assertEquals("2:05", Progress.clock(125));
        assertEquals("1:00:01", Progress.clock(3601));
    }
}
