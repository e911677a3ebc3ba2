package ai.pulsemind.train;

import ai.pulsemind.backend.Backend;
import ai.pulsemind.model.io.SafetensorsFile;
import ai.pulsemind.model.io.SafetensorsWriter;
import ai.pulsemind.tensor.DType;
import ai.pulsemind.tensor.Tensor;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;

/**
 * LoRA adapters on disk in PEFT's layout, which PEFT ({@code PeftModel.from_pretrained}) and vLLM load:
 * {@code adapter_model.safetensors} (F32 {@code base_model.model.<module>.lora_A.weight} (r, In) and
 * {@code …lora_B.weight} (Out, r)) and {@code adapter_config.json} ({@code peft_type: LORA}, r, lora_alpha,
 * lora_dropout, use_rslora, target_modules; {@code exclude_modules} keeps the vision tower out when it is frozen,
 * since PEFT matches module names anywhere in the model).
 */
public final class PeftAdapter {
    public static final String WEIGHTS = "adapter_model.safetensors";
    public static final String CONFIG = "adapter_config.json";
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String VISION_EXCLUDE = ".*visual.*";

    private PeftAdapter() {}

    /**
     * Writes the adapter files into {@code dir} (each file atomically).
     *
     * @param tensors F32 values by PEFT key, on any device (the store's masters while training)
     */
    public static void write(Path dir, LoraConfig config, Map<String, Tensor> tensors, Backend be, String baseModel) throws IOException {
        Files.createDirectories(dir);
        SafetensorsWriter w = new SafetensorsWriter().metadata("format", "pt");
        List<Tensor> hosts = new ArrayList<>();
        for (var e : tensors.entrySet()) {
            Tensor h = Tensor.hostEmpty(DType.F32, e.getValue().shape());
            if (e.getValue().dtype() == DType.F32) be.copy(e.getValue(), h);
            else throw new IllegalArgumentException(e.getKey() + " is " + e.getValue().dtype() + "; adapters are saved from F32 values");
            hosts.add(h);
            w.add(e.getKey(), h);
        }
        w.write(dir.resolve(WEIGHTS));
        hosts.forEach(Tensor::close);
        Checkpoints.writeAtomically(dir.resolve(CONFIG), JSON.writerWithDefaultPrettyPrinter().writeValueAsBytes(config(config, baseModel)));
    }

    static ObjectNode config(LoraConfig c, String baseModel) {
        ObjectNode o = JSON.createObjectNode();
        o.put("peft_type", "LORA");
        o.putNull("task_type");
        o.put("base_model_name_or_path", baseModel);
        o.put("r", c.rank());
        o.put("lora_alpha", c.alpha());
        o.put("lora_dropout", c.dropout());
        o.put("use_rslora", c.rsLora());
        o.put("bias", "none");
        o.put("fan_in_fan_out", false);
        o.put("init_lora_weights", true);
        o.put("inference_mode", true);
        o.put("use_dora", false);
        var t = o.putArray("target_modules");
        new TreeSet<>(c.targets()).forEach(x -> t.add(x + "_proj"));
        if (!c.vision()) o.put("exclude_modules", VISION_EXCLUDE);
        else o.putNull("exclude_modules");
        o.putNull("modules_to_save");
        o.putObject("rank_pattern");
        o.putObject("alpha_pattern");
        return o;
    }

    /** Reads {@code dir/adapter_config.json} as a {@link LoraConfig}; unsupported PEFT features are refused by name. */
    public static LoraConfig readConfig(Path dir) {
        Path f = dir.resolve(CONFIG);
        JsonNode n;
        try {
            n = JSON.readTree(f.toFile());
        } catch (IOException e) {
            throw new IllegalArgumentException(f + ": cannot read the adapter config: " + e.getMessage(), e);
        }
        if (n == null || !"LORA".equals(n.path("peft_type").asText()))
            throw new IllegalArgumentException(f + ": peft_type must be LORA, got " + (n == null ? "nothing" : n.path("peft_type")));
        for (String unsupported : new String[] {"use_dora", "fan_in_fan_out"})
            if (n.path(unsupported).asBoolean(false)) throw new IllegalArgumentException(f + ": " + unsupported + " is not supported");
        if (n.path("rank_pattern").size() > 0 || n.path("alpha_pattern").size() > 0)
            throw new IllegalArgumentException(f + ": rank_pattern/alpha_pattern are not supported");
        List<String> targets = new ArrayList<>();
        JsonNode tm = n.path("target_modules");
        if (!tm.isArray()) throw new IllegalArgumentException(f + ": target_modules must be a list of module names");
        tm.forEach(x -> targets.add(x.asText()));
        boolean vision = !VISION_EXCLUDE.equals(n.path("exclude_modules").asText(null));
        try {
            return new LoraConfig(n.path("r").asInt(), (float) n.path("lora_alpha").asDouble(), (float) n.path("lora_dropout").asDouble(0),
                    n.path("use_rslora").asBoolean(false), targets, vision);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(f + ": " + e.getMessage(), e);
        }
    }

    /**
     * The adapter weights in {@code dir} as host F32 tensors by PEFT key, for exactly the keys of {@code lora} (keys
     * saved by older transformers versions, {@code model.layers.*}, are accepted), each shaped as the model needs.
     */
    public static Map<String, Tensor> read(Path dir, Lora lora) {
        Path f = dir.resolve(WEIGHTS);
        Map<String, Tensor> out = new java.util.LinkedHashMap<>();
        try (SafetensorsFile file = SafetensorsFile.open(f)) {
            for (Map.Entry<String, Tensor> e : lora.tensors().entrySet()) {
                String key = file.contains(e.getKey()) ? e.getKey() : Lora.legacyKey(e.getKey());
                if (!file.contains(key)) throw new IllegalArgumentException(f + ": no tensor " + e.getKey() + " (adapter and model do not match)");
                Tensor src = file.tensor(key);
                if (!src.shape().equals(e.getValue().shape()))
                    throw new IllegalArgumentException(f + ": " + key + " has shape " + src.shape() + ", the model needs " + e.getValue().shape());
                Tensor wide = Tensor.hostEmpty(DType.F32, src.shape());
                for (long i = 0; i < src.numel(); i++) wide.setFloat(i, src.getFloat(i));
                out.put(e.getKey(), wide);
            }
            if (file.tensors().size() != out.size())
                throw new IllegalArgumentException(f + ": holds " + file.tensors().size() + " tensors, the configured adapter has " + out.size());
        }
        return out;
    }

    /** Attaches the adapter in {@code dir} (its config and weights) to {@code model}, ready for inference or training. */
    public static Lora attach(Path dir, Backend be, ai.pulsemind.model.qwen25vl.Qwen25VL model) {
        Lora lora = Lora.attach(be, model, readConfig(dir), 0);
        Map<String, Tensor> values = read(dir, lora);
        lora.assign(be, values);
        values.values().forEach(Tensor::close);
        return lora;
    }
}
