package ai.pulsemind.model.io;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class HfConfigReaderTest {
    @TempDir Path tmp;

    /** The config.json published with Qwen2.5-VL-7B-Instruct (flat text fields, rope_scaling mrope). */
    static final String QWEN25VL_7B = """
            {"architectures": ["Qwen2_5_VLForConditionalGeneration"], "attention_dropout": 0.0,
             "bos_token_id": 151643, "eos_token_id": 151645, "vision_start_token_id": 151652,
             "vision_end_token_id": 151653, "vision_token_id": 151654, "image_token_id": 151655,
             "video_token_id": 151656, "hidden_act": "silu", "hidden_size": 3584, "initializer_range": 0.02,
             "intermediate_size": 18944, "max_position_embeddings": 128000, "max_window_layers": 28,
             "model_type": "qwen2_5_vl", "num_attention_heads": 28, "num_hidden_layers": 28, "num_key_value_heads": 4,
             "rms_norm_eps": 1e-06, "rope_theta": 1000000.0, "sliding_window": 32768, "tie_word_embeddings": false,
             "torch_dtype": "bfloat16", "transformers_version": "4.41.2", "use_cache": true, "use_sliding_window": false,
             "vision_config": {"depth": 32, "hidden_act": "silu", "hidden_size": 1280, "intermediate_size": 3420,
               "num_heads": 16, "in_chans": 3, "out_hidden_size": 3584, "patch_size": 14, "spatial_merge_size": 2,
               "spatial_patch_size": 14, "window_size": 112, "fullatt_block_indexes": [7, 15, 23, 31],
               "tokens_per_second": 2, "temporal_patch_size": 2},
             "rope_scaling": {"type": "mrope", "mrope_section": [16, 24, 24]}, "vocab_size": 152064}
            """;

    private Path write(String json) throws IOException {
        Path p = tmp.resolve("config.json");
        Files.writeString(p, json);
        return p;
    }

    @Test
    void readsThePublishedSevenBillionConfig() throws IOException {
        Qwen25VlConfig c = HfConfigReader.read(write(QWEN25VL_7B));
        assertEquals(Qwen25VlConfig.Layout.PUBLISHED, c.layout());
        TextConfig t = c.text();
        assertEquals(List.of(3584, 28, 28, 4, 18944, 152064, 128000),
                List.of(t.hiddenSize(), t.numLayers(), t.numHeads(), t.numKvHeads(), t.intermediateSize(), t.vocabSize(),
                        t.maxPositionEmbeddings()));
        assertEquals(128, t.headDim());
        assertEquals(1e-6, t.rmsNormEps());
        assertEquals(1e6, t.ropeTheta());
        assertEquals(List.of(16, 24, 24), t.mropeSection());
        VisionConfig v = c.vision();
        assertEquals(List.of(32, 1280, 3420, 16, 14, 2, 2, 112, 3584, 3),
                List.of(v.depth(), v.hiddenSize(), v.intermediateSize(), v.numHeads(), v.patchSize(), v.spatialMergeSize(),
                        v.temporalPatchSize(), v.windowSize(), v.outHiddenSize(), v.inChannels()));
        assertEquals(List.of(7, 15, 23, 31), v.fullattBlockIndexes());
        assertEquals(1176, v.patchDim());
        assertEquals(4, v.windowMergedTokens());
        assertFalse(c.tieWordEmbeddings());
        assertEquals(List.of(151655, 151656, 151652, 151653, 151643),
                List.of(c.imageTokenId(), c.videoTokenId(), c.visionStartTokenId(), c.visionEndTokenId(), c.bosTokenId()));
        assertEquals(List.of(151645), c.eosTokenIds());
    }

    @Test
    void bothOracleLayoutsDescribeTheSameShapes() {
        Qwen25VlConfig t5 = HfConfigReader.read(OracleFixtures.path("tiny-tied-f32"));
        Qwen25VlConfig pub = HfConfigReader.read(OracleFixtures.path("tiny-untied-bf16/config.json"));
        assertEquals(Qwen25VlConfig.Layout.TRANSFORMERS5, t5.layout());
        assertEquals(Qwen25VlConfig.Layout.PUBLISHED, pub.layout());
        assertTrue(t5.tieWordEmbeddings());
        assertFalse(pub.tieWordEmbeddings());
        assertEquals(t5.text(), pub.text()); // same language model written two ways
        assertEquals(List.of(2, 3, 3), t5.text().mropeSection());
        assertEquals(List.of(1), t5.vision().fullattBlockIndexes());
        assertEquals(List.of(1, 3), pub.vision().fullattBlockIndexes());
        assertEquals(4, pub.vision().depth());
        assertEquals(t5.imageTokenId(), pub.imageTokenId());
        assertEquals(List.of(514), t5.eosTokenIds());
    }

    @Test
    void refusesOtherArchitecturesInOneLine() throws IOException {
        Path p = write("""
                {"architectures": ["Qwen2VLForConditionalGeneration"], "model_type": "qwen2_vl", "hidden_size": 8}""");
        var e = assertThrows(CheckpointException.class, () -> HfConfigReader.read(p));
        assertTrue(e.getMessage().startsWith(p + ": unsupported architecture [Qwen2VLForConditionalGeneration]"), e.getMessage());
        assertTrue(e.getMessage().contains("supported: Qwen2_5_VLForConditionalGeneration"), e.getMessage());
        assertFalse(e.getMessage().contains("\n"));
    }

    @Test
    void namesTheBadField() throws IOException {
        var noMrope = assertThrows(CheckpointException.class,
                () -> HfConfigReader.read(write(QWEN25VL_7B.replace("\"rope_scaling\": {\"type\": \"mrope\", \"mrope_section\": [16, 24, 24]},", ""))));
        assertTrue(noMrope.getMessage().contains("mrope_section"), noMrope.getMessage());
        var badHeads = assertThrows(CheckpointException.class,
                () -> HfConfigReader.read(write(QWEN25VL_7B.replace("\"num_key_value_heads\": 4", "\"num_key_value_heads\": 5"))));
        assertTrue(badHeads.getMessage().contains("not a multiple of num_key_value_heads 5"), badHeads.getMessage());
        var badSection = assertThrows(CheckpointException.class,
                () -> HfConfigReader.read(write(QWEN25VL_7B.replace("[16, 24, 24]", "[16, 24, 20]"))));
        assertTrue(badSection.getMessage().contains("head_dim/2 = 64"), badSection.getMessage());
        var badType = assertThrows(CheckpointException.class,
                () -> HfConfigReader.read(write(QWEN25VL_7B.replace("\"hidden_size\": 3584", "\"hidden_size\": \"big\""))));
        assertTrue(badType.getMessage().contains("hidden_size must be an integer"), badType.getMessage());
        var badBlock = assertThrows(CheckpointException.class,
                () -> HfConfigReader.read(write(QWEN25VL_7B.replace("[7, 15, 23, 31]", "[7, 32]"))));
        assertTrue(badBlock.getMessage().contains("fullatt_block_indexes [7, 32] must lie in [0, 32)"), badBlock.getMessage());
        Path emptyDir = Files.createDirectory(tmp.resolve("empty"));
        var missing = assertThrows(CheckpointException.class, () -> HfConfigReader.read(emptyDir));
        assertTrue(missing.getMessage().endsWith("config.json: file not found"), missing.getMessage());
        var notJson = assertThrows(CheckpointException.class, () -> HfConfigReader.read(write("{\"a\": ")));
        assertTrue(notJson.getMessage().endsWith("config.json: malformed JSON at line 1, column 7: the text ends in the middle of a value (truncated?)"),
                notJson.getMessage());
    }

    @Test
    void textConfigTieFlagCountsAsInTransformers() throws IOException {
        String nested = """
                {"model_type": "qwen2_5_vl", "image_token_id": 5, "vision_start_token_id": 6, "vision_end_token_id": 7,
                 "text_config": {"hidden_size": 8, "num_hidden_layers": 1, "num_attention_heads": 2, "intermediate_size": 16,
                   "vocab_size": 16, "tie_word_embeddings": true, "rope_scaling": {"type": "mrope", "mrope_section": [1, 1, 0]},
                   "rope_theta": 500.0},
                 "vision_config": {"depth": 1, "hidden_size": 4, "intermediate_size": 8, "num_heads": 1, "patch_size": 2,
                   "window_size": 4, "out_hidden_size": 8}}""";
        Qwen25VlConfig c = HfConfigReader.read(write(nested));
        assertTrue(c.tieWordEmbeddings());
        assertEquals(500.0, c.text().ropeTheta());
        assertEquals(2, c.text().numKvHeads()); // defaults to the query heads
        assertEquals(6, c.videoTokenId()); // image + 1, as transformers' defaults are
        assertEquals(List.of(), c.vision().fullattBlockIndexes());
    }
}
