package ai.pulsemind.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@code pulsemind bench generate}: flags refused by name, figures only from valid measurements. */
class BenchGenerateCommandTest {
    @Test
    void zeroBatchOrRepsIsRefusedWithTheFlagsName() {
        for (String[] c : new String[][] {{"--batch", "0"}, {"--reps", "0"}, {"--new", "0"}, {"--prompt", "-3"}, {"--warmup", "-1"}}) {
            GenerateCommandTest.Run r = GenerateCommandTest.run("bench", "generate", "--shape", "tiny", c[0], c[1]);
            assertEquals(1, r.code(), String.join(" ", c));
            assertTrue(r.err().contains(c[0]) && r.err().strip().lines().count() == 1, r.err());
        }
    }

    @Test
    void aRunReportsMeasuredFiguresAndOneNewTokenHasNoDecodeFigure() throws Exception {
        GenerateCommandTest.Run r = GenerateCommandTest.run("bench", "generate", "--shape", "tiny", "--prompt", "8", "--new", "5", "--batch", "3",
                "--warmup", "0", "--reps", "1", "--temperature", "0.9", "--json");
        assertEquals(0, r.code(), r.err());
        JsonNode j = new ObjectMapper().readTree(r.out().strip());
        for (String k : new String[] {"prefill_tokens_per_s", "decode_tokens_per_s", "throughput_tokens_per_s"})
            assertTrue(j.get(k).asDouble() > 0 && j.get(k).asDouble() < 1e7, k + " = " + j.get(k));
        GenerateCommandTest.Run one = GenerateCommandTest.run("bench", "generate", "--shape", "tiny", "--prompt", "8", "--new", "1",
                "--warmup", "0", "--reps", "1", "--json");
        assertEquals(0, one.code(), one.err());
        assertFalse(one.out().contains("decode_tokens_per_s"), "no decoding step, no decode figure: " + one.out());
        GenerateCommandTest.Run seq = GenerateCommandTest.run("bench", "generate", "--shape", "tiny", "--prompt", "8", "--new", "3",
                "--batch", "2", "--sequential", "--warmup", "0", "--reps", "1");
        assertEquals(0, seq.code(), seq.err());
        assertTrue(seq.out().contains("sequential") && seq.out().contains("throughput"), seq.out());
    }
}
