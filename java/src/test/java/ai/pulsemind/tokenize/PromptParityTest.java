package ai.pulsemind.tokenize;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.pulsemind.model.io.HfConfigReader;
import ai.pulsemind.model.io.OracleFixtures;
import ai.pulsemind.model.io.Qwen25VlConfig;
import ai.pulsemind.model.io.SafetensorsFile;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The whole input side of a Qwen2.5-VL prompt, from a model directory as users have it, against the processor
 * outputs transformers produced for it: chat template, image preprocessing, pad expansion and token ids.
 */
class PromptParityTest {
    @Test
    void everyOracleModelDirectoryReproducesTheProcessorInputs() throws IOException {
        JsonNode prompts = new ObjectMapper().readTree(OracleFixtures.path("prompts/prompts.json").toFile()).get("prompts");
        try (SafetensorsFile pv = SafetensorsFile.open(OracleFixtures.path("prompts/pixel_values.safetensors"))) {
            for (String model : OracleFixtures.MODELS) {
                Path dir = OracleFixtures.path(model);
                Qwen25VlConfig cfg = HfConfigReader.read(dir);
                Tokenizer tok = Tokenizer.load(dir.resolve("tokenizer.json"));
                ChatTemplate template = ChatTemplate.load(dir);
                ImageProcessor images = ImageProcessor.load(dir);
                assertEquals(cfg.imageTokenId(), tok.requireId("<|image_pad|>"), model);
                assertEquals(cfg.visionStartTokenId(), tok.requireId("<|vision_start|>"), model);
                for (JsonNode p : prompts) check(model, p, pv, tok, template, images, cfg);
            }
        }
    }

    private static void check(String model, JsonNode p, SafetensorsFile pv, Tokenizer tok, ChatTemplate template,
                              ImageProcessor images, Qwen25VlConfig cfg) {
        String what = model + " / " + p.get("name").asText();
        var messages = ChatTemplate.messages(p.get("messages"));
        String text = template.render(messages, true, Map.of());
        assertEquals(p.get("text").asText(), text, what);
        List<RgbImage> imgs = new ArrayList<>();
        for (Map<String, Object> m : messages)
            if (m.get("content") instanceof List<?> parts)
                for (Object part : parts)
                    if (part instanceof Map<?, ?> mp && "image".equals(mp.get("type")))
                        imgs.add(ImageProcessorTest.read(OracleFixtures.path("images/" + mp.get("image"))));
        List<int[]> grids = List.of();
        if (!imgs.isEmpty()) {
            ImageProcessor.Processed out = images.process(imgs);
            ImageProcessorTest.assertClose(what + " pixel_values", pv.tensor(p.get("name").asText() + ".pixel_values"),
                    out.pixelValues());
            grids = out.gridThw();
        }
        JsonNode g = p.get("image_grid_thw");
        assertEquals(g.size(), grids.size(), what);
        for (int i = 0; i < grids.size(); i++)
            assertArrayEquals(TokenizerParityTest.ints(g.get(i)), grids.get(i), what + " grid " + i);
        int merge = cfg.vision().spatialMergeSize();
        int[] expect = TokenizerParityTest.ints(p.get("input_ids"));
        assertArrayEquals(expect, tok.encode(ImagePads.expandText(text, "<|image_pad|>", grids, merge)), what + " (text expansion)");
        assertArrayEquals(expect, ImagePads.expandIds(tok.encode(text), cfg.imageTokenId(), grids, merge), what + " (id expansion)");
        long pads = java.util.Arrays.stream(expect).filter(id -> id == cfg.imageTokenId()).count();
        assertTrue(grids.isEmpty() == (pads == 0), what);
    }
}
