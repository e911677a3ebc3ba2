package ai.pulsemind.evaluate.publicbench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Our ratio equals Python difflib's on every golden pair (tools/publicbench/difflib_ratios.py), long ones included. */
class SequenceRatioTest {
    @Test
    void equalsPythonDifflib() throws Exception {
        JsonNode pairs = new ObjectMapper().readTree(PublicFixtures.path("difflib_ratios.json").toFile()).get("pairs");
        assertTrue(pairs.size() > 40);
        boolean sawLong = false;
        for (JsonNode p : pairs) {
            String a = p.get("a").asText(), b = p.get("b").asText();
            sawLong |= b.length() >= 200;
            assertEquals(p.get("ratio").asDouble(), SequenceRatio.ratio(a, b), 1e-12, "ratio(" + a + ", " + b + ")");
        }
        assertTrue(sawLong, "the fixture has replies long enough for difflib's autojunk rule");
    }
}
