package ai.pulsemind.model.io;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Parses a Qwen2.5-VL {@code config.json} into a validated {@link Qwen25VlConfig}.
 *
 * <p>Two layouts exist. The one published with the checkpoints keeps the language model's fields at the top level,
 * {@code rope_theta} beside them and {@code rope_scaling: {type: "mrope", mrope_section: [...]}}; its
 * {@code vision_config} names the channel count {@code in_chans}. transformers 5 nests the language model in
 * {@code text_config} with {@code rope_parameters: {rope_type, mrope_section, rope_theta}} and says
 * {@code in_channels}. Intermediate saves mix the two (text_config with rope_scaling), so each field is looked up
 * where either layout puts it. Any other architecture is refused with one line naming it.
 */
public final class HfConfigReader {
    static final String ARCHITECTURE = "Qwen2_5_VLForConditionalGeneration";
    static final String MODEL_TYPE = "qwen2_5_vl";

    private HfConfigReader() {}

    /** Reads {@code dir/config.json}, or the file itself when given one. */
    public static Qwen25VlConfig read(Path path) {
        Path file = path.toFile().isDirectory() ? path.resolve("config.json") : path;
        JsonFields j = new JsonFields(file);
        JsonNode root = j.readObject();
        checkArchitecture(j, root);
        try {
            return parse(j, root);
        } catch (IllegalArgumentException e) { // a record's validation: same one-line form, with the file
            throw j.fail(e.getMessage());
        }
    }

    private static void checkArchitecture(JsonFields j, JsonNode root) {
        String type = j.textOr(root, "", "model_type", null);
        List<String> archs = new ArrayList<>();
        JsonNode a = root.get("architectures");
        if (a != null && a.isArray()) a.forEach(n -> archs.add(n.asText()));
        boolean ok = MODEL_TYPE.equals(type) || archs.contains(ARCHITECTURE);
        if (!ok)
            throw j.fail("unsupported architecture " + (archs.isEmpty() ? "" : archs + " ") + "(model_type "
                    + (type == null ? "missing" : "'" + type + "'") + "); supported: " + ARCHITECTURE
                    + " (model_type " + MODEL_TYPE + ")");
    }

    private static Qwen25VlConfig parse(JsonFields j, JsonNode root) {
        JsonNode textNode = root.get("text_config");
        boolean nested = textNode != null && textNode.isObject();
        JsonNode t = nested ? textNode : root;
        String tw = nested ? "text_config" : "";
        TextConfig text = new TextConfig(
                j.positive(t, tw, "hidden_size"), j.positive(t, tw, "num_hidden_layers"),
                j.positive(t, tw, "num_attention_heads"),
                j.integerOr(t, tw, "num_key_value_heads", j.positive(t, tw, "num_attention_heads")),
                j.positive(t, tw, "intermediate_size"), j.positive(t, tw, "vocab_size"),
                t.has("rms_norm_eps") ? j.number(t, tw, "rms_norm_eps") : 1e-6,
                ropeTheta(j, root, t, tw), mropeSection(j, root, t, tw),
                j.integerOr(t, tw, "max_position_embeddings", 32768), j.textOr(t, tw, "hidden_act", "silu"));
        VisionConfig vision = vision(j, root);
        boolean tie = j.boolOr(root, "", "tie_word_embeddings", false)
                || (nested && j.boolOr(t, tw, "tie_word_embeddings", false)); // pre-v5 saves put it in text_config
        JsonNode eos = root.has("eos_token_id") ? root.get("eos_token_id") : t.get("eos_token_id");
        JsonNode bos = root.has("bos_token_id") ? root.get("bos_token_id") : t.get("bos_token_id");
        return new Qwen25VlConfig(text, vision, tie,
                j.integer(root, "", "image_token_id"),
                j.integerOr(root, "", "video_token_id", j.integer(root, "", "image_token_id") + 1),
                j.integer(root, "", "vision_start_token_id"), j.integer(root, "", "vision_end_token_id"),
                bos == null || bos.isNull() ? -1 : j.intList(bos, "bos_token_id").getFirst(),
                j.intList(eos, "eos_token_id"),
                nested ? Qwen25VlConfig.Layout.TRANSFORMERS5 : Qwen25VlConfig.Layout.PUBLISHED);
    }

    /** rope_parameters (transformers 5) or rope_scaling (published), in text_config or at the top level. */
    private static JsonNode rope(JsonNode root, JsonNode t) {
        for (JsonNode n : new JsonNode[] {t, root})
            for (String k : new String[] {"rope_parameters", "rope_scaling"})
                if (n.get(k) != null && n.get(k).isObject()) return n.get(k);
        return null;
    }

    private static List<Integer> mropeSection(JsonFields j, JsonNode root, JsonNode t, String tw) {
        JsonNode r = rope(root, t);
        if (r == null || r.get("mrope_section") == null)
            throw j.fail("missing " + JsonFields.field(tw, "rope_scaling.mrope_section") + " (or rope_parameters.mrope_section): "
                    + "Qwen2.5-VL needs M-RoPE sections");
        String type = r.has("rope_type") ? r.get("rope_type").asText() : r.has("type") ? r.get("type").asText() : "default";
        if (!type.equals("mrope") && !type.equals("default"))
            throw j.fail("rope type '" + type + "' is not supported (only mrope/default with mrope_section)");
        return j.intList(r.get("mrope_section"), "mrope_section");
    }

    private static double ropeTheta(JsonFields j, JsonNode root, JsonNode t, String tw) {
        JsonNode r = rope(root, t);
        if (r != null && r.has("rope_theta")) return j.number(r, "rope_parameters", "rope_theta");
        if (t.has("rope_theta")) return j.number(t, tw, "rope_theta");
        if (root.has("rope_theta")) return j.number(root, "", "rope_theta");
        return 1_000_000.0; // transformers' Qwen2.5-VL default
    }

    private static VisionConfig vision(JsonFields j, JsonNode root) {
        JsonNode v = root.get("vision_config");
        if (v == null || !v.isObject()) throw j.fail("missing field vision_config");
        String w = "vision_config";
        int patch = v.has("patch_size") ? j.positive(v, w, "patch_size") : j.positive(v, w, "spatial_patch_size");
        int inCh = v.has("in_chans") ? j.positive(v, w, "in_chans") : j.integerOr(v, w, "in_channels", 3);
        return new VisionConfig(j.positive(v, w, "depth"), j.positive(v, w, "hidden_size"),
                j.positive(v, w, "intermediate_size"), j.positive(v, w, "num_heads"), patch,
                j.integerOr(v, w, "spatial_merge_size", 2), j.integerOr(v, w, "temporal_patch_size", 2),
                j.integerOr(v, w, "window_size", 112), j.intList(v.get("fullatt_block_indexes"), w + ".fullatt_block_indexes"),
                j.positive(v, w, "out_hidden_size"), inCh, j.textOr(v, w, "hidden_act", "silu"),
                j.integerOr(v, w, "tokens_per_second", 2));
    }
}
