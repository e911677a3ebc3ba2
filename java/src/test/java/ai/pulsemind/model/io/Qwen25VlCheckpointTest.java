package ai.pulsemind.model.io;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.pulsemind.tensor.DType;
import ai.pulsemind.tensor.Tensor;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class Qwen25VlCheckpointTest {
    @TempDir Path tmp;

    @Test
    void opensEveryOracleCheckpoint() {
        for (String name : OracleFixtures.MODELS) {
            try (Qwen25VlCheckpoint ck = Qwen25VlCheckpoint.open(OracleFixtures.path(name))) {
                var expected = WeightNames.expectedShapes(ck.config());
                for (var e : expected.entrySet()) {
                    Tensor t = ck.tensor(e.getKey());
                    assertArrayEquals(e.getValue(), t.shape().toArray(), name + " " + e.getKey());
                    assertEquals(name.contains("bf16") ? DType.BF16 : DType.F32, t.dtype(), name + " " + e.getKey());
                }
                Tensor head = ck.lmHead();
                assertArrayEquals(new int[] {544, 64}, head.shape().toArray());
                if (ck.config().tieWordEmbeddings()) {
                    assertFalse(ck.has(WeightNames.LM_HEAD), "transformers omits a tied lm_head");
                    assertEquals(ck.tensor(WeightNames.EMBED).segment().address(), head.segment().address());
                }
                assertEquals(expected.size(), ck.weights().names().size(), name + ": no stray tensors");
            }
        }
    }

    @Test
    void shardedAndSingleFileNamesResolveToTheSameCanonicalSet() {
        try (var sharded = Qwen25VlCheckpoint.open(OracleFixtures.path("tiny-untied-f32-sharded"));
             var t5 = SafetensorsCheckpoint.open(OracleFixtures.path("tiny-tied-f32"))) {
            assertEquals(3, sharded.weights().files().size());
            assertTrue(sharded.weights().contains("model.layers.0.self_attn.q_proj.weight"));
            assertTrue(t5.contains("model.language_model.layers.0.self_attn.q_proj.weight"));
            assertTrue(t5.contains("model.visual.merger.mlp.0.weight"));
            for (String n : t5.names()) assertTrue(n.startsWith("model.language_model.") || n.startsWith("model.visual."), n);
            assertEquals("visual.merger.mlp.0.weight", WeightNames.canonical("model.visual.merger.mlp.0.weight"));
            assertEquals("model.layers.1.mlp.up_proj.weight", WeightNames.canonical("model.language_model.layers.1.mlp.up_proj.weight"));
            assertEquals("model.visual.blocks.0.norm1.weight", WeightNames.transformers5("visual.blocks.0.norm1.weight"));
            assertEquals("lm_head.weight", WeightNames.canonical("lm_head.weight"));
        }
    }

    /** A writable copy of an oracle checkpoint. */
    private Path copy(String name) throws IOException {
        Path src = OracleFixtures.path(name), dst = Files.createTempDirectory(tmp, name);
        try (Stream<Path> files = Files.list(src)) {
            for (Path f : files.filter(Files::isRegularFile).toList()) Files.copy(f, dst.resolve(f.getFileName()));
        }
        return dst;
    }

    /** Rewrites {@code file} without {@code drop} (every other tensor kept as stored). */
    private static void rewriteWithout(Path file, String drop) {
        Path tmpOut = file.resolveSibling("rewritten.tmp");
        try (SafetensorsFile f = SafetensorsFile.open(file)) {
            var w = new SafetensorsWriter();
            f.metadata().forEach(w::metadata);
            for (TensorInfo t : f.tensors().values())
                if (!t.name().equals(drop)) w.addRaw(t.name(), t.dtype(), t.shape(), f.bytes(t.name()));
            w.write(tmpOut);
        }
        try {
            Files.move(tmpOut, file, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    private static String error(Path dir) {
        var e = assertThrows(CheckpointException.class, () -> Qwen25VlCheckpoint.open(dir).close());
        assertFalse(e.getMessage().contains("\n"), e.getMessage());
        return e.getMessage();
    }

    @Test
    void missingTensorNamesTheFile() throws IOException {
        Path d = copy("tiny-untied-bf16");
        rewriteWithout(d.resolve("model.safetensors"), "lm_head.weight");
        assertEquals(d.resolve("model.safetensors") + ": tensor lm_head.weight is missing (config.json says "
                + "tie_word_embeddings is false)", error(d));
        Path t5 = copy("tiny-tied-f32");
        rewriteWithout(t5.resolve("model.safetensors"), "model.visual.blocks.1.attn.qkv.bias");
        assertEquals(t5.resolve("model.safetensors") + ": tensor visual.blocks.1.attn.qkv.bias is missing", error(t5));
    }

    @Test
    void shapeDisagreeingWithTheConfig() throws IOException {
        Path d = copy("tiny-untied-bf16");
        Path cfg = d.resolve("config.json");
        Files.writeString(cfg, Files.readString(cfg).replace("\"intermediate_size\": 128", "\"intermediate_size\": 96"));
        assertEquals(d.resolve("model.safetensors") + ": tensor model.layers.0.mlp.gate_proj.weight has shape [128, 64] but "
                + "config.json implies [96, 64]", error(d));
    }

    @Test
    void shardProblems() throws IOException {
        Path d = copy("tiny-untied-f32-sharded");
        Files.delete(d.resolve("model-00002-of-00003.safetensors"));
        String msg = error(d);
        assertTrue(msg.startsWith(d.resolve("model.safetensors.index.json") + ": shard model-00002-of-00003.safetensors"), msg);
        assertTrue(msg.endsWith("is missing"), msg);

        Path e = copy("tiny-untied-f32-sharded");
        String victim = SafetensorsFile.open(e.resolve("model-00003-of-00003.safetensors")).tensors().keySet().iterator().next();
        rewriteWithout(e.resolve("model-00003-of-00003.safetensors"), victim);
        assertEquals(e.resolve("model-00003-of-00003.safetensors") + ": tensor " + victim
                + " is missing (model.safetensors.index.json places it here)", error(e));

        Path empty = Files.createDirectories(tmp.resolve("empty"));
        Files.copy(OracleFixtures.path("tiny-tied-f32/config.json"), empty.resolve("config.json"));
        assertEquals(empty + ": no model.safetensors or model.safetensors.index.json (not a Hugging Face safetensors "
                + "checkpoint)", error(empty));
    }

    @Test
    void truncatedWeightsFile() throws IOException {
        Path d = copy("tiny-tied-f32");
        Path w = d.resolve("model.safetensors");
        byte[] all = Files.readAllBytes(w);
        Files.write(w, java.util.Arrays.copyOf(all, all.length - 100));
        String msg = error(d);
        assertTrue(msg.startsWith(w + ": tensor "), msg);
        assertTrue(msg.contains("lie outside the"), msg);
    }

    @Test
    void unsupportedArchitecture() throws IOException {
        Path d = copy("tiny-tied-f32");
        Path cfg = d.resolve("config.json");
        Files.writeString(cfg, Files.readString(cfg).replace("Qwen2_5_VLForConditionalGeneration", "LlavaForConditionalGeneration")
                .replace("\"model_type\": \"qwen2_5_vl\"", "\"model_type\": \"llava\""));
        assertTrue(error(d).startsWith(cfg + ": unsupported architecture [LlavaForConditionalGeneration] (model_type 'llava')"));
    }

    @Test
    void listsTheExpectedTensorsInModuleOrder() {
        var c = HfConfigReader.read(OracleFixtures.path("tiny-untied-bf16"));
        List<String> names = List.copyOf(WeightNames.expectedShapes(c).keySet());
        assertEquals(WeightNames.PATCH_EMBED, names.getFirst());
        assertEquals(WeightNames.LM_HEAD, names.getLast());
        int perBlock = 12, perLayer = 12, merger = 5;
        assertEquals(1 + 4 * perBlock + merger + 1 + 2 * perLayer + 1 + 1, names.size());
    }
}
