package ai.pulsemind.judge;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The SQLite verdict cache: WAL, shared by threads, and what a SIGKILL leaves. */
class SqliteVerdictCacheTest {
    @Test
    void walModeAndRoundTrip(@TempDir Path tmp) {
        Path f = tmp.resolve("sub/dir/c.sqlite");
        try (SqliteVerdictCache c = SqliteVerdictCache.open(f)) {
            assertEquals("wal", c.journalMode());
            assertNull(c.get("nope"));
            c.put("k", "rubric", "{\"x\":1}");
            c.put("k", "rubric", "{\"x\":2}");
            assertEquals("{\"x\":2}", c.get("k"));
            assertEquals(1, c.size());
        }
        try (SqliteVerdictCache c = SqliteVerdictCache.open(f)) {
            assertEquals("{\"x\":2}", c.get("k"), "kept on disk");
        }
        assertTrue(Files.exists(f));
    }

    @Test
    void sharedByConcurrentThreads(@TempDir Path tmp) throws Exception {
        try (SqliteVerdictCache c = SqliteVerdictCache.open(tmp.resolve("c.sqlite"));
             ExecutorService pool = Executors.newFixedThreadPool(8)) {
            List<Future<?>> fs = new ArrayList<>();
            for (int t = 0; t < 8; t++) {
                int tt = t;
                fs.add(pool.submit(() -> {
                    for (int i = 0; i < 150; i++) {
                        c.put("t" + tt + "-" + i, "j", "v" + i);
                        assertEquals("v" + i, c.get("t" + tt + "-" + i));
                        c.get("t" + ((tt + 1) % 8) + "-" + i); // reads of what others may be writing
                    }
                }));
            }
            for (Future<?> f : fs) f.get(60, TimeUnit.SECONDS);
            assertEquals(8 * 150, c.size());
        }
    }

    @Test
    void aKilledWriterLosesNothingItHadStored(@TempDir Path tmp) throws Exception {
        Path f = tmp.resolve("killed.sqlite");
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        Process p = new ProcessBuilder(java, "-cp", System.getProperty("java.class.path"), CacheWriterMain.class.getName(), f.toString())
                .redirectError(ProcessBuilder.Redirect.DISCARD).start();
        List<String> acknowledged = new ArrayList<>();
        try (BufferedReader out = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
            for (String line; acknowledged.size() < 300 && (line = out.readLine()) != null; ) acknowledged.add(line);
            p.destroyForcibly(); // SIGKILL on Linux: no shutdown hooks, no close
            assertTrue(p.waitFor(30, TimeUnit.SECONDS));
        }
        assertEquals(300, acknowledged.size(), "the writer stopped early");
        assertEquals(137, p.exitValue(), "killed by SIGKILL");
        try (SqliteVerdictCache c = SqliteVerdictCache.open(f)) {
            for (String k : acknowledged) assertNotNull(c.get(k), k + " was stored before the kill and is gone");
            assertNotNull(JudgeJson.verdicts(JudgeJson.JSON.readTree(c.get("k1"))));
        }
    }

    @Test
    void anUnusableFileIsAnErrorNamingIt(@TempDir Path tmp) throws Exception {
        Path f = tmp.resolve("not-a-db.sqlite");
        Files.writeString(f, "this is not a database, just text that is long enough to have a header".repeat(20));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> SqliteVerdictCache.open(f));
        assertTrue(e.getMessage().contains(f.toString()), e.getMessage());
    }
}
