package ai.pulsemind.cli.data;

import ai.pulsemind.cli.CliPaths;
import ai.pulsemind.cli.Setting;
import ai.pulsemind.data.DatasetCard;
import ai.pulsemind.data.DatasetWriter;
import ai.pulsemind.data.Progress;
import ai.pulsemind.data.importers.ImportOptions;
import ai.pulsemind.data.importers.ImportRunner;
import ai.pulsemind.data.importers.Importer;
import ai.pulsemind.data.importers.Importers;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.nio.file.Path;
import java.util.concurrent.Callable;

/** {@code pulsemind data import --format F --input … [--images DIR] --out DIR}. */
@Command(mixinStandardHelpOptions = true, name = "import", description = "Convert a consultation or QA dataset into MediScope records, copying its "
        + "images into the output folder and writing a dataset card with source and licence.")
public final class ImportCommand implements Callable<Integer> {
    @Option(names = "--format", required = true,
            description = "pulsemind-meddiagnose, cmtmedqa, sharegpt, llava, mcq or vqa")
    String format;

    @Option(names = "--input", required = true, description = "the source file (CSV, JSON list or JSON lines)")
    Path input;

    @Option(names = "--images", description = "folder the source's image paths are relative to (default: the input's folder)")
    Path images;

    @Option(names = "--image-pattern", description = "MedDiagnose: attachment path under --images; {id}, {n}; '.*' = any image extension (default: {id}/{n}.*)")
    String imagePattern;

    @Option(names = "--out", required = true, description = "output dataset folder (empty, or use --overwrite)")
    Path out;

    @Option(names = "--skip-bad", description = "skip records that cannot be imported, report how many, and go on")
    boolean skipBad;

    @Option(names = "--modality", description = "modality of every image (default: guessed from the source)")
    String modality;

    @Option(names = "--department", description = "department for records whose source names none")
    String department;

    @Option(names = "--zero-based-answers", description = "MedMCQA: cop counts from 0 (Hugging Face copies)")
    boolean zeroBased;

    @Option(names = "--no-decode", description = "do not decode images while importing (faster; corrupt images pass)")
    boolean noDecode;

    @Option(names = "--name", description = "dataset name for the card")
    String name;

    @Option(names = "--source", description = "source for the card (URL or citation; default: the format's dataset)")
    String source;

    @Option(names = "--licence", description = "licence of the source, for the card (default: unspecified)")
    String licence;

    @Option(names = "--overwrite", description = "replace a dataset already in --out (old shards go only once the new ones are complete)")
    boolean overwrite;

    @Option(names = "--shard-size", defaultValue = "10000", description = "records per shard (default ${DEFAULT-VALUE})")
    @Setting("recordsPerShard")
    int shardSize;

    @Override
    public Integer call() throws Exception {
        Importer imp = Importers.byName(format);
        if (modality != null && !ai.pulsemind.data.Modality.known(modality))
            throw new IllegalArgumentException("--modality '" + modality + "' is not one of " + ai.pulsemind.data.Modality.NAMES);
        var opt = new ImportOptions(input, images, imagePattern, modality, department, skipBad, zeroBased, !noDecode);
        DatasetCard card = new DatasetCard();
        card.name = name != null ? name : format + " import of " + input.getFileName();
        card.description = "Imported from " + input.getFileName() + " with the " + format + " importer.";
        card.command = "pulsemind data import --format " + format + " --input " + input + (images != null ? " --images " + images : "")
                + " --out " + out + (skipBad ? " --skip-bad" : "");
        card.licence = licence != null ? licence : "unspecified (pass --licence; check the source's terms)";
        // Inputs first: a run refused here creates nothing.
        CliPaths.requireExisting("--input", input);
        if (images != null) CliPaths.requireExisting("--images", images);
        CliPaths.requireCreatableDir("--out", out);
        var writerOptions = new DatasetWriter.Options(shardSize, overwrite);
        Progress progress = Progress.stderr("import", -1);
        ImportRunner.Result r;
        DatasetWriter w = new DatasetWriter(out, writerOptions, card);
        try {
            r = ImportRunner.run(imp, opt, w, System.err, progress);
        } catch (java.io.IOException | RuntimeException e) {
            if (source != null) card.source = source;
            boolean kept = w.fail(String.valueOf(e.getMessage()));
            System.err.println(kept ? "import stopped; " + progress.done() + " record(s) written before the problem are kept in " + out
                    : "import stopped before the first record; nothing was written");
            throw e;
        }
        if (source != null) card.source = source;
        w.close();
        System.err.printf("imported %d record(s), %d image(s) into %s; skipped %d bad record(s)%n",
                r.records(), r.images(), out, r.skipped());
        return 0;
    }
}
