package ai.pulsemind.testing;

import ai.pulsemind.backend.cpu.ReferenceBackend;
import ai.pulsemind.model.generate.ChatModel;
import ai.pulsemind.tensor.DType;
import ai.pulsemind.tensor.Tensor;
import ai.pulsemind.train.Lora;
import ai.pulsemind.train.LoraConfig;
import ai.pulsemind.train.PeftAdapter;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.SplittableRandom;

/** A LoRA adapter for tests: every text projection of a model, random non-zero A and B, written as PEFT writes it. */
public final class RandomAdapter {
    private RandomAdapter() {}

    /** Writes the adapter for the model in {@code modelDir} to {@code dir} (the same values every time) and returns dir. */
    public static Path write(Path modelDir, Path dir) throws Exception {
        ReferenceBackend be = new ReferenceBackend();
        try (ChatModel cm = ChatModel.open(modelDir, be)) {
            LoraConfig cfg = new LoraConfig(4, 8f, 0f, false, LoraConfig.ALL_TEXT, false);
            Lora lora = Lora.attach(be, cm.model(), cfg, 3);
            Map<String, Tensor> values = new LinkedHashMap<>();
            SplittableRandom r = new SplittableRandom(5);
            lora.tensors().forEach((k, t) -> {
                Tensor h = Tensor.hostEmpty(DType.F32, t.shape());
                for (long i = 0; i < h.numel(); i++) h.setFloat(i, (float) (r.nextGaussian() * 0.3));
                values.put(k, h);
            });
            lora.assign(be, values);
            PeftAdapter.write(dir, cfg, lora.tensors(), be, modelDir.getFileName().toString());
            values.values().forEach(Tensor::close);
        }
        return dir;
    }
}
