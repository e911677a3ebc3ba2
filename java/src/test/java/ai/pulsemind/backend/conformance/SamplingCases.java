package ai.pulsemind.backend.conformance;

import ai.pulsemind.backend.SampleRow;
import ai.pulsemind.backend.SamplingParams;
import ai.pulsemind.tensor.DType;
import ai.pulsemind.tensor.Shape;
import ai.pulsemind.tensor.Tensor;

import java.util.List;
import java.util.Random;

import static ai.pulsemind.backend.conformance.Target.REF;

/**
 * The sampler against its CPU twin (the reference's {@code sample}): the same ids for the same logits, parameters,
 * seed and step, over greedy, temperature, top-k, top-p, their combination and the repetition penalty (previous
 * ids with −1 padding and ids out of range), a NaN logit, at a small and at Qwen's vocabulary; and argmax, lowest
 * index on ties; and one call whose rows each have their own parameters, seed, stream and step (a continuous
 * batch's decode step), where a row's id must be the one it gets alone. Exact equality is the claim: every backend runs the same float operations in the same order; the
 * only freedom is the last bit of a device's logf/expf (1–2 ulp), which moves an id only at a near-tie of Gumbel
 * scores or of a top-p mass boundary (odds of about 1e-4 over the draws here).
 */
final class SamplingCases extends OpCases {
    static final SamplingParams[] PARAMS = {SamplingParams.greedy(1f), SamplingParams.greedy(1.3f), new SamplingParams(0.7f, 40, 1f, 1.2f),
            new SamplingParams(1f, 0, 0.9f, 1f), new SamplingParams(0.8f, 50, 0.8f, 1.5f), new SamplingParams(1.2f, 0, 1f, 1f),
            new SamplingParams(1f, 1, 1f, 1f)};

    @Override
    List<Case> cases() {
        return List.of(new Case("sample: the CPU twin's ids", SamplingCases::sample),
                new Case("sample: every row its own parameters, seed, stream and step", SamplingCases::perRow),
                new Case("argmax with ties", SamplingCases::argmax));
    }

    private static void sample(Target t) {
        Random rnd = new Random(51);
        for (int vocab : t.small() ? new int[] {1000} : new int[] {1000, 151_936}) {
            int b = 8, p = 64;
            float[] lg = new float[b * vocab];
            for (int i = 0; i < lg.length; i++) lg[i] = (float) (rnd.nextGaussian() * 3);
            lg[5] = Float.NaN; // counts as −∞
            int[] prev = new int[b * p];
            for (int i = 0; i < prev.length; i++) prev[i] = i % 9 == 0 ? -1 : rnd.nextInt(vocab + 10); // padding, out of range
            try (Tensor logits = Tensor.of(lg, b, vocab); Tensor prevIds = ints(prev, b, p); Tensor gl = t.up(logits);
                 Tensor gp = t.up(prevIds); Tensor out = t.poisoned(DType.I32, b); Tensor ref = Tensor.hostEmpty(DType.I32, Shape.of(b))) {
                for (SamplingParams sp : PARAMS) {
                    for (long step : t.small() ? new long[] {1L << 33} : new long[] {0, 1, 1L << 33}) {
                        for (boolean withPrev : new boolean[] {false, true}) {
                            t.backend().fill(out, -7f);
                            t.backend().sample(gl, SampleRow.streams(sp, 12345L, step, b), withPrev ? gp : null, out);
                            REF.sample(logits, SampleRow.streams(sp, 12345L, step, b), withPrev ? prevIds : null, ref);
                            t.check("sample", "V=" + vocab + " " + sp + " step " + step + " prev " + withPrev, out, ref);
                        }
                    }
                }
            }
        }
    }

    private static void perRow(Target t) {
        Random rnd = new Random(53);
        int b = PARAMS.length, p = 16;
        for (int vocab : t.small() ? new int[] {1000} : new int[] {1000, 151_936}) {
            float[] lg = new float[b * vocab];
            for (int i = 0; i < lg.length; i++) lg[i] = (float) (rnd.nextGaussian() * 3);
            int[] prev = new int[b * p];
            for (int i = 0; i < prev.length; i++) prev[i] = i % 5 == 0 ? -1 : rnd.nextInt(vocab);
            List<SampleRow> rows = new java.util.ArrayList<>();
            for (int r = 0; r < b; r++) rows.add(new SampleRow(PARAMS[r], 1000L * r + (1L << 40), 3 * r, 7L * r + (r == 2 ? 1L << 33 : 0)));
            try (Tensor logits = Tensor.of(lg, b, vocab); Tensor prevIds = ints(prev, b, p); Tensor gl = t.up(logits);
                 Tensor gp = t.up(prevIds); Tensor out = t.poisoned(DType.I32, b); Tensor ref = Tensor.hostEmpty(DType.I32, Shape.of(b))) {
                t.backend().sample(gl, rows, gp, out);
                REF.sample(logits, rows, prevIds, ref);
                t.check("sample", "V=" + vocab + " per-row parameters", out, ref);
                int[] together = ref.toIntArray();
                for (int r = 0; r < b; r++) { // a row alone, on the reference: the id it got in the batch
                    try (Tensor one = Tensor.hostEmpty(DType.I32, Shape.of(1))) {
                        REF.sample(logits.narrow(0, r, 1), List.of(rows.get(r)), prevIds.narrow(0, r, 1), one);
                        org.junit.jupiter.api.Assertions.assertEquals(together[r], one.toIntArray()[0], "row " + r + " alone");
                    }
                }
            }
        }
    }

    private static void argmax(Target t) {
        Random rnd = new Random(52);
        int[][] shapes = t.small() ? new int[][] {{1, 1}, {7, 33}, {5, 3000}} : new int[][] {{1, 1}, {7, 33}, {300, 1000}, {3, 151_936}};
        for (int[] s : shapes) {
            float[] x = new float[s[0] * s[1]];
            for (int i = 0; i < x.length; i++) x[i] = rnd.nextInt(50) - 25; // many ties
            try (Tensor hx = Tensor.of(x, s); Tensor gx = t.up(hx); Tensor out = t.poisoned(DType.I32, s[0]);
                 Tensor ref = Tensor.hostEmpty(DType.I32, Shape.of(s[0]))) {
                t.backend().argmax(gx, out);
                REF.argmax(hx, ref);
                t.check("argmax", s[0] + "x" + s[1], out, ref);
            }
        }
    }
}
