package ai.pulsemind.cli.train;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/** {@code pulsemind train sft|…}. */
@Command(name = "train", mixinStandardHelpOptions = true, description = "Train a model: supervised fine-tuning (LoRA or full).",
        subcommands = {SftCommand.class, CrpoCommand.class, CommandLine.HelpCommand.class})
public final class TrainCommand implements Runnable {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public void run() { spec.commandLine().usage(System.out); }
}
