package ai.pulsemind.train;

import ai.pulsemind.backend.Backend;
import ai.pulsemind.model.qwen25vl.Qwen25VL;
import ai.pulsemind.model.qwen25vl.TextModel;
import ai.pulsemind.nn.Linear;
import ai.pulsemind.nn.LoraAdapter;
import ai.pulsemind.tensor.AllocationScope;
import ai.pulsemind.tensor.DType;
import ai.pulsemind.tensor.Shape;
import ai.pulsemind.tensor.Tensor;

import java.lang.foreign.ValueLayout;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * Attaches LoRA adapters to a model's projections and names them as PEFT does, so that
 * {@code adapter_model.safetensors} written from {@link #tensors()} loads in PEFT and vLLM.
 *
 * <p>Initialisation is PEFT's default: A from Kaiming-uniform with a = √5 (bound 1/√In), B zero, so the adapted
 * model starts equal to the base. Adapters are numbered in module order; the number keys their dropout masks.
 */
public final class Lora {
    /** The prefix PEFT puts before a transformers-5 module name in adapter files. */
    public static final String PEFT_PREFIX = "base_model.model.";

    private final LoraConfig config;
    private final Map<String, Linear> modules;    // HF module name (transformers 5) -> the adapted layer

    private Lora(LoraConfig config, Map<String, Linear> modules) {
        this.config = config;
        this.modules = modules;
    }

    /**
     * Adds adapters to every targeted projection of {@code model}, A and B on the backend in its compute dtype
     * (F32 on the CPU; a parameter store keeps F32 masters of BF16 ones), initialised from {@code seed}.
     */
    public static Lora attach(Backend be, Qwen25VL model, LoraConfig config, long seed) {
        if (!config.enabled()) throw new IllegalArgumentException("LoRA rank is 0: nothing to attach");
        Map<String, Linear> modules = targets(model, config);
        SplittableRandom rnd = new SplittableRandom(seed);
        int site = 0;
        float scaling = LoraAdapter.scaling(config.alpha(), config.rank(), config.rsLora());
        for (var e : modules.entrySet()) {
            Linear l = e.getValue();
            if (l.lora() != null) throw new IllegalStateException(e.getKey() + " already has an adapter");
            Tensor a = kaiming(be, config.rank(), l.in(), rnd.split());
            Tensor b = AllocationScope.outside(() -> be.zeros(be.computeDtype(), Shape.of(l.out(), config.rank())));
            l.attach(new LoraAdapter(a.named(e.getKey() + ".lora_A.weight"), b.named(e.getKey() + ".lora_B.weight"),
                    scaling, config.dropout(), site++));
        }
        return new Lora(config, modules);
    }

    /** The targeted projections in module order, by their transformers-5 module names. */
    static Map<String, Linear> targets(Qwen25VL model, LoraConfig config) {
        Map<String, Linear> out = new LinkedHashMap<>();
        if (config.vision() && model.vision() != null)
            model.vision().linears().forEach((name, l) -> {
                if (config.targets(name)) out.put("model." + name, l);
            });
        var layers = model.text().layers();
        for (int i = 0; i < layers.size(); i++) {
            TextModel.Layer ly = layers.get(i);
            for (var e : ly.linears().entrySet())
                if (config.targets(e.getKey())) out.put("model.language_model.layers." + i + "." + e.getKey(), e.getValue());
        }
        if (out.isEmpty()) throw new IllegalArgumentException("--lora-targets " + config.targets() + " match no projection of the model");
        return out;
    }

    private static Tensor kaiming(Backend be, int rows, int in, SplittableRandom r) {
        double bound = 1 / Math.sqrt(in); // kaiming_uniform_(a=√5): gain √(2/(1+5)), bound gain·√(3/fan_in)
        Tensor host = Tensor.hostEmpty(DType.F32, Shape.of(rows, in));
        var seg = host.segment();
        for (long i = 0; i < host.numel(); i++) seg.setAtIndex(ValueLayout.JAVA_FLOAT, i, (float) ((r.nextDouble() * 2 - 1) * bound));
        return AllocationScope.outside(() -> place(be, host));
    }

    /** An F32 tensor (any device) as a new tensor on the backend in its compute dtype. */
    static Tensor place(Backend be, Tensor f32) {
        Tensor on = be.empty(DType.F32, f32.shape());
        be.copy(f32, on);
        if (be.computeDtype() == DType.F32) return on;
        Tensor c = be.empty(be.computeDtype(), f32.shape());
        be.convert(on, c);
        on.close();
        return c;
    }

    /** Writes F32 values (by PEFT key, any device) into the adapter tensors, rounding to their dtype. */
    public void assign(Backend be, Map<String, Tensor> valuesF32) {
        tensors().forEach((key, t) -> {
            Tensor v = valuesF32.get(key);
            if (v == null) throw new IllegalArgumentException("no value for adapter tensor " + key);
            try (var s = AllocationScope.open()) {
                Tensor on = be.empty(DType.F32, v.shape());
                be.copy(v, on);
                if (t.dtype() == DType.F32) be.copy(on, t);
                else be.convert(on, t);
            }
        });
    }

    public LoraConfig config() { return config; }

    /** Adapted projections by their transformers-5 module names. */
    public Map<String, Linear> modules() { return modules; }

    /**
     * Every adapter tensor by its PEFT key ({@code base_model.model.<module>.lora_A.weight}, {@code …lora_B.weight}),
     * in module order: what training updates and what {@code adapter_model.safetensors} holds.
     */
    public Map<String, Tensor> tensors() {
        Map<String, Tensor> out = new LinkedHashMap<>();
        modules.forEach((name, l) -> {
            out.put(PEFT_PREFIX + name + ".lora_A.weight", l.lora().a());
            out.put(PEFT_PREFIX + name + ".lora_B.weight", l.lora().b());
        });
        return out;
    }

    /** The PEFT key under which older transformers versions saved the same tensor (model.layers…, visual…). */
    public static String legacyKey(String key) {
        String m = key.substring(PEFT_PREFIX.length());
        if (m.startsWith("model.language_model.")) return PEFT_PREFIX + "model." + m.substring("model.language_model.".length());
        if (m.startsWith("model.visual.")) return PEFT_PREFIX + "visual." + m.substring("model.visual.".length());
        return key;
    }
}
