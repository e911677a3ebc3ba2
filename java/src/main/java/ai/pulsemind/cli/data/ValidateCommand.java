package ai.pulsemind.cli.data;

import ai.pulsemind.data.DatasetValidator;
import ai.pulsemind.data.Progress;
import ai.pulsemind.data.images.ImageDecoder;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.nio.file.Path;
import java.util.concurrent.Callable;

/** {@code pulsemind data validate PATH}: every problem as {@code file:line: field: message}; exit 1 if any. */
@Command(mixinStandardHelpOptions = true, name = "validate", description = "Check every record of a dataset (file or folder): JSON, required fields, "
        + "turn order, image files present, inside the root and decodable, ids unique. Prints file:line: field: message. "
        + "A folder of several datasets (each with its dataset.json) checks each against its own root; a dataset without "
        + "records passes with a warning.")
public final class ValidateCommand implements Callable<Integer> {
    @Parameters(paramLabel = "PATH", description = "a .jsonl shard or a dataset folder")
    Path path;

    @Option(names = "--max-errors", defaultValue = "100", description = "stop after this many problems (default ${DEFAULT-VALUE})")
    int maxErrors;

    @Option(names = "--no-decode", description = "only check that image files exist, do not decode them")
    boolean noDecode;

    @Option(names = "--quiet", description = "no progress lines")
    boolean quiet;

    @Override
    public Integer call() throws Exception {
        var opt = new DatasetValidator.Options(maxErrors, !noDecode, ImageDecoder.Options.DEFAULT);
        Progress progress = quiet ? Progress.NONE : Progress.stderr("validate", -1);
        var r = DatasetValidator.validate(path, opt, e -> System.out.println(e.getMessage()), progress);
        for (String w : r.warnings()) System.err.println("warning: " + w);
        String tail = (r.datasets() > 1 ? " across " + r.datasets() + " datasets" : "")
                + (r.stoppedEarly() ? " (stopped at --max-errors " + maxErrors + ")" : "");
        System.err.printf("%s: %d records, %d images, %d problem(s) in %d record(s)%s%n",
                r.ok() ? "ok" : "invalid", r.records(), r.images(), r.errors(), r.badRecords(), tail);
        return r.ok() ? 0 : 1;
    }
}
