package ai.pulsemind.crpo;

import ai.pulsemind.autograd.Ops;
import ai.pulsemind.backend.Backend;
import ai.pulsemind.backend.Backends;
import ai.pulsemind.cli.Main;
import ai.pulsemind.model.io.Qwen25VlCheckpoint;
import ai.pulsemind.model.qwen25vl.Qwen25VL;
import ai.pulsemind.nn.ForwardMode;
import ai.pulsemind.tensor.AllocationScope;
import ai.pulsemind.tensor.Tensor;
import ai.pulsemind.train.CausalLm;
import ai.pulsemind.train.Lora;
import ai.pulsemind.train.LoraConfig;
import ai.pulsemind.train.ParamStore;
import ai.pulsemind.train.init.ModelInit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The policy update's gradient through the model: back-propagating the host-side loss derivatives through the
 * surrogate Σ g·logp gives, for LoRA parameters of a micro model, the finite-difference derivative of the loss
 * itself (PPO clip, both clip sides hit, KL term on, two micro-batches of different lengths summed).
 */
class PolicyUpdateTest {
    @TempDir Path tmp;

    @Test
    void surrogateGradientEqualsFiniteDifferencesOfTheLoss() throws Exception {
        Path data = tmp.resolve("data"), model = tmp.resolve("model");
        assertEquals(0, Main.run("data", "synth", "--cases", "3", "--seed", "2", "--lang", "en", "--out", data.toString(), "--threads", "1"));
        ModelInit.run(ModelInit.Shape.named("micro"), data, model, 1, false);
        try (Backend be = Backends.open("cpu-reference", 1); Qwen25VlCheckpoint ckpt = Qwen25VlCheckpoint.open(model); var scope = AllocationScope.open()) {
            Qwen25VL m = Qwen25VL.load(be, ckpt);
            Lora lora = Lora.attach(be, m, new LoraConfig(2, 4f, 0f, false, List.of("q", "v", "down"), false), 5);
            Random rnd = new Random(9);
            try (ParamStore store = ParamStore.of(be, lora.tensors(), ParamStore::defaultDecay)) {
                for (var e : store.entries()) { // B = 0 would make every A gradient vanish: give B values
                    float[] v = new float[(int) e.master().numel()];
                    for (int i = 0; i < v.length; i++) v[i] = (float) (rnd.nextGaussian() * 0.3);
                    store.set(e.name(), Tensor.of(v, e.master().shape().toArray()));
                }
                Ops ops = new Ops(be);
                int vocab = m.text().config().vocabSize();
                List<Qwen25VL.Sequence> seqs = new ArrayList<>();
                int[] pl = {5, 3, 4};
                int[] cl = {6, 4, 7};
                for (int s = 0; s < 3; s++) {
                    int[] ids = new int[pl[s] + cl[s]];
                    for (int i = 0; i < ids.length; i++) ids[i] = 10 + rnd.nextInt(Math.min(200, vocab - 10));
                    seqs.add(Qwen25VL.Sequence.text(ids));
                }
                float[] cur;
                try (var g = ai.pulsemind.tensor.GradMode.disabled()) {
                    cur = CausalLm.tokenLogprobs(ops, m, seqs, CausalLm.completionTargets(seqs, pl), ForwardMode.INFERENCE, 1f).toFloatArray();
                }
                List<RolloutBatch.Sample> samples = new ArrayList<>();
                int at = 0;
                double[] adv = {1.3, -0.9, 0.6};
                for (int s = 0; s < 3; s++) {
                    float[] old = new float[cl[s]], ref = new float[cl[s]];
                    for (int t = 0; t < cl[s]; t++) {
                        float lp = cur[at + pl[s] - 1 + t];
                        old[t] = lp - (float) ((rnd.nextDouble() - 0.5) * 0.8); // ratios ~0.67..1.5: both clip sides
                        ref[t] = lp + (float) ((rnd.nextDouble() - 0.5) * 0.5);
                    }
                    int[] comp = java.util.Arrays.copyOfRange(seqs.get(s).ids(), pl[s], pl[s] + cl[s]);
                    samples.add(new RolloutBatch.Sample(0, comp, old, ref, 0.0, adv[s], true, "stop", ""));
                    at += pl[s] + cl[s];
                }
                PolicyLoss.Settings set = new PolicyLoss.Settings(PolicyLoss.Aggregation.GRPO, 0.2, 0.28, 0.1, 8);
                double[] w = PolicyLoss.weights(cl, set);
                store.zeroGrad();
                PolicyUpdate.Sums a = PolicyUpdate.run(ops, m, seqs.subList(0, 2), new int[] {pl[0], pl[1]}, samples.subList(0, 2),
                        new double[] {w[0], w[1]}, set, ForwardMode.INFERENCE, true);
                PolicyUpdate.Sums b = PolicyUpdate.run(ops, m, seqs.subList(2, 3), new int[] {pl[2]}, samples.subList(2, 3),
                        new double[] {w[2]}, set, ForwardMode.INFERENCE, true);
                assertTrue(a.lowClipped() + a.highClipped() + b.lowClipped() + b.highClipped() > 0, "some tokens are clipped");
                int checked = 0;
                for (var e : store.entries()) {
                    float[] grad = e.grad().toFloatArray();
                    int best = 0;
                    for (int i = 1; i < grad.length; i++) if (Math.abs(grad[i]) > Math.abs(grad[best])) best = i;
                    float orig = e.master().getFloat(best);
                    double h = 1e-2;
                    double[] lossAt = new double[2];
                    for (int k = 0; k < 2; k++) {
                        float[] v = e.master().toFloatArray();
                        v[best] = (float) (orig + (k == 0 ? h : -h));
                        store.set(e.name(), Tensor.of(v, e.master().shape().toArray()));
                        lossAt[k] = PolicyUpdate.run(ops, m, seqs, pl, samples, w, set, ForwardMode.INFERENCE, false).loss();
                    }
                    float[] v = e.master().toFloatArray();
                    v[best] = orig;
                    store.set(e.name(), Tensor.of(v, e.master().shape().toArray()));
                    double fd = (lossAt[0] - lossAt[1]) / (2 * h);
                    assertEquals(fd, grad[best], 2e-2 * Math.abs(fd) + 1e-5, e.name() + "[" + best + "]");
                    checked++;
                }
                assertEquals(12, checked); // A and B of q, v, down in both layers
            }
        }
    }
}
