package ai.pulsemind.judge;

import java.nio.file.Path;

/**
 * A child process for the kill -9 test: stores verdicts in a cache file one by one and prints each key after its
 * put returned, until it is killed.
 */
public final class CacheWriterMain {
    private CacheWriterMain() {}

    public static void main(String[] args) {
        try (SqliteVerdictCache c = SqliteVerdictCache.open(Path.of(args[0]))) {
            for (int i = 0; ; i++) {
                String key = "k" + i;
                c.put(key, "writer", JudgeJson.verdicts(Verdicts.all(Verdict.values()[i % 3])).toString());
                System.out.println(key);
                System.out.flush();
            }
        }
    }
}
