package ai.pulsemind.evaluate.report;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.*;

/**
 * Rendering needs no display: a fresh JVM whose DISPLAY points at no X server, and that was not told
 * {@code -Djava.awt.headless=true}, still writes the charts (the report package asks for headless mode itself).
 */
class HeadlessRenderTest {
    @Test
    @Timeout(value = 180, unit = TimeUnit.SECONDS)
    void rendersWithADisplayThatIsNotThere(@TempDir Path dir) throws Exception {
        Result r = child(dir.resolve("out"), null);
        assertEquals(0, r.exit, r.output);
        assertTrue(r.output.contains("headless=true"), r.output);
        assertTrue(Files.size(dir.resolve("out").resolve("one.png")) > 1000);
    }

    @Test
    @Timeout(value = 180, unit = TimeUnit.SECONDS)
    void aJvmThatChoseADisplayIsLeftAsItIs(@TempDir Path dir) throws Exception {
        // the same program with headless explicitly off fails on the missing X server: the first test is not vacuous
        Result r = child(dir.resolve("out"), "-Djava.awt.headless=false");
        assertNotEquals(0, r.exit, r.output);
        assertTrue(r.output.contains("X11") || r.output.contains("DISPLAY") || r.output.contains("AWTError"), r.output);
    }

    private record Result(int exit, String output) {}

    private static Result child(Path out, String flag) throws Exception {
        List<String> cmd = new ArrayList<>(List.of(ProcessHandle.current().info().command().orElse("java"), "-Xmx256m"));
        if (flag != null) cmd.add(flag);
        cmd.addAll(List.of("-cp", System.getProperty("java.class.path"), HeadlessMain.class.getName(), out.toString()));
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true);
        pb.environment().put("DISPLAY", ":97");
        pb.environment().remove("JAVA_TOOL_OPTIONS");
        Process p = pb.start();
        String output = new String(p.getInputStream().readAllBytes());
        if (!p.waitFor(120, TimeUnit.SECONDS)) { p.destroyForcibly(); fail("child JVM did not finish: " + cmd); }
        return new Result(p.exitValue(), output);
    }
}
