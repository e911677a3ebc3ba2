package ai.pulsemind.cli.model;

import ai.pulsemind.backend.Backend;
import ai.pulsemind.backend.Backends;
import ai.pulsemind.train.init.Merge;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.nio.file.Path;
import java.util.concurrent.Callable;

/** {@code pulsemind model merge --model DIR --adapter DIR --out DIR}. */
@Command(name = "merge", mixinStandardHelpOptions = true, description = "Merge a LoRA adapter (PEFT layout) into its base model and "
        + "write a plain Hugging Face checkpoint.")
public final class MergeCommand implements Callable<Integer> {
    @Option(names = "--model", required = true, description = "Base model directory.") Path model;
    @Option(names = "--adapter", required = true, description = "Adapter directory (adapter_model.safetensors, adapter_config.json), e.g. RUN/checkpoints/latest.") Path adapter;
    @Option(names = "--out", required = true, description = "Output model directory.") Path out;
    @Option(names = "--device", defaultValue = "cpu", description = "Backend (default ${DEFAULT-VALUE}).") String device;

    @Override
    public Integer call() throws Exception {
        try (Backend be = Backends.open(device, 0)) {
            int n = Merge.run(be, model, adapter, out);
            System.err.println("model merge: " + n + " projections merged into " + out);
        }
        return 0;
    }
}
