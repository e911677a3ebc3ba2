package ai.pulsemind.model.generate;

import ai.pulsemind.testing.RandomAdapter;
import ai.pulsemind.backend.cpu.ReferenceBackend;
import ai.pulsemind.model.io.OracleFixtures;
import ai.pulsemind.model.qwen25vl.Prompt;
import ai.pulsemind.nn.ForwardMode;
import ai.pulsemind.train.PeftAdapter;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A model directory with a LoRA adapter in the PEFT layout ({@code PeftAdapter.attach} before the engine starts):
 * the engine generates with the adapter in prefill and decode alike, so its log-probs are the trainer's with
 * adapters on ({@code CausalLm.tokenLogprobs}, {@code ForwardMode.INFERENCE}) and not the base model's.
 */
class EngineAdapterTest {
    static final ReferenceBackend REF = new ReferenceBackend();

    @Test
    void theEngineGeneratesWithTheAttachedAdapter(@TempDir Path tmp) throws Exception {
        Path adapter = RandomAdapter.write(OracleFixtures.path("tiny-tied-f32"), tmp.resolve("adapter"));
        try (ChatModel cm = ChatModel.open(OracleFixtures.path("tiny-tied-f32"), REF, Engine.Config.of(2, 512))) {
            PeftAdapter.attach(adapter, REF, cm.model());
            Prompt p = cm.prompt(EngineFixture.withImage("plain_56x84.png", "Describe the image."));
            Completion c = cm.engine().submit(p, GenerationConfig.sampling(12, 1.2f, 0, 1f, 17).withLogprobs(0), 0, null).join();
            float[] adapted = EngineOutputsTest.trainingLogprobs(REF, cm.model(), p, c.ids(), ForwardMode.INFERENCE);
            float[] base = EngineOutputsTest.trainingLogprobs(REF, cm.model(), p, c.ids(), ForwardMode.BASE);
            double offBase = 0;
            for (int k = 0; k < c.ids().length; k++) {
                assertEquals(adapted[k], c.logprobs()[k], 2e-5, "token " + k + ": the trainer's log-prob with adapters on");
                offBase = Math.max(offBase, Math.abs(base[k] - c.logprobs()[k]));
            }
            assertTrue(offBase > 1e-2, "the adapter changes the model: max |engine - base| = " + offBase);
        }
    }
}
