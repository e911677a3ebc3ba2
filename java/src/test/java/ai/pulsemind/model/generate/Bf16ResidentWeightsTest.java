package ai.pulsemind.model.generate;

import ai.pulsemind.backend.cpu.CpuBackend;
import ai.pulsemind.model.io.OracleFixtures;
import ai.pulsemind.model.io.Qwen25VlCheckpoint;
import ai.pulsemind.model.qwen25vl.Prompt;
import ai.pulsemind.model.qwen25vl.Qwen25VL;
import ai.pulsemind.tensor.DType;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * A BF16 checkpoint opened as a {@link ChatModel} keeps its linear-layer weights in BF16 on the CPU (half the
 * memory and the bytes read per decoded token), reads its LM head as stored for the logits product, and generates exactly what the model with every weight widened to
 * F32 at load generates: the same ids and the same log-probs, bit for bit, text and image prompts.
 */
class Bf16ResidentWeightsTest {
    @Test
    void bf16LinearsGenerateWhatWidenedWeightsGenerate() {
        try (CpuBackend be = new CpuBackend(2);
             ChatModel cm = ChatModel.open(OracleFixtures.path("tiny-untied-bf16"), be, Engine.Config.of(2, 512));
             Qwen25VlCheckpoint ckpt = Qwen25VlCheckpoint.open(OracleFixtures.path("tiny-untied-bf16"))) {
            var layer = cm.model().text().layers().get(0);
            assertEquals(DType.BF16, layer.q().weight().dtype(), "linear weights stay as stored");
            assertEquals(DType.F32, layer.inputNorm().dtype(), "norms are widened");
            assertEquals(DType.F32, cm.model().text().head().dtype(), "the LM head parameter is widened");
            assertEquals(DType.BF16, cm.model().text().logitsHead().dtype(), "the logits product reads the head as stored");
            Qwen25VL widened = Qwen25VL.load(be, ckpt);
            assertEquals(DType.F32, widened.text().layers().get(0).q().weight().dtype());
            assertEquals(widened.params().all().keySet(), cm.model().params().all().keySet(), "the BF16 head copy is no parameter");
            try (Engine plain = new Engine(widened, be, Engine.Config.of(2, 512), cm.tokenizer())) {
                for (Prompt p : new Prompt[] {cm.prompt(EngineFixture.user("Where does it hurt?")),
                        cm.prompt(EngineFixture.withImage("plain_56x84.png", "Describe the image."))}) {
                    for (GenerationConfig g : new GenerationConfig[] {GenerationConfig.greedy(10).withLogprobs(2),
                            GenerationConfig.sampling(10, 1.1f, 0, 0.95f, 3).withLogprobs(0)}) {
                        Completion kept = cm.engine().submit(p, g, 0, null).join();
                        Completion wide = plain.submit(p, g, 0, null).join();
                        assertArrayEquals(wide.ids(), kept.ids());
                        assertArrayEquals(wide.logprobs(), kept.logprobs());
                    }
                }
            }
        }
    }
}
