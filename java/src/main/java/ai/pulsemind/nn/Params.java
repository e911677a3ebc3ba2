package ai.pulsemind.nn;

import ai.pulsemind.tensor.Tensor;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A model's parameters by their Hugging Face names, in registration order (so optimiser state and checkpoints
 * line up run to run).
 */
public final class Params {
    private final Map<String, Tensor> byName = new LinkedHashMap<>();

    public Tensor add(String name, Tensor t) {
        if (byName.putIfAbsent(name, t) != null) throw new IllegalStateException("parameter '" + name + "' registered twice");
        return t;
    }

    public Tensor get(String name) {
        Tensor t = byName.get(name);
        if (t == null) throw new IllegalArgumentException("no parameter named '" + name + "'");
        return t;
    }

    public Map<String, Tensor> all() { return Collections.unmodifiableMap(byName); }

    /** Only the parameters that require grad (e.g. LoRA adapters when the base is frozen). */
    public Map<String, Tensor> trainable() {
        Map<String, Tensor> out = new LinkedHashMap<>();
        byName.forEach((k, v) -> { if (v.requiresGrad()) out.put(k, v); });
        return out;
    }

    public long count() { return byName.values().stream().mapToLong(Tensor::numel).sum(); }
}
