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
        for (var pair : java.util.List.of(java.util.List.of(quick, def), java.util.List.of(def, hour))) {
            DemoPlan a = pair.get(0), b = pair.get(1);
            assertTrue(a.sftSteps() <= b.sftSteps() && a.crpoSteps() <= b.crpoSteps() && a.evalCases() <= b.evalCases()
                    && a.cases() <= b.cases(), a + " vs " + b);
        }
        assertTrue(def.sftSteps() < hour.sftSteps() && def.crpoSteps() < hour.crpoSteps() && def.evalCases() < hour.evalCases());
        DemoPlan tiny = DemoPlan.forMinutes(0.1);
        assertEquals(java.util.List.of(15, 3, 6, 80), java.util.List.of(tiny.sftSteps(), tiny.crpoSteps(), tiny.evalCases(), tiny.cases()), "the floors");
        // by the measured costs, the default fits its 15 minutes with the margin left over, and the quick one about 3
        assertTrue(def.expectedSeconds() <= 15 * 60 * (1 - DemoPlan.MARGIN) + 1, def.expectedSeconds() + " s");
        assertTrue(def.expectedSeconds() > 15 * 60 * 0.6, "the default uses its budget: " + def.expectedSeconds() + " s");
        assertTrue(quick.expectedSeconds() < 4 * 60, quick.expectedSeconds() + " s");
        assertThrows(IllegalArgumentException.class, () -> DemoPlan.forMinutes(0));
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
