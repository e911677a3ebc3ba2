package ai.pulsemind.cli.data;

import ai.pulsemind.cli.CliPaths;
import ai.pulsemind.cli.Setting;
import ai.pulsemind.data.DatasetCard;
import ai.pulsemind.data.DatasetWriter;
import ai.pulsemind.data.Progress;
import ai.pulsemind.data.synth.KnowledgeBase;
import ai.pulsemind.data.synth.SynthGenerator;
import ai.pulsemind.data.synth.SynthOptions;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.Callable;

/** {@code pulsemind data synth --cases N --seed S --out DIR [--lang en|zh|both]}. */
@Command(mixinStandardHelpOptions = true, name = "synth", description = "Generate synthetic MediScope consultations with procedural images, hidden "
        + "patient facts, a reference doctor and C labelled counterparts per case; deterministic by seed.")
public final class SynthCommand implements Callable<Integer> {
    @Option(names = "--cases", required = true, description = "number of consultations")
    int cases;

    @Option(names = "--seed", defaultValue = "0", description = "random seed (default ${DEFAULT-VALUE})")
    long seed;

    @Option(names = "--out", required = true, description = "output dataset folder")
    Path out;

    @Option(names = "--lang", defaultValue = "both", description = "en, zh or both (default ${DEFAULT-VALUE})")
    String lang;

    @Option(names = "--threads", description = "worker threads (default: all cores); the output does not depend on it")
    Integer threads;

    @Option(names = "--counterparts", defaultValue = "5", description = "counterpart transcripts per case, C (default ${DEFAULT-VALUE})")
    int counterparts;

    @Option(names = "--knowledge", description = "knowledge-base folder to use instead of the bundled one")
    Path knowledge;

    @Option(names = "--overwrite", description = "replace a dataset already in --out")
    boolean overwrite;

    @Option(names = "--shard-size", defaultValue = "10000", description = "records per shard (default ${DEFAULT-VALUE})")
    @Setting("recordsPerShard")
    int shardSize;

    @Override
    public Integer call() throws Exception {
        var opt = new SynthOptions(cases, seed, lang, threads != null ? threads : Runtime.getRuntime().availableProcessors(), counterparts);
        KnowledgeBase kb = knowledge != null ? KnowledgeBase.fromDirectory(knowledge) : KnowledgeBase.bundled();
        DatasetCard card = new DatasetCard();
        card.name = "Synthetic MediScope (seed " + seed + ")";
        card.description = "Synthetic multi-turn consultations from the PulseMind-J knowledge base (" + kb.conditions().size()
                + " conditions, " + kb.departments().size() + " departments, " + kb.subspecialtyCount() + " sub-specialties) with "
                + "procedural images. Each record has hidden patient facts, a reference doctor transcript and " + counterparts
                + " counterparts of labelled quality.";
        card.source = "pulsemind-synth (PulseMind-J knowledge base, authored from general medical knowledge)";
        card.licence = "same as PulseMind-J (generated data)";
        card.command = "pulsemind data synth --cases " + cases + " --seed " + seed + " --lang " + lang + " --out " + out;
        card.limits = "Not real patients and not clinical advice: text and images are generated from templates so that models, judges "
                + "and training code can be tested end to end. Images are schematic; their features separate a condition from its "
                + "look-alikes but do not look like real scans.";
        var writerOptions = new DatasetWriter.Options(shardSize, overwrite);
        CliPaths.requireCreatableDir("--out", out);
        Progress progress = Progress.stderr("synth", cases);
        SynthGenerator.Result r;
        DatasetWriter w = new DatasetWriter(out, writerOptions, card);
        try {
            r = SynthGenerator.generate(kb, opt, w, progress);
        } catch (java.io.IOException | RuntimeException e) {
            boolean kept = w.fail(String.valueOf(e.getMessage()));
            System.err.println(kept ? "synth stopped; " + progress.done() + " case(s) written before the problem are kept in " + out
                    : "synth stopped before the first case; nothing was written");
            throw e;
        }
        w.close();
        System.err.printf(Locale.ROOT, "synth: %d cases, %d images into %s in %.1fs (%.0f cases/min, %d threads)%n",
                r.cases(), r.images(), out, r.seconds(), r.casesPerMinute(), opt.threads());
        return 0;
    }
}
