package ai.pulsemind.cli;

import ai.pulsemind.config.InvalidSetting;
import ai.pulsemind.testing.CliRun;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

import java.nio.file.AccessDeniedException;
import java.nio.file.FileSystemException;
import java.nio.file.NoSuchFileException;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Errors speak in the user's terms: the flag, not the Java field; one line; what went wrong with a file. */
class CliErrorsTest {
    @CommandLine.Command(name = "probe")
    static final class Probe implements Runnable {
        @CommandLine.Option(names = "--shard-size") @Setting("recordsPerShard") int shardSize;
        @CommandLine.Option(names = {"-t", "--threads"}) int threads;
        @CommandLine.Mixin DeviceOption device = new DeviceOption();
        @Override public void run() {}
    }

    @Test
    void settingsAreNamedByTheFlagThatSetThem() {
        var spec = new CommandLine(new Probe()).getCommandSpec();
        assertEquals("--shard-size", FlagNames.flagFor(spec, "recordsPerShard"), "by @Setting");
        assertEquals("--threads", FlagNames.flagFor(spec, "threads"), "by the field's name; the longest name");
        assertNull(FlagNames.flagFor(spec, "shardSize2"));
        assertEquals("--shard-size must be >= 1, got 0",
                FlagNames.rewrite(spec, new RuntimeException("wrapped", new InvalidSetting("recordsPerShard", "must be >= 1, got 0"))));
        assertNull(FlagNames.rewrite(spec, new InvalidSetting("elsewhere", "is wrong")), "no flag: the library's own words stay");
        assertEquals("elsewhere is wrong", Main.message(spec, new InvalidSetting("elsewhere", "is wrong")));
    }

    @Test
    void outOfRangeFlagsAreRefusedByName() {
        String[][] cases = {
                {"--threads must be >= 0 (0: all cores), got -2", "bench", "gemm", "--m", "8", "--threads", "-2"},
                {"--m must be >= 1, got 0", "bench", "gemm", "--m", "0"},
                {"--time must be > 0, got 0.0", "bench", "gemm", "--m", "8", "--time", "0"},
                {"--reps must be >= 0, got -1", "bench", "gemm", "--m", "8", "--reps", "-1"},
                {"--batch must be >= 1, got 0", "bench", "loader", "--data", "x", "--model", "y", "--batch", "0"},
                {"--max-tokens must be >= 1, got 0", "bench", "loader", "--data", "x", "--model", "y", "--max-tokens", "0"},
                {"--counterparts must be 0..7, got 9", "data", "synth", "--cases", "1", "--counterparts", "9", "--out", "/tmp/x"},
                {"--max-errors must be >= 1, got 0", "data", "validate", "x", "--max-errors", "0"},
        };
        for (String[] c : cases) {
            CliRun.Result r = CliRun.run(java.util.Arrays.copyOfRange(c, 1, c.length));
            assertEquals(1, r.code(), r.err());
            assertEquals("error: " + c[0], r.err().strip(), String.join(" ", c));
        }
    }

    @Test
    void aMistypedCommandLineIsOneLineWithWhereHelpIs() {
        CliRun.Result r = CliRun.run("bench", "gemm", "--device", "gpu");
        assertEquals(2, r.code());
        assertEquals("error: Invalid value for option '--device': 'gpu' is not a device; one of auto, cpu, cpu-reference, cuda, "
                + "cuda:N (see: pulsemind bench gemm --help)", r.err().strip());
        CliRun.Result missing = CliRun.run("data", "import", "--format", "mcq");
        assertEquals(2, missing.code());
        assertTrue(missing.err().strip().lines().count() == 1 && missing.err().contains("--input") && missing.err().contains("--out"), missing.err());
    }

    @Test
    void deviceHelpListsEveryChoice() {
        CliRun.Result r = CliRun.run("bench", "gemm", "--help");
        String help = r.out().replaceAll("\\s+", " ");
        for (String choice : new String[] {"auto (CUDA when it can run here", "cpu (the fast CPU", "cpu-reference", "cuda (GPU 0)", "cuda:N"})
            assertTrue(help.contains(choice), choice + " in " + r.out());
        assertTrue(help.contains("(default: cpu)"), r.out());
        assertEquals("auto", new DeviceOption().spec());
        assertEquals("cuda:1", DeviceOption.Spec.check(" CUDA:1 "));
        for (String bad : new String[] {"gpu", "cuda:", "cuda:-1", "cuda:x", "cpu2"})
            assertTrue(assertThrowsMessage(bad).contains("one of auto, cpu"), bad);
    }

    private static String assertThrowsMessage(String spec) {
        return org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class, () -> DeviceOption.Spec.check(spec)).getMessage();
    }

    @Test
    void fileSystemErrorsSayWhatWentWrong() {
        assertEquals("/a/b: no such file or directory", Main.oneLine(new NoSuchFileException("/a/b")));
        assertEquals("/a/b: permission denied", Main.oneLine(new RuntimeException(null, new AccessDeniedException("/a/b"))));
        assertEquals("/a/b: read-only file system", Main.oneLine(new FileSystemException("/a/b", null, "Read-only file system")));
    }

    @Test
    void gemmReportsItsRepetitions() throws Exception {
        ObjectMapper om = new ObjectMapper();
        CliRun.Result r = CliRun.run("bench", "gemm", "--m", "16", "--n", "8", "--k", "4", "--threads", "1",
                "--warmup-time", "0", "--time", "0.05", "--json");
        assertEquals(0, r.code(), r.err());
        JsonNode j = om.readTree(r.out());
        assertTrue(j.get("reps").asInt() >= TimedRuns.MIN_REPS && j.get("warmup_calls").asInt() >= TimedRuns.MIN_WARMUP, j.toString());
        assertTrue(j.get("min_ms").asDouble() <= j.get("median_ms").asDouble(), j.toString());
        assertEquals(2.0 * 16 * 8 * 4 / (j.get("median_ms").asDouble() * 1e6), j.get("gflops").asDouble(), 0.006, "GFLOP/s of the median");
        JsonNode fixed = om.readTree(CliRun.run("bench", "gemm", "--m", "16", "--n", "8", "--k", "4", "--reps", "7", "--json").out());
        assertEquals(7, fixed.get("reps").asInt());
    }

    /** A clock that moves only when a timed call says it took time: budgets become exact counts. */
    static final class FakeClock {
        long now;
        long call(long nanos) { now += nanos; return nanos; }
    }

    @Test
    void repetitionsAreChosenByTheTimeBudget() {
        FakeClock c = new FakeClock();
        // 1 µs calls: a 10 ms warm-up is 10,000 calls, a 1 ms budget 1,000 timed calls
        TimedRuns.Samples fast = new TimedRuns(0.01, 0.001, 0).run(() -> c.call(1000), () -> c.now);
        assertEquals(10_000, fast.warmupCalls());
        assertEquals(1_000, fast.count());
        // 0.4 s calls: the minimums hold whatever the budget
        TimedRuns.Samples slow = new TimedRuns(0.5, 1.0, 0).run(() -> c.call(400_000_000), () -> c.now);
        assertEquals(TimedRuns.MIN_WARMUP, slow.warmupCalls());
        assertEquals(TimedRuns.MIN_REPS, slow.count());
        // never more than MAX_REPS, however fast
        assertEquals(TimedRuns.MAX_REPS, new TimedRuns(0, 1.0, 0).run(() -> c.call(1), () -> c.now).count());
        // a fixed count overrides the budget; the median is of the calls' own times
        long[] k = {0};
        TimedRuns.Samples fixed = new TimedRuns(0, 1e-9, 5).run(() -> c.call(100 + k[0]++), () -> c.now);
        assertEquals(5, fixed.count());
        assertEquals(105, fixed.medianNanos(), "median of 103..107 (after 3 warm-up calls)");
    }
}
