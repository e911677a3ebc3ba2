package ai.pulsemind.model.generate;

import ai.pulsemind.backend.Backend;
import ai.pulsemind.backend.cpu.CpuBackend;
import ai.pulsemind.backend.cpu.ReferenceBackend;
import ai.pulsemind.data.Conversation;
import ai.pulsemind.data.OpenAiMessages;
import ai.pulsemind.model.io.OracleFixtures;
import ai.pulsemind.model.qwen25vl.Prompt;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The engine against transformers (tools/oracle/engine_fixtures.py), text and image prompts on an f32 and a bf16
 * checkpoint: the prompt ids and M-RoPE positions, the greedy ids, and every log-prob — the chosen token's and the
 * top-5 alternatives' — within 1e-4 of {@code torch.log_softmax} of the same step; and the training-side log-prob
 * path over prompt + a fixed completion (teacher forcing, as for sampled tokens) within 1e-4 of transformers'
 * forward over the same ids. On the reference backend and on the fast CPU backend.
 */
class EngineOracleTest {
    static final double TOL = 1e-4;

    static int[] ints(JsonNode a) {
        int[] r = new int[a.size()];
        for (int i = 0; i < r.length; i++) r[i] = a.get(i).asInt();
        return r;
    }

    static void check(Backend be) throws IOException {
        JsonNode cases = new ObjectMapper().readTree(OracleFixtures.path("engine/expected.json").toFile()).get("cases");
        assertTrue(cases.size() >= 8, "fixture cases: " + cases.size());
        String open = null;
        EngineFixture fx = null;
        try {
            for (JsonNode c : cases) {
                String model = c.get("model").asText(), what = model + "/" + c.get("prompt").asText() + " on " + be.name();
                if (!model.equals(open)) {
                    if (fx != null) fx.close();
                    fx = new EngineFixture(be, model);
                    open = model;
                }
                Conversation conv = OpenAiMessages.parse(c.get("messages"), OpenAiMessages.ImagePolicy.localFiles(OracleFixtures.path("images")));
                Prompt p = fx.cm.prompt(conv);
                assertArrayEquals(ints(c.get("input_ids")), p.ids(), what + ": prompt ids");
                int n = p.length();
                for (int a = 0; a < 3; a++)
                    assertArrayEquals(ints(c.get("position_ids").get(a)), java.util.Arrays.copyOfRange(p.positions(), a * n, (a + 1) * n),
                            what + ": positions, axis " + a);

                JsonNode g = c.get("greedy");
                int steps = g.get("new_ids").size(), top = g.get("steps").get(0).get("top").size();
                Completion got = fx.alone(p, GenerationConfig.greedy(steps).withLogprobs(top), 0);
                assertArrayEquals(ints(g.get("new_ids")), got.ids(), what + ": greedy ids");
                for (int k = 0; k < steps; k++) {
                    JsonNode s = g.get("steps").get(k);
                    assertEquals(s.get("logprob").asDouble(), got.logprobs()[k], TOL, what + ": log-prob of step " + k);
                    List<Completion.TopLogprob> alts = got.topLogprobs().get(k);
                    for (int j = 0; j < top; j++) {
                        assertEquals(s.get("top").get(j).get(0).asInt(), alts.get(j).id(), what + ": step " + k + " alternative " + j);
                        assertEquals(s.get("top").get(j).get(1).asDouble(), alts.get(j).logprob(), TOL, what + ": step " + k + " alternative " + j);
                    }
                }

                JsonNode f = c.get("forced");
                float[] lp = EngineOutputsTest.trainingLogprobs(be, fx.cm.model(), p, ints(f.get("ids")));
                for (int k = 0; k < lp.length; k++)
                    assertEquals(f.get("logprobs").get(k).asDouble(), lp[k], TOL, what + ": teacher-forced log-prob " + k);
            }
        } finally {
            if (fx != null) fx.close();
        }
    }

    @Test
    void referenceBackendMatchesTransformers() throws IOException { check(new ReferenceBackend()); }

    @Test
    void fastCpuBackendMatchesTransformers() throws IOException {
        try (CpuBackend cpu = new CpuBackend(2)) {
            check(cpu);
        }
    }
}
