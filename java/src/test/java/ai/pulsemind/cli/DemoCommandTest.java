package ai.pulsemind.cli;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import ai.pulsemind.testing.CliRun;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The demo's sizing and its refusals; the pipeline itself runs end to end in CI ({@code demo --quick}), which
 * takes longer than a unit test should.
 */
class DemoCommandTest {
    @TempDir Path tmp;

    @Test
    void aLargerBudgetGivesLargerStagesAndAShortOneRunsAtTheFloors() {
        DemoPlan quick = DemoPlan.forMinutes(DemoPlan.QUICK_MINUTES), def = DemoPlan.forMinutes(DemoPlan.DEFAULT_MINUTES),
                hour = DemoPlan.forMinutes(60);
        assertTrue(quick.sftSteps() < def.sftSteps() && def.sftSteps() < hour.sftSteps(), quick + " " + def + " " + hour);
        assertTrue(quick.cases() <= def.cases() && def.cases() < hour.cases(), quick + " " + def + " " + hour);
        DemoPlan tiny = DemoPlan.forMinutes(0.1);
        assertEquals(15, tiny.sftSteps(), "the floor");
        assertEquals(60, tiny.cases(), "the floor");
        // the default fits its 15 minutes by the measured costs, with the rest as margin
        double sftSeconds = def.sftSteps() * DemoPlan.SFT_STEP_SECONDS + DemoPlan.FIXED_SECONDS;
        assertTrue(sftSeconds < 15 * 60 * 0.5, "SFT alone takes " + sftSeconds + " s of the 900");
        assertThrows(IllegalArgumentException.class, () -> new DemoPlan(0, 60, 15, 8, 512));
    }

    @Test
    void anEarlierDemoIsKeptUnlessToldAndQuickExcludesMinutes() throws IOException {
        Files.createDirectories(tmp.resolve("model"));
        String err = runCapturingErr("demo", "--quick", "--out", tmp.toString());
        assertTrue(err.contains("holds an earlier demo; pass --overwrite"), err);
        assertTrue(Files.isDirectory(tmp.resolve("model")), "nothing was deleted");
        String both = runCapturingErr("demo", "--quick", "--minutes", "5", "--out", tmp.resolve("x").toString());
        assertTrue(both.contains("give --quick or --minutes, not both"), both);
        String neg = runCapturingErr("demo", "--minutes", "-1", "--out", tmp.resolve("y").toString());
        assertTrue(neg.contains("--minutes must be > 0"), neg);
        assertTrue(!Files.exists(tmp.resolve("y")), "a bad budget is refused before anything is written");
    }

    private static String runCapturingErr(String... args) {
        CliRun.Result r = CliRun.run(args);
        assertEquals(1, r.code(), "exit code; stderr: " + r.err());
        return r.err();
    }
}
