package ai.pulsemind.backend.cuda;

import ai.pulsemind.backend.SampleRow;
import ai.pulsemind.backend.SamplingParams;
import ai.pulsemind.tensor.DType;
import ai.pulsemind.tensor.Shape;
import ai.pulsemind.tensor.Tensor;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.util.Arrays;
import java.util.Random;

import static ai.pulsemind.backend.cuda.GpuParity.REF;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;

/**
 * The device sampler ({@code sampling.cu}) against its CPU twin ({@code RefSampling} behind the reference
 * backend's {@code sample}): the same ids for the same logits, parameters, seed and step, over greedy, temperature,
 * top-k, top-p, their combination and the repetition penalty (CSR over the rows of prevIds, with −1 padding and
 * out-of-range ids), at a small and at Qwen's vocabulary; and argmax.
 *
 * <p>Exact equality is the claim: both run the same float operations in the same order; the only freedom is the
 * last bit of CUDA's logf/expf (1–2 ulp) against Java's, which moves an id only at a near-tie of Gumbel scores or
 * of a top-p mass boundary: odds of about 1e-7 per draw, 1e-4 over the few hundred draws here. A failure here is
 * therefore a real difference in the algorithm, and the message shows both rows of ids.
 */
@RequiresCuda
class SamplingGpuIT {
    static CudaBackend be;

    @BeforeAll static void open() { be = GpuParity.open(); }

    @AfterAll static void close() { be.close(); }

    static final SamplingParams[] PARAMS = {SamplingParams.greedy(1f), SamplingParams.greedy(1.3f), new SamplingParams(0.7f, 40, 1f, 1.2f),
            new SamplingParams(1f, 0, 0.9f, 1f), new SamplingParams(0.8f, 50, 0.8f, 1.5f), new SamplingParams(1.2f, 0, 1f, 1f),
            new SamplingParams(1f, 1, 1f, 1f)};

    @Test
    void deviceIdsEqualTheCpuTwinsIdsForFixedSeeds() {
        Random rnd = new Random(51);
        boolean emu = GpuParity.emulated(be);
        for (int vocab : emu ? new int[] {1000} : new int[] {1000, 151_936}) {
            int b = 8, p = 64;
            float[] lg = new float[b * vocab];
            for (int i = 0; i < lg.length; i++) lg[i] = (float) (rnd.nextGaussian() * 3);
            lg[5] = Float.NaN; // counts as -inf
            int[] prev = new int[b * p];
            for (int i = 0; i < prev.length; i++) prev[i] = i % 9 == 0 ? -1 : rnd.nextInt(vocab + 10); // padding, out of range
            try (Tensor logits = Tensor.of(lg, b, vocab); Tensor prevIds = Tensor.ofInts(prev, b, p); Tensor gl = be.upload(logits);
                 Tensor gp = be.upload(prevIds); Tensor out = be.empty(DType.I32, Shape.of(b)); Tensor ref = Tensor.hostEmpty(DType.I32, Shape.of(b))) {
                for (SamplingParams sp : PARAMS) {
                    for (long step : emu ? new long[] {1L << 33} : new long[] {0, 1, 1L << 33}) {
                        for (boolean withPrev : new boolean[] {false, true}) {
                            be.fill(out, -7f);
                            be.sample(gl, SampleRow.streams(sp, 12345L, step, gl.dim(0)), withPrev ? gp : null, out);
                            REF.sample(logits, SampleRow.streams(sp, 12345L, step, logits.dim(0)), withPrev ? prevIds : null, ref);
                            int[] got = new int[b];
                            try (Tensor h = Tensor.hostEmpty(DType.I32, Shape.of(b))) {
                                be.copy(out, h);
                                got = h.toIntArray();
                            }
                            assertArrayEquals(ref.toIntArray(), got, "V=" + vocab + " " + sp + " step " + step + " prev " + withPrev
                                    + ": gpu " + Arrays.toString(got) + " cpu " + Arrays.toString(ref.toIntArray()));
                        }
                    }
                }
            }
        }
    }

    /** One launch, every row with its own parameters, seed, stream and step (a continuous batch's decode step). */
    @Test
    void perRowParametersSeedsStreamsAndStepsMatchTheCpuTwin() {
        Random rnd = new Random(53);
        int b = PARAMS.length, vocab = 1000, p = 16;
        float[] lg = new float[b * vocab];
        for (int i = 0; i < lg.length; i++) lg[i] = (float) (rnd.nextGaussian() * 3);
        int[] prev = new int[b * p];
        for (int i = 0; i < prev.length; i++) prev[i] = i % 5 == 0 ? -1 : rnd.nextInt(vocab);
        java.util.List<SampleRow> rows = new java.util.ArrayList<>();
        for (int r = 0; r < b; r++) rows.add(new SampleRow(PARAMS[r], 1000L * r + (1L << 40), 3 * r, 7L * r + (r == 2 ? 1L << 33 : 0)));
        try (Tensor logits = Tensor.of(lg, b, vocab); Tensor prevIds = Tensor.ofInts(prev, b, p); Tensor gl = be.upload(logits);
             Tensor gp = be.upload(prevIds); Tensor out = be.empty(DType.I32, Shape.of(b)); Tensor ref = Tensor.hostEmpty(DType.I32, Shape.of(b));
             Tensor h = Tensor.hostEmpty(DType.I32, Shape.of(b))) {
            be.sample(gl, rows, gp, out);
            REF.sample(logits, rows, prevIds, ref);
            be.copy(out, h);
            assertArrayEquals(ref.toIntArray(), h.toIntArray(), "per-row sampling: gpu " + Arrays.toString(h.toIntArray())
                    + " cpu " + Arrays.toString(ref.toIntArray()));
        }
    }

    @Test
    void argmaxIsTheReferencesLowestIndexOnTies() {
        Random rnd = new Random(52);
        for (int[] s : GpuParity.emulated(be) ? new int[][] {{1, 1}, {7, 33}, {5, 3000}} : new int[][] {{1, 1}, {7, 33}, {300, 1000}, {3, 151_936}}) {
            float[] x = new float[s[0] * s[1]];
            for (int i = 0; i < x.length; i++) x[i] = rnd.nextInt(50) - 25; // many ties
            try (Tensor hx = Tensor.of(x, s); Tensor gx = be.upload(hx); Tensor out = be.empty(DType.I32, Shape.of(s[0]));
                 Tensor ref = Tensor.hostEmpty(DType.I32, Shape.of(s[0])); Tensor h = Tensor.hostEmpty(DType.I32, Shape.of(s[0]))) {
                be.argmax(gx, out);
                REF.argmax(hx, ref);
                be.copy(out, h);
                assertArrayEquals(ref.toIntArray(), h.toIntArray(), Arrays.toString(s));
            }
        }
    }
}
