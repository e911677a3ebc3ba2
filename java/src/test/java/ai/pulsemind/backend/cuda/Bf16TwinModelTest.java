package ai.pulsemind.backend.cuda;

import ai.pulsemind.autograd.Ops;
import ai.pulsemind.backend.Backend;
import ai.pulsemind.backend.cpu.ReferenceBackend;
import ai.pulsemind.model.generate.GenerationConfig;
import ai.pulsemind.model.generate.Generator;
import ai.pulsemind.model.io.OracleFixtures;
import ai.pulsemind.model.io.Qwen25VlCheckpoint;
import ai.pulsemind.model.io.SafetensorsFile;
import ai.pulsemind.model.qwen25vl.KvCache;
import ai.pulsemind.model.qwen25vl.ModelChecks;
import ai.pulsemind.model.qwen25vl.Qwen25VL;
import ai.pulsemind.tensor.DType;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The model's dtype plumbing for CUDA, checked on every CI run without a GPU: on {@link Bf16Twin} (BF16 compute
 * dtype, CUDA's per-op dtype rules enforced, bf16 storage rounding) the oracle checkpoints load in BF16, run their
 * forward, vision tower, generation (the backend sampler) and training step with no dtype error, and land
 * within the bf16 tolerances of {@link ModelChecks} — the numbers ModelGpuIT then holds the GPU to. The measured
 * deviations are printed (they calibrated those tolerances).
 */
class Bf16TwinModelTest {
    @ParameterizedTest
    @ValueSource(strings = {"tiny-tied-f32", "tiny-untied-bf16", "tiny-untied-f32-sharded"})
    void oracleModelsRunInBf16WithinTheGpuTolerances(String name) {
        Backend twin = Bf16Twin.create();
        double[] d = ModelChecks.logitsEmbeddingsAndGreedy(twin, name, ModelChecks.Tolerances.BF16);
        System.out.printf("[bf16 twin] %s: max |logit diff| %.4f, max |embedding diff| %.4f%n", name, d[0], d[1]);
    }

    @ParameterizedTest
    @ValueSource(strings = {"tiny-tied-f32", "tiny-untied-f32-sharded"})
    void trainingStepRunsInBf16WithinTheGpuTolerances(String name) {
        double[] r = ModelChecks.lossAndGradients(Bf16Twin.create(), name, ModelChecks.Tolerances.BF16);
        System.out.printf("[bf16 twin] %s: loss relative error %.2e, max |grad diff| / rms %.4f%n", name, r[0], r[1]);
    }

    @Test
    void kvCacheAndBackendSamplingFollowTheComputeDtype() {
        Backend twin = Bf16Twin.create();
        try (KvCache cache = new KvCache(twin, 2, 3, 8, 2, 16)) {
            assertTrue(cache.toString().contains("B=3"));
        }
        try (Qwen25VlCheckpoint ckpt = Qwen25VlCheckpoint.open(OracleFixtures.path("tiny-untied-bf16"));
             SafetensorsFile pixels = SafetensorsFile.open(OracleFixtures.path("prompts/pixel_values.safetensors"))) {
            Qwen25VL model = Qwen25VL.load(twin, ckpt);
            assertEquals(DType.BF16, model.text().head().dtype());
            Ops ops = new Ops(twin);
            List<Qwen25VL.Sequence> prompts = List.of(ModelChecks.sequence("text_only", pixels), ModelChecks.sequence("single_image_upscaled", pixels));
            GenerationConfig cfg = GenerationConfig.sampling(12, 0.9f, 20, 0.9f, 7).withRepetitionPenalty(1.3f);
            Generator gen = new Generator(model, ops);
            var a = gen.generate(prompts, cfg, null);
            var b = gen.generate(prompts, cfg, null);
            for (int i = 0; i < prompts.size(); i++) {
                assertArrayEquals(a.get(i).newIds(), b.get(i).newIds(), "same seed, same ids");
                for (int id : a.get(i).newIds()) assertTrue(id >= 0 && id < 544, "id " + id + " in the vocabulary");
            }
            var c = gen.generate(prompts, GenerationConfig.sampling(12, 0.9f, 20, 0.9f, 8).withRepetitionPenalty(1.3f), null);
            assertNotEquals(java.util.Arrays.toString(a.get(0).newIds()) + java.util.Arrays.toString(a.get(1).newIds()),
                    java.util.Arrays.toString(c.get(0).newIds()) + java.util.Arrays.toString(c.get(1).newIds()), "another seed draws differently");
        }
    }

    @Test
    void greedyWithARepetitionPenaltyIsTheSameBatchedAndAlone() {
        ReferenceBackend be = new ReferenceBackend();
        try (Qwen25VlCheckpoint ckpt = Qwen25VlCheckpoint.open(OracleFixtures.path("tiny-untied-f32-sharded"));
             SafetensorsFile pixels = SafetensorsFile.open(OracleFixtures.path("prompts/pixel_values.safetensors"))) {
            Qwen25VL model = Qwen25VL.load(be, ckpt);
            Ops ops = new Ops(be);
            List<Qwen25VL.Sequence> prompts = List.of(ModelChecks.sequence("text_only", pixels), ModelChecks.sequence("multi_turn_images", pixels));
            GenerationConfig cfg = GenerationConfig.greedy(10).withRepetitionPenalty(1.2f);
            var batched = new Generator(model, ops).generate(prompts, cfg, null);
            for (int i = 0; i < prompts.size(); i++)
                assertArrayEquals(new Generator(model, ops).generate(List.of(prompts.get(i)), cfg, null).get(0).newIds(),
                        batched.get(i).newIds(), "greedy with a repetition penalty, sequence " + i);
        }
    }
}
