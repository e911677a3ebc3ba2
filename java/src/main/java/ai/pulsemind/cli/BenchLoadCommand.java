package ai.pulsemind.cli;

import ai.pulsemind.backend.Backend;
import ai.pulsemind.model.io.Qwen25VlCheckpoint;
import ai.pulsemind.model.io.TextConfig;
import ai.pulsemind.model.qwen25vl.Qwen25VL;
import ai.pulsemind.tensor.DType;
import ai.pulsemind.tensor.Tensor;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import java.util.concurrent.atomic.AtomicLong;

/**
 * {@code pulsemind bench load}: time and peak memory of loading a checkpoint, against the size of the weights in
 * memory. With {@code --create}, first writes a random model directory of the named shape ({@link RandomCheckpoint}:
 * weights, config, tokenizer, chat template, image processor), saying how many bytes it is about to write.
 *
 * <p>Memory is read from /proc/self/status, sampled every millisecond during the load: anonymous memory (what
 * the loader allocates) and file-backed memory (mapped checkpoint pages, which the kernel can drop) separately.
 */
@Command(mixinStandardHelpOptions = true, name = "load", description = "Time and peak memory of loading a checkpoint (optionally creating a random one first).")
public final class BenchLoadCommand implements Callable<Integer> {
    @Option(names = "--dir", required = true, description = "Model directory (Hugging Face layout: config.json, *.safetensors).") Path dir;
    @Option(names = "--create", description = "First write a random model directory into --dir (weights, config, tokenizer, chat "
            + "template, image processor), unless it already holds a config.json.") boolean create;
    @Option(names = "--shape", defaultValue = "qwen2.5-0.5b",
            description = "With --create: qwen2.5-0.5b (about 1 GB in bf16) or tiny (under 1 MB) (default ${DEFAULT-VALUE}).") String shape;
    @Option(names = "--dtype", defaultValue = "bf16", description = "With --create: bf16 or f32 (default ${DEFAULT-VALUE}).") String dtype;
    @Mixin DeviceOption device = new DeviceOption("cpu");
    @Option(names = "--json", description = "Print one JSON line.") boolean json;

    @Override
    public Integer call() throws Exception {
        if (create && !Files.exists(dir.resolve("config.json"))) {
            DType dt = switch (dtype) {
                case "bf16" -> DType.BF16;
                case "f32" -> DType.F32;
                default -> throw new IllegalArgumentException("--dtype must be bf16 or f32, got " + dtype);
            };
            TextConfig t = BenchGenerateCommand.dims(shape);
            CliPaths.requireCreatableDir("--dir", dir);
            System.err.printf("bench load: writing a random %s model (%s, %,d parameters, %s of weights) into %s%n",
                    shape, dtype, RandomCheckpoint.parameters(t), human(RandomCheckpoint.weightBytes(t, dt)), dir);
            RandomCheckpoint.write(dir, t, dt);
        } else if (!Files.exists(dir.resolve("config.json"))) {
            throw new IllegalArgumentException("--dir " + dir + ": no config.json (a Hugging Face model directory; --create writes a random one)");
        }
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
        try (Backend be = device.open(0); Qwen25VlCheckpoint ckpt = Qwen25VlCheckpoint.open(dir)) {
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
}
