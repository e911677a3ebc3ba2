package ai.pulsemind.cli;

import ai.pulsemind.backend.Backend;
import ai.pulsemind.backend.Backends;
import ai.pulsemind.config.InvalidSetting;
import ai.pulsemind.model.generate.Completion;
import ai.pulsemind.model.generate.Engine;
import ai.pulsemind.model.generate.GenerationConfig;
import ai.pulsemind.model.io.TextConfig;
import ai.pulsemind.model.qwen25vl.Prompt;
import ai.pulsemind.model.qwen25vl.Qwen25VL;
import ai.pulsemind.tensor.HostAllocator;
import ai.pulsemind.tensor.Tensor;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.Callable;

/**
 * {@code pulsemind bench generate}: throughput of the generation engine on a text decoder with random weights of a
 * named shape (no download), fixed lengths (no stop tokens), the workload of bench/peers/hf_generate.py.
 *
 * <p>Method: every token a request takes is timestamped as the engine hands it over. Prefill is the time from
 * submission to the step that gave every request its first token; a decoding step's time is the interval between
 * the steps that gave every request token k−1 and token k, measured directly (never a difference of two separate
 * runs); decode tokens/s is batch / the median step time. Throughput is all new tokens over the whole wall time,
 * prefill included. With {@code --sequential} the same prompts run one at a time (the loop a caller without
 * batching would write); only throughput is reported then. A figure whose measurement is not valid (no decoding
 * step, a non-positive interval) is refused, not printed.
 */
@Command(mixinStandardHelpOptions = true, name = "generate", sortOptions = false,
        description = "Prefill, decode and rollout tokens/s of the generation engine on a random-weight decoder.")
public final class BenchGenerateCommand implements Callable<Integer> {
    @Option(names = "--shape", paramLabel = "NAME", defaultValue = "qwen2.5-0.5b", description = "Decoder shape: qwen2.5-0.5b or tiny (default: ${DEFAULT-VALUE}).")
    String shape;
    @Option(names = "--prompt", paramLabel = "TOKENS", defaultValue = "128", description = "Prompt tokens per sequence (default: ${DEFAULT-VALUE}).")
    int prompt;
    @Option(names = "--new", paramLabel = "TOKENS", defaultValue = "32", description = "New tokens per sequence, exactly (default: ${DEFAULT-VALUE}).")
    int newTokens;
    @Option(names = "--batch", paramLabel = "B", defaultValue = "1", description = "Sequences generated together (default: ${DEFAULT-VALUE}).")
    int batch;
    @Option(names = "--temperature", paramLabel = "T", description = "Sample with this temperature (> 0), each sequence with its own seed; without it, greedy.")
    Float temperature;
    @Option(names = "--top-p", defaultValue = "1.0", paramLabel = "P", description = "Nucleus sampling threshold in (0, 1], with --temperature (default: ${DEFAULT-VALUE}).")
    float topP;
    @Option(names = "--sequential", description = "Run the sequences one at a time instead of batched (the one-at-a-time baseline).")
    boolean sequential;
    @Option(names = "--threads", paramLabel = "N", defaultValue = "0", description = "CPU threads; 0 uses every core (default: ${DEFAULT-VALUE}).")
    int threads;
    @Mixin DeviceOption device = new DeviceOption("cpu");
    @Option(names = "--warmup", paramLabel = "N", defaultValue = "3", description = "Untimed generations first, for JIT warm-up (default: ${DEFAULT-VALUE}).")
    int warmup;
    @Option(names = "--reps", paramLabel = "N", defaultValue = "3", description = "Timed repetitions; medians are reported (default: ${DEFAULT-VALUE}).")
    int reps;
    @Option(names = "--json", description = "Print one JSON line.")
    boolean json;
    @Option(names = "--dtype", paramLabel = "DTYPE", defaultValue = "f32", description = "Checkpoint dtype of the random weights: f32, or bf16 (linear layers then stay bf16 where the backend multiplies by them as stored, as a bf16 checkpoint opened for generation does) (default: ${DEFAULT-VALUE}).")
    String dtype;

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
        InvalidSetting.atLeast("prompt", prompt, 1); // reported as --prompt, --new, --batch, --reps, --warmup (FlagNames)
        InvalidSetting.atLeast("newTokens", newTokens, 1);
        InvalidSetting.atLeast("batch", batch, 1);
        InvalidSetting.atLeast("reps", reps, 1);
        InvalidSetting.atLeast("warmup", warmup, 0);
        GenerationConfig.sampling(newTokens, temperature == null ? 1f : temperature, 0, topP, 0); // --temperature, --top-p
        TextConfig d = dims(shape);
        if (prompt + newTokens > d.maxPositionEmbeddings())
            throw new IllegalArgumentException("--prompt + --new is " + (prompt + newTokens) + ", over the " + shape + " context of " + d.maxPositionEmbeddings());
        boolean bf16 = switch (dtype) {
            case "f32" -> false;
            case "bf16" -> true;
            default -> throw new IllegalArgumentException("--dtype must be f32 or bf16, got '" + dtype + "'");
        };
        try (Backend be = device.open(threads)) {
            Map<String, Tensor> w = randomWeights(d, 1);
            // A bf16 checkpoint stores its matrices in bf16 (norms and biases stay f32 here; they are a few KB).
            if (bf16) w.replaceAll((name, t) -> name.endsWith("_proj.weight") || name.endsWith("embed_tokens.weight") ? narrowed(t) : t);
            Qwen25VL model = new Qwen25VL(be, d, null, true, -1, w::get, bf16);
            long weightBytes = model.params().all().values().stream().mapToLong(Tensor::byteSize).sum(); // as placed
            // What one decoded token reads: every parameter but the embedding table (one row of it), and the head
            // as the logits product reads it (tied here).
            long readBytes = weightBytes - model.text().embedding().byteSize() + model.text().logitsHead().byteSize();
            SplittableRandom r = new SplittableRandom(2);
            List<Prompt> prompts = new ArrayList<>();
            for (int b = 0; b < batch; b++) prompts.add(Prompt.ofIds(r.ints(prompt, 0, d.vocabSize()).toArray()));
            try (Engine engine = new Engine(model, be, Engine.Config.of(batch, prompt + newTokens), null)) {
                // Full-length warm-ups: the kernels of a batched decoding step are compiled only after many calls of
                // them, and a steady-state figure is what a long rollout or a server sees.
                for (int i = 0; i < warmup; i++) run(engine, prompts, newTokens, 100 + i);
                double[] prefill = new double[reps], step = new double[reps], total = new double[reps];
                for (int i = 0; i < reps; i++) {
                    Timing t = run(engine, prompts, newTokens, i);
                    prefill[i] = t.prefillS;
                    step[i] = t.medianStepS;
                    total[i] = t.totalS;
                }
                report(be, weightBytes, readBytes, median(prefill), median(step), median(total));
            }
        }
        return 0;
    }

    /** A BF16 copy of an F32 host tensor, which is closed. */
    private static Tensor narrowed(Tensor f32) {
        Tensor t = Tensor.hostEmpty(ai.pulsemind.tensor.DType.BF16, f32.shape());
        try (ai.pulsemind.backend.cpu.ReferenceBackend ref = new ai.pulsemind.backend.cpu.ReferenceBackend()) {
            ref.convert(f32, t);
        }
        f32.close();
        return t;
    }

    /** Seconds: prefill (submission to every first token), the median decoding step, and the whole run. */
    record Timing(double prefillS, double medianStepS, double totalS) {}

    /** One generation of every prompt, timed from the engine's token hand-overs. */
    private Timing run(Engine engine, List<Prompt> prompts, int tokens, long seed) {
        GenerationConfig g = temperature == null ? GenerationConfig.greedy(tokens) // no stop ids: exactly `tokens` new tokens
                : GenerationConfig.sampling(tokens, temperature, 0, topP, seed);
        long[] at = new long[tokens]; // (new) when the last sequence took token k
        long t0 = System.nanoTime();
        List<Engine.Request> rs = new ArrayList<>();
        for (int i = 0; i < prompts.size(); i++)
            rs.add(new Engine.Request(prompts.get(i), g.withSeed(seed * 1000 + i), 0, tok -> at[tok.index()] = System.nanoTime()));
        if (sequential) for (Engine.Request r : rs) check(engine.submit(r.prompt(), r.gen(), r.stream(), r.listener()).join(), tokens);
        else for (Engine.Handle h : engine.submitAll(rs)) check(h.join(), tokens); // one group: one packed prefill
        long end = System.nanoTime();
        double[] steps = new double[tokens - 1];
        for (int k = 1; k < tokens; k++) steps[k - 1] = (at[k] - at[k - 1]) / 1e9;
        return new Timing((at[0] - t0) / 1e9, tokens > 1 ? median(steps) : Double.NaN, (end - t0) / 1e9);
    }

    private static void check(Completion c, int tokens) {
        if (c.ids().length != tokens) throw new IllegalStateException("a sequence generated " + c.ids().length + " tokens, not " + tokens);
    }

    private void report(Backend be, long weightBytes, long readBytes, double prefillS, double stepS, double totalS) {
        double throughput = batch * (double) newTokens / totalS;
        boolean decodeValid = !sequential && newTokens >= 2 && stepS > 0 && Double.isFinite(stepS);
        boolean prefillValid = !sequential && prefillS > 0;
        if (!(totalS > 0)) throw new IllegalStateException("bench generate: the run took no measurable time; no figure printed");
        double prefillTps = batch * (double) prompt / prefillS, decodeTps = batch / stepS;
        String mode = sequential ? "sequential" : "batched";
        String sampling = temperature == null ? "greedy" : "sampled T=" + temperature + " top-p=" + topP;
        if (json) {
            StringBuilder sb = new StringBuilder();
            sb.append(String.format("{\"shape\":\"%s\",\"dtype\":\"%s\",\"backend\":\"%s\",\"threads\":%d,\"batch\":%d,\"prompt\":%d,\"new\":%d,\"mode\":\"%s\",\"sampling\":\"%s\"",
                    shape, dtype, be.name(), threads > 0 ? threads : Backends.defaultThreads(), batch, prompt, newTokens, mode, sampling));
            if (prefillValid) sb.append(String.format(",\"prefill_tokens_per_s\":%.2f", prefillTps));
            if (decodeValid) sb.append(String.format(",\"decode_tokens_per_s\":%.2f,\"decode_step_ms\":%.3f", decodeTps, stepS * 1e3));
            sb.append(String.format(",\"throughput_tokens_per_s\":%.2f,\"total_s\":%.3f,\"weights_bytes\":%d,\"read_bytes_per_token\":%d,\"host_peak_bytes\":%d}",
                    throughput, totalS, weightBytes, readBytes, HostAllocator.global().stats().peak()));
            System.out.println(sb);
        } else {
            StringBuilder sb = new StringBuilder(String.format("%s (%s) on %s, %s, %s, batch %d × (%d prompt + %d new):", shape, dtype, be.name(), mode,
                    sampling, batch, prompt, newTokens));
            if (prefillValid) sb.append(String.format(" prefill %.1f tokens/s,", prefillTps));
            if (decodeValid) sb.append(String.format(" decode %.2f tokens/s (%.1f ms/step),", decodeTps, stepS * 1e3));
            else if (!sequential) sb.append(" decode not measured (needs --new >= 2),");
            sb.append(String.format(" throughput %.2f tokens/s", throughput));
            System.out.println(sb);
        }
    }

    private static double median(double[] v) {
        double[] s = v.clone();
        Arrays.sort(s);
        return s[s.length / 2];
    }
}
