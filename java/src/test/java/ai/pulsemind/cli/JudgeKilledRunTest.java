package ai.pulsemind.cli;

import ai.pulsemind.judge.SqliteVerdictCache;
import ai.pulsemind.remote.FakeOpenAiEndpoint;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code judge pairs} killed with SIGKILL mid-run: the cache keeps every verdict that had arrived (at most the
 * requests in flight are lost), and the rerun asks exactly what is missing.
 */
class JudgeKilledRunTest {
    static final int PAIRS = 60, CONCURRENCY = 4;
    static final String VERDICT = "{\"proactiveness\": \"A\", \"accuracy\": \"B\", \"usefulness\": \"tie\", \"language\": \"A\"}";

    @Test
    void aKilledRunLosesAtMostTheVerdictsInFlight(@TempDir Path tmp) throws Exception {
        Path in = tmp.resolve("pairs.jsonl"), cache = tmp.resolve("verdicts.sqlite");
        List<String> lines = new ArrayList<>();
        for (int i = 0; i < PAIRS; i++)
            lines.add("{\"id\": \"p" + i + "\", \"context\": [{\"role\": \"user\", \"content\": \"My knee hurts.\"}], \"reference\": \"Since when?\", "
                    + "\"a\": \"Reply " + i + ": since when does it hurt?\", \"b\": \"Reply " + i + ": rest it.\"}");
        Files.write(in, lines);
        try (FakeOpenAiEndpoint ep = FakeOpenAiEndpoint.start(FakeOpenAiEndpoint.Options.clean(40), req -> VERDICT)) {
            String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
            Process p = new ProcessBuilder(java, "--enable-native-access=ALL-UNNAMED", "--add-modules", "jdk.incubator.vector",
                    "-cp", System.getProperty("java.class.path"), "ai.pulsemind.cli.Main", "judge", "pairs", "--input", in.toString(),
                    "--out", tmp.resolve("j.jsonl").toString(), "--judge", "openai:" + ep.baseUrl(), "--judge-model", "fake-judge",
                    "--concurrency", "" + CONCURRENCY, "--cache", cache.toString())
                    .redirectOutput(ProcessBuilder.Redirect.DISCARD).redirectError(tmp.resolve("stderr.txt").toFile()).start();
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            while (ep.answered() < PAIRS && p.isAlive() && System.nanoTime() < deadline) Thread.sleep(5);
            p.destroyForcibly(); // SIGKILL: no shutdown hooks, no close
            assertTrue(p.waitFor(30, TimeUnit.SECONDS));
            assertEquals(137, p.exitValue(), "killed mid-run; stderr: " + Files.readString(tmp.resolve("stderr.txt")));
            long answered = ep.answered(), stored;
            try (SqliteVerdictCache c = SqliteVerdictCache.open(cache)) {
                stored = c.size();
            }
            System.out.printf("killed judge run: %d of %d requests answered, %d verdicts in the cache%n", answered, 2 * PAIRS, stored);
            assertTrue(answered >= PAIRS && answered < 2 * PAIRS, "killed half-way: " + answered + " of " + 2 * PAIRS + " answered");
            assertTrue(stored >= answered - CONCURRENCY && stored <= answered,
                    stored + " verdicts stored of " + answered + " answered; at most the " + CONCURRENCY + " in flight may be lost");

            long before = ep.chatRequests();
            GenerateCommandTest.Run r = GenerateCommandTest.run("judge", "pairs", "--input", in.toString(), "--out", tmp.resolve("j2.jsonl").toString(),
                    "--judge", "openai:" + ep.baseUrl(), "--judge-model", "fake-judge", "--cache", cache.toString());
            assertEquals(0, r.code(), r.err());
            assertEquals(2 * PAIRS - stored, ep.chatRequests() - before, "the rerun asked only what the cache lacked");
            assertTrue(r.err().contains(PAIRS + " with verdicts, 0 failed"), r.err());
        }
    }
}
