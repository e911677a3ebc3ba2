package ai.pulsemind.cli;

import ai.pulsemind.autograd.Ops;
import ai.pulsemind.backend.Backend;
import ai.pulsemind.backend.Backends;
import ai.pulsemind.model.generate.GenerationConfig;
import ai.pulsemind.model.generate.Generator;
import ai.pulsemind.model.qwen25vl.Qwen25VL;
import ai.pulsemind.model.io.TextConfig;
import ai.pulsemind.tensor.HostAllocator;
import ai.pulsemind.tensor.Tensor;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.Callable;

/**
 * {@code pulsemind bench generate}: prefill and decode throughput of a text decoder with random weights of a named
 * shape (no download), greedy, fixed lengths — the same workload and method as bench/peers/hf_generate.py.
 */
@Command(mixinStandardHelpOptions = true, name = "generate", description = "Prefill and decode tokens/s of a random-weight decoder of a given shape.")
public final class BenchGenerateCommand implements Callable<Integer> {
    @Option(names = "--shape", defaultValue = "qwen2.5-0.5b", description = "qwen2.5-0.5b or tiny.") String shape;
    @Option(names = "--prompt", defaultValue = "128", description = "Prompt tokens per sequence.") int prompt;
    @Option(names = "--new", defaultValue = "32", description = "New tokens per sequence.") int newTokens;
    @Option(names = "--batch", defaultValue = "1") int batch;
    @Option(names = "--threads", defaultValue = "0") int threads;
    @Option(names = "--device", defaultValue = "cpu") String device;
    @Option(names = "--warmup", defaultValue = "3", description = "Untimed generations first (JIT warm-up).") int warmup;
    @Option(names = "--reps", defaultValue = "3", description = "Timed repetitions; medians are reported.") int reps;
    @Option(names = "--json", description = "Print one JSON line.") boolean json;

    /** Tied embeddings in both shapes. */
    static TextConfig dims(String shape) {
        return switch (shape) {
            // Qwen2.5-0.5B: 24 layers, 896 wide, 14 heads / 2 KV heads (head dim 64), 4864 FFN, 151,936 vocab;
            // M-RoPE sections scaled to head dim 64 as Qwen2.5-VL scales [16, 24, 24] for 128
            case "qwen2.5-0.5b" -> new TextConfig(896, 24, 14, 2, 4864, 151936, 1e-6, 1_000_000, List.of(8, 12, 12), 32768, "silu");
            case "tiny" -> new TextConfig(64, 2, 4, 2, 128, 512, 1e-6, 10000, List.of(2, 3, 3), 4096, "silu");
            default -> throw new IllegalArgumentException("unknown --shape '" + shape + "' (qwen2.5-0.5b, tiny)");
        };
    }

    /** Random weights, scaled like a trained network's (std ≈ 0.02), generated in parallel. */
    static Map<String, Tensor> randomWeights(TextConfig d, long seed) {
        Map<String, int[]> shapes = new java.util.LinkedHashMap<>();
        int c = d.hiddenSize(), kv = d.numKvHeads() * d.headDim(), f = d.intermediateSize();
        shapes.put("model.embed_tokens.weight", new int[] {d.vocabSize(), c});
        for (int i = 0; i < d.numLayers(); i++) {
            String p = "model.layers." + i + ".";
            shapes.put(p + "input_layernorm.weight", new int[] {c});
            shapes.put(p + "post_attention_layernorm.weight", new int[] {c});
            shapes.put(p + "self_attn.q_proj.weight", new int[] {c, c});
            shapes.put(p + "self_attn.q_proj.bias", new int[] {c});
            shapes.put(p + "self_attn.k_proj.weight", new int[] {kv, c});
            shapes.put(p + "self_attn.k_proj.bias", new int[] {kv});
            shapes.put(p + "self_attn.v_proj.weight", new int[] {kv, c});
            shapes.put(p + "self_attn.v_proj.bias", new int[] {kv});
            shapes.put(p + "self_attn.o_proj.weight", new int[] {c, c});
            shapes.put(p + "mlp.gate_proj.weight", new int[] {f, c});
            shapes.put(p + "mlp.up_proj.weight", new int[] {f, c});
            shapes.put(p + "mlp.down_proj.weight", new int[] {c, f});
        }
        shapes.put("model.norm.weight", new int[] {c});
        Map<String, Tensor> w = new HashMap<>();
        List<String> names = new ArrayList<>(shapes.keySet());
        for (int i = 0; i < names.size(); i++) w.put(names.get(i), Tensor.hostEmpty(ai.pulsemind.tensor.DType.F32,
                ai.pulsemind.tensor.Shape.of(shapes.get(names.get(i)))));
        java.util.stream.IntStream.range(0, names.size()).parallel().forEach(i -> {
            String name = names.get(i);
            Tensor t = w.get(name);
            SplittableRandom r = new SplittableRandom(seed + i);
            var seg = t.segment();
            boolean norm = name.endsWith("layernorm.weight") || name.equals("model.norm.weight");
            for (long j = 0; j < t.numel(); j++)
                seg.setAtIndex(java.lang.foreign.ValueLayout.JAVA_FLOAT, j, norm ? 1f : (float) (r.nextGaussian() * 0.02));
        });
        return w;
    }

    @Override
    public Integer call() {
        TextConfig d = dims(shape);
        try (Backend be = Backends.open(device, threads)) {
            Map<String, Tensor> w = randomWeights(d, 1);
            long weightBytes = w.values().stream().mapToLong(Tensor::byteSize).sum();
            Qwen25VL model = new Qwen25VL(be, d, null, true, -1, w::get);
            Ops ops = new Ops(be);
            SplittableRandom r = new SplittableRandom(2);
            List<Qwen25VL.Sequence> prompts = new ArrayList<>();
            for (int b = 0; b < batch; b++) prompts.add(Qwen25VL.Sequence.text(r.ints(prompt, 0, d.vocabSize()).toArray()));
            // prefill = generate(1 new token); decode = (generate(N) − generate(1)) / (N − 1): both sides of the
            // subtraction are measured the same way, after warm-up (the Vector API paths are slow until compiled)
            Generator gen = new Generator(model, ops);
            for (int i = 0; i < warmup; i++) gen.generate(prompts, GenerationConfig.greedy(Math.min(newTokens, 4)), null);
            double[] one = new double[reps], all = new double[reps];
            for (int i = 0; i < reps; i++) {
                one[i] = time(gen, prompts, 1);
                all[i] = time(gen, prompts, newTokens);
            }
            double prefillS = median(one), decodeS = Math.max(1e-9, median(all) - prefillS);
            double prefillTps = batch * (double) prompt / prefillS, decodeTps = batch * (double) (newTokens - 1) / decodeS;
            if (json) {
                System.out.printf("{\"shape\":\"%s\",\"backend\":\"%s\",\"threads\":%d,\"batch\":%d,\"prompt\":%d,\"new\":%d,"
                                + "\"prefill_tokens_per_s\":%.2f,\"decode_tokens_per_s\":%.2f,\"weights_bytes\":%d,\"host_peak_bytes\":%d}%n",
                        shape, be.name(), threads > 0 ? threads : Backends.defaultThreads(), batch, prompt, newTokens,
                        prefillTps, decodeTps, weightBytes, HostAllocator.global().stats().peak());
            } else {
                System.out.printf("%s on %s: prefill %.1f tokens/s (%d × %d), decode %.2f tokens/s (batch %d, %d new)%n",
                        shape, be.name(), prefillTps, batch, prompt, decodeTps, batch, newTokens);
            }
        }
        return 0;
    }

    private static double time(Generator gen, List<Qwen25VL.Sequence> prompts, int tokens) {
        long t0 = System.nanoTime();
        gen.generate(prompts, GenerationConfig.greedy(tokens), null); // no stop ids: exactly `tokens` new tokens
        return (System.nanoTime() - t0) / 1e9;
    }

    private static double median(double[] v) {
        double[] s = v.clone();
        java.util.Arrays.sort(s);
        return s[s.length / 2];
    }
}
