package ai.pulsemind.backend.cuda;

import ai.pulsemind.autograd.Ops;
import ai.pulsemind.model.generate.GenerationConfig;
import ai.pulsemind.model.generate.Generator;
import ai.pulsemind.model.io.OracleFixtures;
import ai.pulsemind.model.io.Qwen25VlCheckpoint;
import ai.pulsemind.model.io.SafetensorsFile;
import ai.pulsemind.model.qwen25vl.ModelChecks;
import ai.pulsemind.model.qwen25vl.Qwen25VL;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.util.Arrays;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * Qwen2.5-VL entirely on the GPU in bf16 (weights, activations, KV cache; F32 statistics and logits) against the
 * transformers fixtures: logits and image embeddings within the bf16 tolerances of {@link ModelChecks}, greedy ids
 * identical to the fixtures (which the CPU path matches exactly, OracleParityTest) with the device sampler and with
 * the host one, and the training step's loss and gradients with autograd on the GPU. Sampled generation on the
 * device is reproducible by seed and uses the repetition penalty's device-side history.
 */
@RequiresCuda
class ModelGpuIT {
    static CudaBackend be;

    @BeforeAll static void open() { be = CudaTarget.open(); }

    @AfterAll static void close() { be.close(); }

    /** The emulated device runs one checkpoint (every op and path of the model) to keep its time in minutes. */
    private static void onlyOneWhenEmulated(String name) {
        assumeTrue(!CudaTarget.emulated(be) || name.equals("tiny-untied-bf16"), "on the emulated device one checkpoint runs (tools/gpu-dev/java_emu.py)");
    }

    @ParameterizedTest
    @ValueSource(strings = {"tiny-tied-f32", "tiny-untied-bf16", "tiny-untied-f32-sharded"})
    void logitsEmbeddingsAndGreedyIdsMatchTransformersInBf16(String name) {
        onlyOneWhenEmulated(name);
        double[] d = ModelChecks.logitsEmbeddingsAndGreedy(be, name, ModelChecks.Tolerances.BF16);
        System.out.printf("[gpu] %s on %s: max |logit diff| %.4f, max |embedding diff| %.4f (bf16 twin: 0.25, 0.026)%n",
                name, be.info().name(), d[0], d[1]);
    }

    @ParameterizedTest
    @ValueSource(strings = {"tiny-tied-f32", "tiny-untied-f32-sharded"})
    void trainingStepOnTheGpuMatchesTransformersInBf16(String name) {
        assumeTrue(!CudaTarget.emulated(be) || name.equals("tiny-tied-f32"), "on the emulated device one checkpoint runs (tools/gpu-dev/java_emu.py)");
        double[] r = ModelChecks.lossAndGradients(be, name, ModelChecks.Tolerances.BF16);
        System.out.printf("[gpu] %s: loss relative error %.2e, max |grad diff| / rms %.4f (bf16 twin: 3e-4, 0.32)%n", name, r[0], r[1]);
    }

    @Test
    void sampledGenerationOnTheDeviceIsReproducibleBySeed() {
        try (Qwen25VlCheckpoint ckpt = Qwen25VlCheckpoint.open(OracleFixtures.path("tiny-untied-bf16"));
             SafetensorsFile pixels = SafetensorsFile.open(OracleFixtures.path("prompts/pixel_values.safetensors"))) {
            Qwen25VL model = Qwen25VL.load(be, ckpt);
            Generator gen = new Generator(model, new Ops(be));
            List<Qwen25VL.Sequence> prompts = List.of(ModelChecks.sequence("text_only", pixels), ModelChecks.sequence("single_image_upscaled", pixels));
            GenerationConfig cfg = GenerationConfig.sampling(12, 0.9f, 20, 0.9f, 7).withRepetitionPenalty(1.3f);
            var a = gen.generate(prompts, cfg, null);
            var b = gen.generate(prompts, cfg, null);
            var c = gen.generate(prompts, GenerationConfig.sampling(12, 0.9f, 20, 0.9f, 8).withRepetitionPenalty(1.3f), null);
            for (int i = 0; i < prompts.size(); i++) {
                assertArrayEquals(a.get(i).newIds(), b.get(i).newIds(), "same seed, same ids, sequence " + i);
                for (int id : a.get(i).newIds()) assertTrue(id >= 0 && id < 544, "id " + id + " in the vocabulary");
            }
            assertNotEquals(Arrays.toString(a.get(0).newIds()) + Arrays.toString(a.get(1).newIds()),
                    Arrays.toString(c.get(0).newIds()) + Arrays.toString(c.get(1).newIds()), "another seed draws differently");
        }
    }
}
