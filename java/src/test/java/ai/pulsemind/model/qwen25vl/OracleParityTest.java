package ai.pulsemind.model.qwen25vl;

import ai.pulsemind.backend.cpu.ReferenceBackend;
import ai.pulsemind.model.io.OracleFixtures;
import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.util.ArrayList;
import java.util.List;

import static ai.pulsemind.model.io.OracleFixtures.ints;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * Our Qwen2.5-VL against Hugging Face transformers 5.18 (fixtures from tools/oracle) on the F32 CPU reference:
 * M-RoPE positions, then {@link ModelChecks} with its F32 tolerances: vision embeddings, logits, 20 greedy tokens,
 * and the loss with its gradients.
 */
class OracleParityTest {
    private final ReferenceBackend be = new ReferenceBackend();

    @Test
    void ropeIndexMatchesGetRopeIndex() {
        for (JsonNode p : OracleFixtures.json("prompts/prompts.json").get("prompts")) {
            List<int[]> grids = new ArrayList<>();
            for (JsonNode g : p.get("image_grid_thw")) grids.add(ints(g));
            int[] ids = ints(p.get("input_ids"));
            RopeIndex r = RopeIndex.of(ids, 524, grids, 2);
            JsonNode pos = p.get("position_ids");
            int[] expect = new int[3 * ids.length];
            for (int a = 0; a < 3; a++) System.arraycopy(ints(pos.get(a)), 0, expect, a * ids.length, ids.length);
            assertArrayEquals(expect, r.positions(), p.get("name").asText());
            assertEquals(p.get("rope_delta").asInt(), r.next() - ids.length, p.get("name").asText() + " rope delta");
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"tiny-tied-f32", "tiny-untied-bf16", "tiny-untied-f32-sharded"})
    void logitsImageEmbeddingsAndGreedyIdsMatchTransformers(String name) {
        ModelChecks.logitsEmbeddingsAndGreedy(be, name, ModelChecks.Tolerances.F32);
    }

    @ParameterizedTest
    @ValueSource(strings = {"tiny-tied-f32", "tiny-untied-f32-sharded"})
    void lossAndGradientsMatchTransformers(String name) {
        ModelChecks.lossAndGradients(be, name, ModelChecks.Tolerances.F32);
    }
}
