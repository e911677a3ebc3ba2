package ai.pulsemind.cli;

import ai.pulsemind.config.InvalidSetting;
import ai.pulsemind.data.EncodedImage;
import ai.pulsemind.data.batch.Batch;
import ai.pulsemind.data.batch.DataLoader;
import ai.pulsemind.data.batch.LoaderConfig;
import ai.pulsemind.data.batch.LoaderCursor;
import ai.pulsemind.data.batch.RecordIndex;
import ai.pulsemind.model.qwen25vl.QwenSampleEncoder;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;

/**
 * {@code pulsemind bench loader}: processed training samples per second through the data loader with the model's
 * encoder: records read and validated, images decoded, chat template rendered, tokenized, images processed, loss
 * mask and M-RoPE positions built, samples packed into batches. One epoch over the dataset per repetition; the
 * workload of bench/peers/loader_peer.py (PyTorch DataLoader + transformers processor), whose checksums must agree.
 */
@Command(mixinStandardHelpOptions = true, name = "loader", description = "Samples/s of the data loader with the Qwen2.5-VL encoder (images, template, tokens, mask).")
public final class BenchLoaderCommand implements Callable<Integer> {
    @Option(names = "--data", required = true, description = "MediScope dataset directory or shard.") Path data;
    @Option(names = "--model", required = true, description = "Model directory: tokenizer.json, chat template, processor and config.json.") Path model;
    @Option(names = "--threads", defaultValue = "2", description = "Loader threads (default ${DEFAULT-VALUE}).") int threads;
    @Option(names = "--reps", defaultValue = "5", description = "Timed epochs (default ${DEFAULT-VALUE}).") int reps;
    @Option(names = "--warmup", defaultValue = "1", description = "Untimed epochs first: JIT warm-up and the pixel checksum (default ${DEFAULT-VALUE}).") int warmup;
    @Option(names = "--batch", defaultValue = "8", description = "Samples per packed batch (default ${DEFAULT-VALUE}).")
    @Setting("maxSamples") int batch;
    @Option(names = "--max-tokens", defaultValue = "65536", description = "Token budget of a packed batch (default ${DEFAULT-VALUE}).") int maxTokens;
    @Option(names = "--window", defaultValue = "32", description = "Records encoded and batched together (default ${DEFAULT-VALUE}).") int window;
    @Option(names = "--system", description = "System prompt (default: the chat template's own).") String system;
    @Option(names = "--seed", defaultValue = "1", description = "Shuffling seed (default ${DEFAULT-VALUE}).") long seed;
    @Option(names = "--json", description = "Print one JSON line.") boolean json;

    /** What one epoch produced: the checksums both sides of the peer comparison must agree on. */
    record Epoch(double seconds, long samples, long tokens, long trained, long patches, double pixelSum) {}

    @Override
    public Integer call() throws IOException {
        InvalidSetting.atLeast("reps", reps, 1); // reported as --reps, --warmup (FlagNames)
        InvalidSetting.atLeast("warmup", warmup, 1);
        LoaderConfig cfg = new LoaderConfig(seed, true, LoaderConfig.Layout.PACKED, maxTokens, batch, window, threads, 0, 0);
        CliPaths.requireExisting("--data", data);
        CliPaths.requireExisting("--model", model);
        long t0 = System.nanoTime();
        RecordIndex index = RecordIndex.of(data);
        // No records, no rate: 0 samples/s would read as a measurement.
        if (index.size() == 0) throw new IllegalArgumentException("--data " + data + ": the dataset holds no records; nothing to time");
        QwenSampleEncoder enc = QwenSampleEncoder.load(model, system);
        double loadSeconds = (System.nanoTime() - t0) / 1e9;
        List<Epoch> warm = new ArrayList<>(), timed = new ArrayList<>();
        for (int r = 0; r < warmup + reps; r++) {
            boolean w = r < warmup;
            Epoch e = epoch(index, enc, cfg, w);
            (w ? warm : timed).add(e);
            if (e.samples != index.size()) throw new IllegalStateException("epoch produced " + e.samples + " samples for " + index.size() + " records");
            Epoch ref = warm.getFirst();
            if (e.tokens != ref.tokens || e.trained != ref.trained || e.patches != ref.patches)
                throw new IllegalStateException("epochs disagree: " + e + " vs " + ref);
        }
        double[] rates = timed.stream().mapToDouble(e -> e.samples / e.seconds).toArray();
        double median = median(rates);
        Epoch ref = warm.getFirst();
        if (json) {
            System.out.printf(Locale.ROOT, "{\"side\":\"pulsemind\",\"java\":\"%s\",\"threads\":%d,\"batch\":%d,\"records\":%d,"
                            + "\"load_s\":%.3f,\"warmup_samples_per_s\":%s,\"samples_per_s\":%s,\"median_samples_per_s\":%.2f,"
                            + "\"tokens\":%d,\"trained_tokens\":%d,\"patches\":%d,\"pixel_sum\":%s}%n",
                    Runtime.version(), threads, batch, index.size(), loadSeconds,
                    list(warm.stream().mapToDouble(e -> e.samples / e.seconds).toArray()), list(rates), median,
                    ref.tokens, ref.trained, ref.patches, Double.toString(ref.pixelSum));
        } else {
            System.out.printf(Locale.ROOT, "loader: %d records, %d threads: median %.1f samples/s over %d epochs %s; "
                            + "%d tokens (%d trained), %d image patches per epoch%n",
                    index.size(), threads, median, reps, list(rates), ref.tokens, ref.trained, ref.patches);
        }
        return 0;
    }

    /** One epoch; the pixel sum (a full pass over pixel values) only when untimed. */
    private static Epoch epoch(RecordIndex index, QwenSampleEncoder enc, LoaderConfig cfg, boolean checksum) {
        long samples = 0, tokens = 0, trained = 0, patches = 0;
        double pixels = 0;
        long t0 = System.nanoTime();
        try (DataLoader l = new DataLoader(index, enc, cfg, LoaderCursor.start(cfg.seed(), index.fingerprint()), 1)) {
            while (l.hasNext()) {
                Batch b = l.next();
                samples += b.size();
                tokens += b.realTokens();
                for (byte m : b.lossMask()) trained += m;
                for (EncodedImage im : b.images()) {
                    patches += im.patches();
                    if (checksum) for (float v : im.pixels()) pixels += v;
                }
            }
            DataLoader.Stats s = l.stats();
            if (s.failed() > 0 || s.tooLong() > 0)
                throw new IllegalStateException(s.failed() + " records failed and " + s.tooLong() + " were too long; first: " + s.problems());
        }
        return new Epoch((System.nanoTime() - t0) / 1e9, samples, tokens, trained, patches, pixels);
    }

    static double median(double[] v) {
        double[] s = v.clone();
        Arrays.sort(s);
        return s.length % 2 == 1 ? s[s.length / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
    }

    private static String list(double[] v) {
        StringBuilder sb = new StringBuilder("[");
        for (int i = 0; i < v.length; i++) sb.append(i > 0 ? "," : "").append(String.format(Locale.ROOT, "%.2f", v[i]));
        return sb.append(']').toString();
    }
}
