package ai.pulsemind.cli;

import ai.pulsemind.model.io.SafetensorsWriter;
import ai.pulsemind.model.io.TextConfig;
import ai.pulsemind.tensor.DType;
import ai.pulsemind.tensor.Shape;
import ai.pulsemind.tensor.Tensor;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.TreeMap;

/**
 * A random-weight model directory in the published Hugging Face Qwen2.5-VL layout, complete enough for every
 * command that takes {@code --model}: {@code config.json}, {@code model.safetensors} (the text decoder of a named
 * shape and a one-block vision tower), a byte-level {@code tokenizer.json} with Qwen's special tokens,
 * {@code tokenizer_config.json}, the Qwen2-VL {@code chat_template.jinja} and {@code preprocessor_config.json}.
 *
 * <p>The tokenizer knows the 256 bytes and the specials (ids 0..263, no merges: every byte is a token); the
 * embedding table has the shape's full vocabulary, padded beyond the tokenizer as real Qwen checkpoints are. The
 * weights are random (std 0.02): for timing and plumbing, not for reading the replies.
 */
final class RandomCheckpoint {
    private RandomCheckpoint() {}

    /** Qwen's special tokens, in Qwen's order, right after the 256 byte tokens. */
    static final List<String> SPECIALS = List.of("<|endoftext|>", "<|im_start|>", "<|im_end|>", "<|vision_start|>",
            "<|vision_end|>", "<|vision_pad|>", "<|image_pad|>", "<|video_pad|>");
    static final int FIRST_SPECIAL = 256;
    /** The vision tower: width, MLP width, merger width (4 patches merged). */
    private static final int VC = 32, VF = 64, VU = 4 * VC;

    static int special(String token) { return FIRST_SPECIAL + SPECIALS.indexOf(token); }

    /** The vision tower's weights by name, in writing order (its random stream follows this order). */
    private static Map<String, int[]> visionShapes(TextConfig t) {
        Map<String, int[]> m = new LinkedHashMap<>();
        m.put("visual.patch_embed.proj.weight", new int[] {VC, 3, 2, 14, 14});
        m.put("visual.blocks.0.norm1.weight", new int[] {VC});
        m.put("visual.blocks.0.norm2.weight", new int[] {VC});
        m.put("visual.blocks.0.attn.qkv.weight", new int[] {3 * VC, VC});
        m.put("visual.blocks.0.attn.qkv.bias", new int[] {3 * VC});
        m.put("visual.blocks.0.attn.proj.weight", new int[] {VC, VC});
        m.put("visual.blocks.0.attn.proj.bias", new int[] {VC});
        for (String p : List.of("gate_proj", "up_proj")) {
            m.put("visual.blocks.0.mlp." + p + ".weight", new int[] {VF, VC});
            m.put("visual.blocks.0.mlp." + p + ".bias", new int[] {VF});
        }
        m.put("visual.blocks.0.mlp.down_proj.weight", new int[] {VC, VF});
        m.put("visual.blocks.0.mlp.down_proj.bias", new int[] {VC});
        m.put("visual.merger.ln_q.weight", new int[] {VC});
        m.put("visual.merger.mlp.0.weight", new int[] {VU, VU});
        m.put("visual.merger.mlp.0.bias", new int[] {VU});
        m.put("visual.merger.mlp.2.weight", new int[] {t.hiddenSize(), VU});
        m.put("visual.merger.mlp.2.bias", new int[] {t.hiddenSize()});
        return m;
    }

    /** Parameters of the text decoder: embeddings (tied: no separate lm_head), layers, final norm. */
    static long textParameters(TextConfig t) {
        long c = t.hiddenSize(), kv = (long) t.numKvHeads() * t.headDim(), f = t.intermediateSize();
        long layer = 2 * c + (c * c + c) + 2 * (kv * c + kv) + c * c + 3 * f * c; // norms, q (+bias), k, v (+bias), o, MLP
        return (long) t.vocabSize() * c + t.numLayers() * layer + c;
    }

    /** Parameters {@link #write} writes: the text decoder and the one-block vision tower. */
    static long parameters(TextConfig t) {
        long n = textParameters(t);
        for (int[] s : visionShapes(t).values()) n += Shape.of(s).numel();
        return n;
    }

    /** Bytes of weights {@link #write} puts in model.safetensors (its header adds a few kB). */
    static long weightBytes(TextConfig t, DType dt) { return parameters(t) * dt.byteSize(); }

    /** Writes the whole directory; the weights are deterministic given the shape. */
    static void write(Path dir, TextConfig t, DType dt) throws IOException {
        Files.createDirectories(dir);
        Map<String, Tensor> w = BenchGenerateCommand.randomWeights(t, 1);
        SafetensorsWriter out = new SafetensorsWriter();
        long params = 0;
        for (var e : new TreeMap<>(w).entrySet()) {
            params += e.getValue().numel();
            out.add(e.getKey(), convert(e.getValue(), dt));
        }
        SplittableRandom rnd = new SplittableRandom(3);
        for (var e : visionShapes(t).entrySet()) {
            params += Shape.of(e.getValue()).numel();
            out.add(e.getKey(), convert(random(rnd, e.getValue()), dt));
        }
        if (params != parameters(t)) // the estimate printed before writing must be the truth
            throw new IllegalStateException("parameter count " + params + " differs from the estimate " + parameters(t));
        out.write(dir.resolve("model.safetensors"));
        ObjectMapper om = new ObjectMapper();
        Files.writeString(dir.resolve("config.json"), om.writerWithDefaultPrettyPrinter().writeValueAsString(config(om, t, dt)));
        Files.writeString(dir.resolve("tokenizer.json"), om.writerWithDefaultPrettyPrinter().writeValueAsString(tokenizer(om)));
        ObjectNode tc = om.createObjectNode().put("eos_token", "<|im_end|>").put("pad_token", "<|endoftext|>")
                .put("model_max_length", t.maxPositionEmbeddings()).put("processor_class", "Qwen2_5_VLProcessor");
        Files.writeString(dir.resolve("tokenizer_config.json"), om.writerWithDefaultPrettyPrinter().writeValueAsString(tc));
        Files.writeString(dir.resolve("chat_template.jinja"), resource("qwen2-vl-chat-template.jinja"));
        Files.writeString(dir.resolve("preprocessor_config.json"), om.writerWithDefaultPrettyPrinter().writeValueAsString(processor(om)));
    }

    private static ObjectNode config(ObjectMapper om, TextConfig t, DType dt) {
        ObjectNode c = om.createObjectNode();
        c.putArray("architectures").add("Qwen2_5_VLForConditionalGeneration");
        c.put("model_type", "qwen2_5_vl").put("hidden_act", "silu").put("hidden_size", t.hiddenSize())
                .put("intermediate_size", t.intermediateSize()).put("num_attention_heads", t.numHeads())
                .put("num_hidden_layers", t.numLayers()).put("num_key_value_heads", t.numKvHeads())
                .put("max_position_embeddings", t.maxPositionEmbeddings()).put("rms_norm_eps", t.rmsNormEps())
                .put("rope_theta", t.ropeTheta()).put("vocab_size", t.vocabSize()).put("tie_word_embeddings", true)
                .put("bos_token_id", special("<|endoftext|>")).put("eos_token_id", special("<|im_end|>"))
                .put("vision_start_token_id", special("<|vision_start|>")).put("vision_end_token_id", special("<|vision_end|>"))
                .put("image_token_id", special("<|image_pad|>")).put("video_token_id", special("<|video_pad|>"))
                .put("torch_dtype", dt == DType.BF16 ? "bfloat16" : "float32");
        ObjectNode rope = c.putObject("rope_scaling").put("type", "mrope");
        t.mropeSection().forEach(rope.putArray("mrope_section")::add);
        ObjectNode v = c.putObject("vision_config");
        v.put("depth", 1).put("hidden_size", VC).put("intermediate_size", VF).put("num_heads", 2).put("patch_size", 14)
                .put("spatial_merge_size", 2).put("temporal_patch_size", 2).put("window_size", 112)
                .put("out_hidden_size", t.hiddenSize()).put("in_chans", 3).put("hidden_act", "silu").put("tokens_per_second", 2);
        v.putArray("fullatt_block_indexes").add(0);
        return c;
    }

    /** Byte-level BPE without merges: Qwen's pre-tokenizer and decoder, the GPT-2 byte alphabet, Qwen's specials. */
    private static ObjectNode tokenizer(ObjectMapper om) {
        ObjectNode root = om.createObjectNode().put("version", "1.0");
        root.putNull("truncation");
        root.putNull("padding");
        ArrayNode added = root.putArray("added_tokens");
        for (String s : SPECIALS)
            added.addObject().put("id", special(s)).put("content", s).put("single_word", false).put("lstrip", false)
                    .put("rstrip", false).put("normalized", false).put("special", true);
        root.putObject("normalizer").put("type", "NFC");
        ObjectNode pre = root.putObject("pre_tokenizer").put("type", "Sequence");
        ArrayNode steps = pre.putArray("pretokenizers");
        steps.addObject().put("type", "Split").put("behavior", "Isolated").put("invert", false).putObject("pattern")
                .put("Regex", "(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\\r\\n\\p{L}\\p{N}]?\\p{L}+|\\p{N}| ?[^\\s\\p{L}\\p{N}]+[\\r\\n]*|\\s*[\\r\\n]+|\\s+(?!\\S)|\\s+");
        steps.addObject().put("type", "ByteLevel").put("add_prefix_space", false).put("trim_offsets", false).put("use_regex", false);
        root.putNull("post_processor");
        root.putObject("decoder").put("type", "ByteLevel").put("add_prefix_space", true).put("trim_offsets", true).put("use_regex", true);
        ObjectNode model = root.putObject("model").put("type", "BPE").put("fuse_unk", false).put("byte_fallback", false)
                .put("ignore_merges", false);
        model.putNull("dropout");
        model.putNull("unk_token");
        ObjectNode vocab = model.putObject("vocab");
        for (int b = 0; b < 256; b++) vocab.put(String.valueOf(BYTE_CHARS[b]), b);
        model.putArray("merges");
        return root;
    }

    /** GPT-2's byte-to-character table (printable bytes stand for themselves; the rest map to U+0100 upwards). */
    private static final char[] BYTE_CHARS = new char[256];
    static {
        int next = 256;
        for (int b = 0; b < 256; b++) {
            boolean printable = (b >= '!' && b <= '~') || (b >= 0xA1 && b <= 0xAC) || (b >= 0xAE && b <= 0xFF);
            BYTE_CHARS[b] = (char) (printable ? b : next++);
        }
    }

    private static ObjectNode processor(ObjectMapper om) {
        ObjectNode p = om.createObjectNode().put("image_processor_type", "Qwen2VLImageProcessor").put("do_convert_rgb", true)
                .put("do_normalize", true).put("do_rescale", true).put("do_resize", true).put("rescale_factor", 1 / 255.0)
                .put("patch_size", 14).put("merge_size", 2).put("temporal_patch_size", 2).put("resample", 3)
                .put("min_pixels", 3136).put("max_pixels", 12845056);
        ArrayNode mean = p.putArray("image_mean"), std = p.putArray("image_std");
        for (double m : new double[] {0.48145466, 0.4578275, 0.40821073}) mean.add(m);
        for (double s : new double[] {0.26862954, 0.26130258, 0.27577711}) std.add(s);
        p.put("processor_class", "Qwen2_5_VLProcessor");
        return p;
    }

    private static String resource(String name) throws IOException {
        try (InputStream in = RandomCheckpoint.class.getResourceAsStream(name)) {
            if (in == null) throw new IllegalStateException(name + " is missing from the jar (build problem)");
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }

    private static Tensor random(SplittableRandom r, int[] dims) {
        Tensor t = Tensor.hostEmpty(DType.F32, Shape.of(dims));
        for (long i = 0; i < t.numel(); i++) t.setFloat(i, (float) (r.nextGaussian() * 0.02));
        return t;
    }

    private static Tensor convert(Tensor f32, DType dt) {
        if (dt == DType.F32) return f32;
        Tensor out = Tensor.hostEmpty(dt, f32.shape());
        for (long i = 0; i < f32.numel(); i++) out.setFloat(i, f32.getFloat(i));
        f32.close();
        return out;
    }
}
