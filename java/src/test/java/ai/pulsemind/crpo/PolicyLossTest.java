package ai.pulsemind.crpo;

import ai.pulsemind.crpo.PolicyLoss.Aggregation;
import ai.pulsemind.crpo.PolicyLoss.Settings;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;

import java.io.InputStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The policy loss against TRL's {@code GRPOTrainer._compute_loss} (fixture from tools/oracle/trl_grpo_loss.py):
 * the loss, its gradient with respect to every per-token log-prob, the KL and clip fractions, for every aggregation
 * with and without the KL term; and the per-token derivative against finite differences.
 */
class PolicyLossTest {
    @Test
    void lossGradientAndMetricsEqualTrlForEveryAggregation() throws Exception {
        JsonNode doc;
        try (InputStream in = getClass().getResourceAsStream("/oracle/crpo/trl_grpo_loss.json")) {
            assertNotNull(in, "fixture oracle/crpo/trl_grpo_loss.json");
            doc = new ObjectMapper().readTree(in);
        }
        int seen = 0;
        java.util.Set<String> types = new java.util.HashSet<>();
        for (JsonNode c : doc.get("cases")) {
            Settings s = new Settings(Aggregation.parse(c.get("loss_type").asText()), c.get("epsilon_low").asDouble(),
                    c.get("epsilon_high").asDouble(), c.get("beta").asDouble(), c.get("max_completion_length").asInt());
            List<PolicyLoss.Sequence> seqs = new ArrayList<>();
            int b = c.get("advantages").size();
            for (int i = 0; i < b; i++) {
                int len = 0;
                for (JsonNode m : c.get("mask").get(i)) len += m.asInt();
                seqs.add(new PolicyLoss.Sequence(row(c.get("logps").get(i), len), row(c.get("old_logps").get(i), len),
                        row(c.get("ref_logps").get(i), len), c.get("advantages").get(i).asDouble()));
            }
            PolicyLoss.Batch r = PolicyLoss.of(seqs, s);
            String name = c.get("name").asText();
            assertEquals(c.get("loss").asDouble(), r.loss(), 1e-12, name + " loss");
            for (int i = 0; i < b; i++) {
                JsonNode g = c.get("grad").get(i);
                for (int t = 0; t < g.size(); t++) {
                    double mine = t < r.grad()[i].length ? r.grad()[i][t] : 0; // masked tokens: no gradient
                    assertEquals(g.get(t).asDouble(), mine, 1e-12, name + " grad[" + i + "][" + t + "]");
                }
            }
            // TRL's metrics are float32 tensors: compare to float precision
            assertEquals(c.get("clip_ratio/low_mean").asDouble(), r.lowClipped(), 1e-6, name + " low clip");
            assertEquals(c.get("clip_ratio/high_mean").asDouble(), r.highClipped(), 1e-6, name + " high clip");
            assertEquals(c.get("clip_ratio/region_mean").asDouble(), r.regionClipped(), 1e-6, name + " region clip");
            if (c.has("kl")) assertEquals(c.get("kl").asDouble(), r.kl(), 1e-12, name + " kl");
            types.add(s.aggregation().key());
            seen++;
        }
        assertEquals(8, seen);
        assertEquals(java.util.Set.of("grpo", "bnpo", "dapo", "dr_grpo"), types);
    }

    private static double[] row(JsonNode a, int len) {
        double[] v = new double[len];
        for (int t = 0; t < len; t++) v[t] = a.get(t).asDouble();
        return v;
    }

    @Test
    void perTokenDerivativeMatchesFiniteDifferences() {
        Random rnd = new Random(3);
        int checked = 0, clippedFlat = 0;
        for (int k = 0; k < 2000; k++) {
            Settings s = new Settings(Aggregation.DAPO, 0.2, 0.28, k % 2 == 0 ? 0 : 0.1, 16);
            double old = -rnd.nextDouble() * 3, logp = old + (rnd.nextDouble() - 0.5), ref = old + rnd.nextDouble() - 0.5;
            double a = rnd.nextGaussian();
            double r = Math.exp(logp - old);
            if (Math.abs(r - 0.8) < 1e-4 || Math.abs(r - 1.28) < 1e-4) continue; // the kinks of clamp
            double h = 1e-6;
            double fd = (PolicyLoss.term(logp + h, old, ref, a, s).value() - PolicyLoss.term(logp - h, old, ref, a, s).value()) / (2 * h);
            double g = PolicyLoss.term(logp, old, ref, a, s).grad();
            assertEquals(fd, g, 1e-6 * Math.max(1, Math.abs(fd)), "logp " + logp + " old " + old + " A " + a);
            if (s.beta() == 0 && g == 0 && a != 0) clippedFlat++;
            checked++;
        }
        assertTrue(checked > 1900);
        assertTrue(clippedFlat > 50, "the clipped, flat branch was exercised: " + clippedFlat);
    }
}
