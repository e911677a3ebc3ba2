package ai.pulsemind.train.init;

import ai.pulsemind.backend.Backend;
import ai.pulsemind.model.io.Qwen25VlCheckpoint;
import ai.pulsemind.model.qwen25vl.Qwen25VL;
import ai.pulsemind.nn.Linear;
import ai.pulsemind.tensor.AllocationScope;
import ai.pulsemind.tensor.DType;
import ai.pulsemind.tensor.Tensor;
import ai.pulsemind.train.FullWeights;
import ai.pulsemind.train.Lora;
import ai.pulsemind.train.PeftAdapter;

import java.io.IOException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * {@code model merge}: W' = W + scaling·B·A for every adapted projection, written with the rest of the base as a
 * plain Hugging Face checkpoint (F32), so tools without LoRA support load the fine-tuned model.
 */
public final class Merge {
    private Merge() {}

    /** @return the number of merged projections */
    public static int run(Backend be, Path model, Path adapter, Path out) throws IOException {
        try (Qwen25VlCheckpoint ckpt = Qwen25VlCheckpoint.open(model); var scope = AllocationScope.open()) {
            Qwen25VL m = Qwen25VL.load(be, ckpt);
            Lora lora = PeftAdapter.attach(adapter, be, m);
            Map<String, Tensor> merged = new LinkedHashMap<>();
            for (var e : lora.modules().entrySet()) {
                Linear l = e.getValue();
                Tensor ba = be.empty(DType.F32, l.weight().shape()); // (Out, In) = scaling · B·A
                be.matmul(f32(be, l.lora().b()), false, f32(be, l.lora().a()), false, ba, l.lora().scaling(), 0f);
                Tensor w = f32(be, l.weight());
                Tensor sum = be.empty(DType.F32, w.shape());
                be.add(w, ba, sum);
                merged.put(canonical(e.getKey()), sum);
            }
            FullWeights.write(out, m, merged, be, model);
            return merged.size();
        }
    }

    private static Tensor f32(Backend be, Tensor t) {
        if (t.dtype() == DType.F32) return t;
        Tensor c = be.empty(DType.F32, t.shape());
        be.convert(t, c);
        return c;
    }

    /** transformers-5 module name + ".weight" → the published parameter name. */
    static String canonical(String module) { return ai.pulsemind.model.io.WeightNames.canonical(module) + ".weight"; }
}
