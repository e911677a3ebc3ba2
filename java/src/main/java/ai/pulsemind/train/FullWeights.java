package ai.pulsemind.train;

import ai.pulsemind.backend.Backend;
import ai.pulsemind.model.io.SafetensorsFile;
import ai.pulsemind.model.io.SafetensorsWriter;
import ai.pulsemind.model.io.WeightNames;
import ai.pulsemind.model.qwen25vl.Qwen25VL;
import ai.pulsemind.tensor.DType;
import ai.pulsemind.tensor.Tensor;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * A model's weights as a plain Hugging Face checkpoint: {@code model.safetensors} (F32, the published tensor names)
 * beside copies of the base directory's config, tokenizer, chat template and processor files, so transformers and
 * this engine load it as they load the base. Used for full fine-tuning checkpoints and by {@code model merge}.
 */
public final class FullWeights {
    /** The non-weight files of a model directory that a checkpoint carries. */
    public static final List<String> SIDE_FILES = List.of("config.json", "generation_config.json", "tokenizer.json",
            "tokenizer_config.json", "special_tokens_map.json", "chat_template.jinja", "chat_template.json",
            "preprocessor_config.json", "processor_config.json", "video_preprocessor_config.json", "vocab.json", "merges.txt");

    private FullWeights() {}

    /**
     * Writes every parameter of {@code model} to {@code dir}; {@code override} gives F32 values (any device) to use
     * instead of the model's own for some names (the store's masters).
     */
    public static void write(Path dir, Qwen25VL model, Map<String, Tensor> override, Backend be, Path baseDir) throws IOException {
        Files.createDirectories(dir);
        SafetensorsWriter w = new SafetensorsWriter().metadata("format", "pt");
        List<Tensor> hosts = new ArrayList<>();
        for (var e : model.params().all().entrySet()) {
            Tensor src = override.getOrDefault(e.getKey(), e.getValue());
            Tensor h = Tensor.hostEmpty(DType.F32, src.shape());
            if (src.dtype() == DType.F32) be.copy(src, h);
            else {
                Tensor d = be.empty(DType.F32, src.shape());
                be.convert(src, d);
                be.copy(d, h);
                d.close();
            }
            hosts.add(h);
            String name = e.getKey();
            if (name.equals(WeightNames.PATCH_EMBED) && model.vision() != null) { // the Conv3d's own shape
                var v = model.vision().config();
                h = h.reshape(v.hiddenSize(), v.inChannels(), v.temporalPatchSize(), v.patchSize(), v.patchSize());
            }
            w.add(name, h);
        }
        w.write(dir.resolve("model.safetensors"));
        hosts.forEach(Tensor::close);
        for (String f : SIDE_FILES) {
            Path p = baseDir.resolve(f);
            if (Files.isRegularFile(p)) Checkpoints.copyInto(p, dir);
        }
    }

    /** Reads the named tensors of {@code dir/model.safetensors} as host F32 (shapes as stored). */
    public static Map<String, Tensor> read(Path dir, Iterable<String> names) {
        Path f = dir.resolve("model.safetensors");
        Map<String, Tensor> out = new java.util.LinkedHashMap<>();
        try (SafetensorsFile file = SafetensorsFile.open(f)) {
            for (String n : names) {
                if (!file.contains(n)) throw new IllegalArgumentException(f + ": no tensor " + n);
                Tensor src = file.tensor(n);
                Tensor wide = Tensor.hostEmpty(DType.F32, src.shape());
                for (long i = 0; i < src.numel(); i++) wide.setFloat(i, src.getFloat(i));
                out.put(n, wide);
            }
        }
        return out;
    }
}
