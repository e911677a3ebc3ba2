package ai.pulsemind.model.io;

import ai.pulsemind.tensor.DType;
import ai.pulsemind.tensor.Tensor;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;

/**
 * A Qwen2.5-VL checkpoint directory opened and checked against its config: {@code config.json} parsed, the
 * safetensors mapped, and every tensor the config implies found (under its published or transformers-5 name) with
 * the implied shape and a floating dtype. Problems surface at open time as one {@link CheckpointException} line.
 * Tensors are views of the mapped files (F32, BF16 or F16 as stored); consumers widen as they need.
 */
public final class Qwen25VlCheckpoint implements AutoCloseable {
    private final Qwen25VlConfig config;
    private final SafetensorsCheckpoint weights;
    private final Map<String, String> stored; // canonical name -> name in the files

    private Qwen25VlCheckpoint(Qwen25VlConfig config, SafetensorsCheckpoint weights, Map<String, String> stored) {
        this.config = config;
        this.weights = weights;
        this.stored = stored;
    }

    public static Qwen25VlCheckpoint open(Path dir) {
        Qwen25VlConfig config = HfConfigReader.read(dir.resolve("config.json"));
        SafetensorsCheckpoint weights = SafetensorsCheckpoint.open(dir);
        try {
            Map<String, String> stored = new HashMap<>();
            for (String name : weights.names()) {
                String prior = stored.put(WeightNames.canonical(name), name);
                if (prior != null)
                    throw new CheckpointException(weights.fileOf(name).path(), "tensor " + name + " duplicates " + prior
                            + " (both are " + WeightNames.canonical(name) + ")");
            }
            check(config, weights, stored);
            return new Qwen25VlCheckpoint(config, weights, stored);
        } catch (RuntimeException e) {
            weights.close();
            throw e;
        }
    }

    private static void check(Qwen25VlConfig config, SafetensorsCheckpoint weights, Map<String, String> stored) {
        for (var e : WeightNames.expectedShapes(config).entrySet()) {
            String name = stored.get(e.getKey());
            if (name == null) {
                Path where = weights.files().size() == 1 ? weights.files().getFirst().path()
                        : weights.dir().resolve(SafetensorsCheckpoint.INDEX);
                throw new CheckpointException(where, "tensor " + e.getKey() + " is missing"
                        + (e.getKey().equals(WeightNames.LM_HEAD) ? " (config.json says tie_word_embeddings is false)" : ""));
            }
            TensorInfo info = weights.info(name);
            if (!Arrays.equals(info.dims(), e.getValue()))
                throw new CheckpointException(weights.fileOf(name).path(), "tensor " + name + " has shape "
                        + info.shape() + " but config.json implies " + Arrays.toString(e.getValue()));
            DType d = info.tensorDType();
            if (d == null || !d.isFloating())
                throw new CheckpointException(weights.fileOf(name).path(), "tensor " + name + " has dtype "
                        + info.dtype() + "; weights must be F32, BF16 or F16");
        }
    }

    public Qwen25VlConfig config() { return config; }

    public SafetensorsCheckpoint weights() { return weights; }

    /** True when the files hold {@code canonicalName} (under either naming). */
    public boolean has(String canonicalName) { return stored.containsKey(canonicalName); }

    /** The tensor stored for a canonical name ({@link WeightNames}), as a view of the mapped file. */
    public Tensor tensor(String canonicalName) {
        String name = stored.get(canonicalName);
        if (name == null) throw new CheckpointException(weights.dir(), "tensor " + canonicalName + " is missing");
        return weights.tensor(name).named(canonicalName);
    }

    /** The output projection (V, C): lm_head, or the embedding when tied (a stored lm_head is then ignored, as in transformers). */
    public Tensor lmHead() {
        return tensor(config.tieWordEmbeddings() ? WeightNames.EMBED : WeightNames.LM_HEAD);
    }

    @Override
    public void close() { weights.close(); }
}
