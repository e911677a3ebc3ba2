package ai.pulsemind.cli.model;

import ai.pulsemind.train.init.ModelInit;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.Callable;

/** {@code pulsemind model init --shape tiny --data DIR --out DIR}. */
@Command(name = "init", mixinStandardHelpOptions = true, description = "Create a small random Qwen2.5-VL checkpoint (Hugging Face layout) "
        + "with a byte-level BPE tokenizer trained on a dataset's text: the starting point of the demo and of CPU experiments.")
public final class InitCommand implements Callable<Integer> {
    @Option(names = "--shape", defaultValue = "tiny", description = "micro, tiny (~1.3M parameters) or small (~8M) (default ${DEFAULT-VALUE}).") String shape;
    @Option(names = "--data", required = true, description = "MediScope dataset whose training text the tokenizer learns.") Path data;
    @Option(names = "--out", required = true, description = "Model directory to write.") Path out;
    @Option(names = "--seed", defaultValue = "0", description = "Weight seed (default ${DEFAULT-VALUE}).") long seed;
    @Option(names = "--overwrite", description = "Replace a model already in --out.") boolean overwrite;

    @Override
    public Integer call() throws Exception {
        long t0 = System.nanoTime();
        ModelInit.Result r = ModelInit.run(ModelInit.Shape.named(shape), data, out, seed, overwrite);
        System.err.printf(Locale.ROOT, "model init: %s shape, %,d parameters, vocab %d (%d BPE symbols from %d texts) in %s (%.1fs)%n",
                shape, r.parameters(), r.vocabSize(), r.bpeSymbols(), r.corpusTexts(), out, (System.nanoTime() - t0) / 1e9);
        return 0;
    }
}
