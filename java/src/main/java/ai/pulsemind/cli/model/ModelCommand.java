package ai.pulsemind.cli.model;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/** {@code pulsemind model init|merge}. */
@Command(name = "model", mixinStandardHelpOptions = true, description = "Create and transform model checkpoints.",
        subcommands = {InitCommand.class, MergeCommand.class, CommandLine.HelpCommand.class})
public final class ModelCommand implements Runnable {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public void run() { spec.commandLine().usage(System.out); }
}
