package ai.pulsemind.cli.data;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/** {@code pulsemind data}: MediScope datasets: check, count, import, generate. */
@Command(mixinStandardHelpOptions = true, name = "data", description = "MediScope datasets: validate, stats, import, synth.",
        subcommands = {ValidateCommand.class, StatsCommand.class, ImportCommand.class, SynthCommand.class})
public final class DataCommand implements Runnable {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public void run() { spec.commandLine().usage(System.out); }
}
