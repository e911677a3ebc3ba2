package ai.pulsemind.cli;

import ai.pulsemind.backend.Backend;
import ai.pulsemind.backend.Backends;
import ai.pulsemind.config.InvalidSetting;
import ai.pulsemind.train.LoraConfig;
import ai.pulsemind.train.SyntheticSftStep;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.Callable;

/**
 * {@code pulsemind bench sft-step}: times one full SFT optimiser step (forward, backward, AdamW) of a model
 * directory on a synthetic batch ({@link SyntheticSftStep}); the median of --reps timed steps after --warmup untimed ones
 * (a step takes seconds, so counts rather than a time budget).
 * {@code bench/run-sft-step-peer.sh} runs it beside the PyTorch peer on the same model and shapes.
 */
@Command(mixinStandardHelpOptions = true, name = "sft-step", description = "Time one SFT step (forward + backward + AdamW, LoRA "
        + "or full) on a synthetic batch: B sequences of T tokens with one square image each; median step time.")
public final class BenchSftStepCommand implements Callable<Integer> {
    @Option(names = "--model", required = true, description = "Qwen2.5-VL model directory (e.g. from model init --shape small).") Path model;
    @Option(names = "--batch", defaultValue = "8", description = "Sequences per step (default ${DEFAULT-VALUE}).") int batch;
    @Option(names = "--tokens", defaultValue = "256", description = "Tokens per sequence, image tokens included (default ${DEFAULT-VALUE}).") int tokens;
    @Option(names = "--image", defaultValue = "112", description = "Side of each sequence's square image in pixels (default ${DEFAULT-VALUE}).") int image;
    @Option(names = "--lora-r", defaultValue = "16", description = "LoRA rank on the text projections; 0 = full fine-tuning of the text model (default ${DEFAULT-VALUE}).") int loraR;
    @Option(names = "--lora-alpha", defaultValue = "32", description = "LoRA alpha (default ${DEFAULT-VALUE}).") float loraAlpha;
    @Option(names = "--lora-dropout", defaultValue = "0.1", description = "LoRA dropout (default ${DEFAULT-VALUE}).") float loraDropout;
    @Option(names = "--threads", defaultValue = "0", description = "CPU threads (default ${DEFAULT-VALUE}: all cores).") int threads;
    @Mixin DeviceOption device = new DeviceOption("cpu");
    @Option(names = "--warmup", defaultValue = "1", description = "Untimed steps first: JIT, caches, thread pools (default ${DEFAULT-VALUE}).") int warmup;
    @Option(names = "--reps", defaultValue = "5", description = "Timed steps; the median is reported (default ${DEFAULT-VALUE}).") int reps;
    @Option(names = "--json", description = "Print one JSON line.") boolean json;

    @Override
    public Integer call() {
        InvalidSetting.atLeast("batch", batch, 1);
        InvalidSetting.atLeast("tokens", tokens, 8);
        InvalidSetting.atLeast("warmup", warmup, 0);
        InvalidSetting.atLeast("reps", reps, 1);
        LoraConfig lora = new LoraConfig(loraR, loraAlpha, loraDropout, false, LoraConfig.ALL_TEXT, false);
        try (Backend be = device.open(threads);
             SyntheticSftStep step = SyntheticSftStep.open(be, model, lora, batch, tokens, image, 1)) {
            double[] loss = {Double.NaN, Double.NaN}, secs = new double[reps];
            for (int i = 0; i < warmup + reps; i++) {
                long t0 = System.nanoTime();
                double l = step.step();
                long dt = System.nanoTime() - t0;
                if (!Double.isFinite(l)) throw new IllegalStateException("sft-step: the loss is " + l + " at step " + (i + 1));
                if (i == 0) loss[0] = l;
                loss[1] = l;
                if (i >= warmup) secs[i - warmup] = dt / 1e9;
            }
            java.util.Arrays.sort(secs);
            var sh = step.shape();
            double median = reps % 2 == 1 ? secs[reps / 2] : (secs[reps / 2 - 1] + secs[reps / 2]) / 2;
            int nThreads = threads > 0 ? threads : Backends.defaultThreads();
            if (json) {
                System.out.printf(Locale.ROOT, "{\"backend\":\"%s\",\"threads\":%d,\"batch\":%d,\"tokens\":%d,\"image_tokens\":%d,\"patches\":%d,"
                                + "\"parameters\":%d,\"trainable\":%d,\"lora_r\":%d,\"median_s\":%.6f,\"min_s\":%.6f,\"reps\":%d,\"warmup_steps\":%d,"
                                + "\"first_loss\":%.6f,\"last_loss\":%.6f,\"tokens_per_s\":%.1f}%n",
                        be.name(), nThreads, sh.batch(), sh.tokens(), sh.imageTokens(), sh.patches(), sh.parameters(), sh.trainable(), loraR,
                        median, secs[0], reps, warmup, loss[0], loss[1], sh.batch() * (double) sh.tokens() / median);
            } else {
                System.out.printf(Locale.ROOT, "sft-step on %s (%d threads): %d x %d tokens, %d image tokens each, %,d parameters (%,d trained): "
                                + "median %.3f s over %d steps (after %d warm-up), %.0f tokens/s; loss %.4f -> %.4f%n",
                        be.name(), nThreads, sh.batch(), sh.tokens(), sh.imageTokens(), sh.parameters(), sh.trainable(), median, reps,
                        warmup, sh.batch() * (double) sh.tokens() / median, loss[0], loss[1]);
            }
        }
        return 0;
    }
}
