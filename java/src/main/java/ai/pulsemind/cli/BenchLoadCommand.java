package ai.pulsemind.cli;

import ai.pulsemind.backend.Backend;
import ai.pulsemind.backend.Backends;
import ai.pulsemind.model.io.Qwen25VlCheckpoint;
import ai.pulsemind.model.io.SafetensorsWriter;
import ai.pulsemind.model.io.TextConfig;
import ai.pulsemind.model.qwen25vl.Qwen25VL;
import ai.pulsemind.tensor.DType;
import ai.pulsemind.tensor.Shape;
import ai.pulsemind.tensor.Tensor;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.atomic.AtomicLong;

/**
 * {@code pulsemind bench load}: time and peak memory of loading a checkpoint, against the size of the weights in
 * memory. With {@code --create}, first writes a random checkpoint of the named shape (text decoder of that shape,
 * a one-block vision tower) in the published Hugging Face layout.
 *
 * <p>Memory is read from /proc/self/status, sampled every millisecond during the load: anonymous memory (what
 * the loader allocates) and file-backed memory (mapped checkpoint pages, which the kernel can drop) separately.
 */
@Command(mixinStandardHelpOptions = true, name = "load", description = "Time and peak memory of loading a checkpoint (optionally creating a random one first).")
public final class BenchLoadCommand implements Callable<Integer> {
    @Option(names = "--dir", required = true, description = "Checkpoint directory.") Path dir;
    @Option(names = "--create", description = "Write a random checkpoint into --dir first (if it has none).") boolean create;
    @Option(names = "--shape", defaultValue = "qwen2.5-0.5b") String shape;
    @Option(names = "--dtype", defaultValue = "bf16", description = "bf16 or f32 (with --create).") String dtype;
    @Option(names = "--device", defaultValue = "cpu") String device;
    @Option(names = "--json") boolean json;

    @Override
    public Integer call() throws Exception {
        if (create && !Files.exists(dir.resolve("config.json"))) write(dir, BenchGenerateCommand.dims(shape), switch (dtype) {
            case "bf16" -> DType.BF16;
            case "f32" -> DType.F32;
            default -> throw new IllegalArgumentException("--dtype must be bf16 or f32, got " + dtype);
        });
        // The writer's buffers go back to the system first, or the load would reuse them and the delta read ~0.
        ai.pulsemind.tensor.HostAllocator.global().trim();
        long[] base = status();
        AtomicLong peakAnon = new AtomicLong(base[0]), peakFile = new AtomicLong(base[1]);
        Thread sampler = Thread.ofPlatform().daemon().start(() -> {
            while (!Thread.currentThread().isInterrupted()) {
                long[] s = status();
                peakAnon.accumulateAndGet(s[0], Math::max);
                peakFile.accumulateAndGet(s[1], Math::max);
                try {
                    Thread.sleep(1);
                } catch (InterruptedException e) {
                    return;
                }
            }
        });
        long t0 = System.nanoTime();
        try (Backend be = Backends.open(device, 0); Qwen25VlCheckpoint ckpt = Qwen25VlCheckpoint.open(dir)) {
            Qwen25VL model = Qwen25VL.load(be, ckpt);
            double seconds = (System.nanoTime() - t0) / 1e9;
            sampler.interrupt();
            sampler.join();
            long[] after = status();
            peakAnon.accumulateAndGet(after[0], Math::max);
            long weights = model.params().all().values().stream().mapToLong(Tensor::byteSize).sum();
            long file = ckpt.weights().byteSize();
            double anonRatio = (peakAnon.get() - base[0]) / (double) weights;
            if (json) {
                System.out.printf("{\"dir\":\"%s\",\"backend\":\"%s\",\"seconds\":%.3f,\"file_bytes\":%d,\"weights_bytes\":%d,"
                                + "\"peak_anon_delta_bytes\":%d,\"peak_file_delta_bytes\":%d,\"anon_over_weights\":%.3f}%n",
                        dir, be.name(), seconds, file, weights, peakAnon.get() - base[0], peakFile.get() - base[1], anonRatio);
            } else {
                System.out.printf("loaded %s on %s in %.2f s: weights in memory %s (file %s); peak anonymous +%s (%.2f× the weights), "
                                + "peak mapped file pages +%s%n", dir, be.name(), seconds, human(weights), human(file),
                        human(peakAnon.get() - base[0]), anonRatio, human(peakFile.get() - base[1]));
            }
        }
        return 0;
    }

    /** {RssAnon, RssFile} in bytes. */
    private static long[] status() {
        long anon = 0, file = 0;
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
                if (line.startsWith("RssAnon:")) anon = kb(line);
                else if (line.startsWith("RssFile:")) file = kb(line);
            }
        } catch (IOException e) {
            throw new IllegalStateException("bench load reads /proc/self/status (Linux only): " + e.getMessage());
        }
        return new long[] {anon, file};
    }

    private static long kb(String line) { return Long.parseLong(line.replaceAll("\\D+", "")) * 1024; }

    private static String human(long b) { return ai.pulsemind.tensor.MemoryStats.human(b); }

    /** A random checkpoint: the text decoder of {@code t}'s shape and a one-block vision tower, published layout. */
    static void write(Path dir, TextConfig t, DType dt) throws IOException {
        Files.createDirectories(dir);
        ObjectMapper om = new ObjectMapper();
        ObjectNode c = om.createObjectNode();
        c.putArray("architectures").add("Qwen2_5_VLForConditionalGeneration");
        c.put("model_type", "qwen2_5_vl").put("hidden_act", "silu").put("hidden_size", t.hiddenSize())
                .put("intermediate_size", t.intermediateSize()).put("num_attention_heads", t.numHeads())
                .put("num_hidden_layers", t.numLayers()).put("num_key_value_heads", t.numKvHeads())
                .put("max_position_embeddings", t.maxPositionEmbeddings()).put("rms_norm_eps", t.rmsNormEps())
                .put("rope_theta", t.ropeTheta()).put("vocab_size", t.vocabSize()).put("tie_word_embeddings", true)
                .put("bos_token_id", t.vocabSize() - 8).put("eos_token_id", t.vocabSize() - 7)
                .put("vision_start_token_id", t.vocabSize() - 6).put("vision_end_token_id", t.vocabSize() - 5)
                .put("image_token_id", t.vocabSize() - 4).put("video_token_id", t.vocabSize() - 3)
                .put("torch_dtype", dt == DType.BF16 ? "bfloat16" : "float32");
        ObjectNode rope = c.putObject("rope_scaling").put("type", "mrope");
        t.mropeSection().forEach(rope.putArray("mrope_section")::add);
        ObjectNode v = c.putObject("vision_config");
        v.put("depth", 1).put("hidden_size", 32).put("intermediate_size", 64).put("num_heads", 2).put("patch_size", 14)
                .put("spatial_merge_size", 2).put("temporal_patch_size", 2).put("window_size", 112)
                .put("out_hidden_size", t.hiddenSize()).put("in_chans", 3).put("hidden_act", "silu").put("tokens_per_second", 2);
        v.putArray("fullatt_block_indexes").add(0);
        Map<String, Tensor> w = BenchGenerateCommand.randomWeights(t, 1);
        SafetensorsWriter out = new SafetensorsWriter();
        for (var e : new java.util.TreeMap<>(w).entrySet()) out.add(e.getKey(), convert(e.getValue(), dt));
        var rnd = new java.util.SplittableRandom(3);
        int vc = 32, u = vc * 4;
        for (var e : Map.of("visual.patch_embed.proj.weight", new int[] {vc, 3, 2, 14, 14}, "visual.blocks.0.norm1.weight", new int[] {vc},
                "visual.blocks.0.norm2.weight", new int[] {vc}, "visual.blocks.0.attn.qkv.weight", new int[] {3 * vc, vc},
                "visual.blocks.0.attn.qkv.bias", new int[] {3 * vc}, "visual.blocks.0.attn.proj.weight", new int[] {vc, vc},
                "visual.blocks.0.attn.proj.bias", new int[] {vc}, "visual.merger.ln_q.weight", new int[] {vc},
                "visual.merger.mlp.0.weight", new int[] {u, u}, "visual.merger.mlp.0.bias", new int[] {u}).entrySet())
            out.add(e.getKey(), convert(random(rnd, e.getValue()), dt));
        for (String p : List.of("gate_proj", "up_proj"))
            for (String k : List.of("weight", "bias"))
                out.add("visual.blocks.0.mlp." + p + "." + k, convert(random(rnd, k.equals("weight") ? new int[] {64, vc} : new int[] {64}), dt));
        out.add("visual.blocks.0.mlp.down_proj.weight", convert(random(rnd, new int[] {vc, 64}), dt));
        out.add("visual.blocks.0.mlp.down_proj.bias", convert(random(rnd, new int[] {vc}), dt));
        out.add("visual.merger.mlp.2.weight", convert(random(rnd, new int[] {t.hiddenSize(), u}), dt));
        out.add("visual.merger.mlp.2.bias", convert(random(rnd, new int[] {t.hiddenSize()}), dt));
        out.write(dir.resolve("model.safetensors"));
        Files.writeString(dir.resolve("config.json"), om.writerWithDefaultPrettyPrinter().writeValueAsString(c));
    }

    private static Tensor random(java.util.SplittableRandom r, int[] dims) {
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
