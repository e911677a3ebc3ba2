package ai.pulsemind.cli.eval;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/** {@code pulsemind eval}: benchmarks of a model under test. */
@Command(mixinStandardHelpOptions = true, name = "eval", description = "Benchmark a model: public medical QA and VQA benchmarks, and the PulseMind consultation benchmark.",
        subcommands = {PublicCommand.class, ConsultCommand.class})
public final class EvalCommand implements Runnable {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public void run() { spec.commandLine().usage(System.out); }
}
