package ai.pulsemind.train.init;

import ai.pulsemind.data.MediRecord;
import ai.pulsemind.data.Turn;
import ai.pulsemind.data.batch.RecordIndex;
import ai.pulsemind.model.io.SafetensorsWriter;
import ai.pulsemind.model.io.WeightNames;
import ai.pulsemind.model.io.Qwen25VlConfig;
import ai.pulsemind.model.io.TextConfig;
import ai.pulsemind.model.io.VisionConfig;
import ai.pulsemind.tensor.DType;
import ai.pulsemind.tensor.Shape;
import ai.pulsemind.tensor.Tensor;
import ai.pulsemind.tokenize.BpeTrainer;
import ai.pulsemind.train.Checkpoints;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.io.IOException;
import java.io.InputStream;
import java.lang.foreign.ValueLayout;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * {@code model init}: a small random Qwen2.5-VL checkpoint in Hugging Face layout whose byte-level BPE tokenizer is
 * trained on a dataset's text (the training split's turns), so that the vocabulary fits the data and a tiny model
 * can learn it in minutes. Writes config.json (transformers-5 layout), model.safetensors (F32, published names;
 * Linear and embedding weights N(0, 0.02), biases 0, norms 1, as transformers initialises Qwen2.5-VL),
 * tokenizer.json with Qwen's added tokens, tokenizer_config.json, chat_template.jinja (Qwen2.5-VL's),
 * preprocessor_config.json and generation_config.json.
 */
public final class ModelInit {
    private static final ObjectMapper JSON = new ObjectMapper();

    /**
     * A model shape: text decoder, vision tower, BPE vocabulary, and the image budget of its processor.
     *
     * @param bpeVocab  BPE symbols trained (the added tokens come after; vocab_size is then rounded up to 64)
     * @param maxPixels the processor's max_pixels (112×112 keeps an image at 16 tokens)
     */
    public record Shape(String name, int hidden, int layers, int heads, int kvHeads, int intermediate, int visionDepth,
                        int visionHidden, int visionHeads, int visionIntermediate, int bpeVocab, int maxPixels) {
        /** The shapes by name: tiny (about 1.3M parameters, the demo's), small (about 8M, the SFT benchmark's). */
        public static Shape named(String n) {
            return switch (n) {
                case "micro" -> new Shape("micro", 32, 2, 2, 1, 64, 1, 32, 2, 64, 320, 56 * 56);
                case "tiny" -> new Shape("tiny", 128, 4, 4, 2, 352, 2, 64, 2, 128, 2048, 112 * 112);
                case "small" -> new Shape("small", 256, 8, 8, 4, 704, 4, 128, 4, 256, 4096, 112 * 112);
                default -> throw new IllegalArgumentException("--shape must be micro, tiny or small, got '" + n + "'");
            };
        }
    }

    /** What was written. */
    public record Result(Path dir, int vocabSize, int bpeSymbols, long parameters, long corpusTexts) {}

    private ModelInit() {}

    public static Result run(Shape s, Path data, Path out, long seed, boolean overwrite) throws IOException {
        if (Files.exists(out.resolve("config.json")) && !overwrite)
            throw new IllegalArgumentException("--out " + out + " already holds a model (config.json); pass --overwrite to replace it");
        Files.createDirectories(out);
        BpeTrainer bpe = new BpeTrainer();
        long texts = 0;
        RecordIndex index = RecordIndex.of(data);
        FileChannel[] chs = index.channels();
        try {
            for (int i = 0; i < index.size(); i++) {
                MediRecord r;
                try { r = index.read(i, chs); } catch (RuntimeException e) { continue; } // a bad record is not text
                if (r.split() != null && !r.split().equals("train")) continue;
                for (Turn t : r.turns()) { bpe.add(t.text()); texts++; }
            }
        } finally {
            RecordIndex.close(chs);
        }
        if (texts == 0) throw new IllegalArgumentException("--data " + data + ": no training text to build a tokenizer from");
        BpeTrainer.Model m = bpe.train(s.bpeVocab());
        ObjectNode tok = BpeTrainer.tokenizerJson(m);
        Checkpoints.writeAtomically(out.resolve("tokenizer.json"), JSON.writerWithDefaultPrettyPrinter().writeValueAsBytes(tok));
        int base = m.vocab().size();
        Map<String, Integer> ids = new java.util.HashMap<>();
        for (int k = 0; k < BpeTrainer.QWEN_SPECIAL.size(); k++) ids.put(BpeTrainer.QWEN_SPECIAL.get(k), base + k);
        int vocab = (base + BpeTrainer.QWEN_SPECIAL.size() + BpeTrainer.QWEN_ADDED.size() + 63) / 64 * 64;
        ObjectNode config = config(s, vocab, ids);
        Checkpoints.writeAtomically(out.resolve("config.json"), JSON.writerWithDefaultPrettyPrinter().writeValueAsBytes(config));
        Qwen25VlConfig qc = ai.pulsemind.model.io.HfConfigReader.read(out.resolve("config.json"));
        long params = weights(qc, out.resolve("model.safetensors"), seed);
        sideFiles(s, out, ids);
        return new Result(out, vocab, m.vocab().size(), params, texts);
    }

    static ObjectNode config(Shape s, int vocab, Map<String, Integer> ids) {
        ObjectNode c = JSON.createObjectNode();
        c.putArray("architectures").add("Qwen2_5_VLForConditionalGeneration");
        c.put("model_type", "qwen2_5_vl");
        c.put("dtype", "float32");
        c.put("image_token_id", ids.get("<|image_pad|>"));
        c.put("video_token_id", ids.get("<|video_pad|>"));
        c.put("vision_start_token_id", ids.get("<|vision_start|>"));
        c.put("vision_end_token_id", ids.get("<|vision_end|>"));
        c.put("tie_word_embeddings", true);
        ObjectNode t = c.putObject("text_config");
        t.put("model_type", "qwen2_5_vl_text");
        t.put("hidden_size", s.hidden());
        t.put("intermediate_size", s.intermediate());
        t.put("num_hidden_layers", s.layers());
        t.put("num_attention_heads", s.heads());
        t.put("num_key_value_heads", s.kvHeads());
        t.put("vocab_size", vocab);
        t.put("hidden_act", "silu");
        t.put("rms_norm_eps", 1e-6);
        t.put("max_position_embeddings", 4096);
        t.put("bos_token_id", ids.get("<|endoftext|>"));
        t.put("eos_token_id", ids.get("<|im_end|>"));
        t.put("attention_dropout", 0.0);
        t.put("use_sliding_window", false);
        t.putNull("sliding_window");
        int half = s.hidden() / s.heads() / 2, a = half / 4, b = (half - a) / 2;
        ObjectNode rope = t.putObject("rope_parameters");
        rope.put("rope_type", "default");
        rope.put("rope_theta", 1_000_000.0);
        rope.putArray("mrope_section").add(a).add(b).add(half - a - b);
        ObjectNode v = c.putObject("vision_config");
        v.put("model_type", "qwen2_5_vl_vision");
        v.put("depth", s.visionDepth());
        v.put("hidden_size", s.visionHidden());
        v.put("intermediate_size", s.visionIntermediate());
        v.put("num_heads", s.visionHeads());
        v.put("out_hidden_size", s.hidden());
        v.put("patch_size", 14);
        v.put("spatial_merge_size", 2);
        v.put("temporal_patch_size", 2);
        v.put("window_size", 112);
        v.put("in_channels", 3);
        v.put("hidden_act", "silu");
        v.put("tokens_per_second", 2);
        v.putArray("fullatt_block_indexes").add(s.visionDepth() - 1);
        return c;
    }

    /** Random F32 weights as transformers' _init_weights draws them (std 0.02); returns the parameter count. */
    static long weights(Qwen25VlConfig qc, Path file, long seed) {
        Map<String, int[]> shapes = WeightNames.expectedShapes(qc);
        SafetensorsWriter w = new SafetensorsWriter().metadata("format", "pt");
        SplittableRandom rnd = new SplittableRandom(seed);
        long n = 0;
        List<Tensor> made = new java.util.ArrayList<>();
        for (var e : shapes.entrySet()) {
            Tensor t = Tensor.hostEmpty(DType.F32, ai.pulsemind.tensor.Shape.of(e.getValue()));
            String name = e.getKey();
            boolean norm = name.endsWith("norm.weight") || name.endsWith("layernorm.weight") || name.endsWith("norm1.weight")
                    || name.endsWith("norm2.weight") || name.equals(WeightNames.MERGER_NORM);
            boolean bias = name.endsWith(".bias");
            SplittableRandom r = rnd.split();
            var seg = t.segment();
            for (long i = 0; i < t.numel(); i++)
                seg.setAtIndex(ValueLayout.JAVA_FLOAT, i, norm ? 1f : bias ? 0f : (float) (r.nextGaussian() * 0.02));
            w.add(name, t);
            made.add(t);
            n += t.numel();
        }
        w.write(file);
        made.forEach(Tensor::close);
        return n;
    }

    static void sideFiles(Shape s, Path out, Map<String, Integer> ids) throws IOException {
        try (InputStream in = ModelInit.class.getResourceAsStream("qwen25vl_chat_template.jinja")) {
            if (in == null) throw new IllegalStateException("the bundled chat template is missing from the jar");
            Checkpoints.writeAtomically(out.resolve("chat_template.jinja"), in.readAllBytes());
        }
        ObjectNode tc = JSON.createObjectNode();
        tc.put("backend", "tokenizers");
        tc.put("clean_up_tokenization_spaces", false);
        tc.put("eos_token", "<|im_end|>");
        tc.put("pad_token", "<|endoftext|>");
        tc.put("errors", "replace");
        tc.put("model_max_length", 4096);
        tc.put("processor_class", "Qwen2_5_VLProcessor");
        tc.put("tokenizer_class", "Qwen2TokenizerFast");
        write(out.resolve("tokenizer_config.json"), tc);
        ObjectNode p = JSON.createObjectNode();
        p.put("image_processor_type", "Qwen2VLImageProcessor");
        p.put("processor_class", "Qwen2_5_VLProcessor");
        p.put("min_pixels", 56 * 56);
        p.put("max_pixels", s.maxPixels());
        p.put("patch_size", 14);
        p.put("merge_size", 2);
        p.put("temporal_patch_size", 2);
        p.put("do_resize", true);
        p.put("do_rescale", true);
        p.put("do_normalize", true);
        p.put("do_convert_rgb", true);
        p.put("rescale_factor", 1.0 / 255);
        p.putArray("image_mean").add(0.48145466).add(0.4578275).add(0.40821073);
        p.putArray("image_std").add(0.26862954).add(0.26130258).add(0.27577711);
        write(out.resolve("preprocessor_config.json"), p);
        ObjectNode g = JSON.createObjectNode();
        g.put("bos_token_id", ids.get("<|endoftext|>"));
        g.putArray("eos_token_id").add(ids.get("<|im_end|>")).add(ids.get("<|endoftext|>"));
        g.put("pad_token_id", ids.get("<|endoftext|>"));
        write(out.resolve("generation_config.json"), g);
    }

    private static void write(Path f, ObjectNode o) throws IOException {
        Checkpoints.writeAtomically(f, JSON.writerWithDefaultPrettyPrinter().writeValueAsBytes(o));
    }
}
