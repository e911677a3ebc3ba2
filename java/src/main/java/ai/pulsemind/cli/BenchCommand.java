package ai.pulsemind.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/** {@code pulsemind bench ...}: quick kernel timings from the CLI (JMH in bench/ is the rigorous harness). */
@Command(mixinStandardHelpOptions = true, name = "bench", description = "Quick kernel benchmarks (see bench/ for the JMH suite).",
        subcommands = {BenchGemmCommand.class, BenchGenerateCommand.class, BenchLoadCommand.class, BenchLoaderCommand.class,
                BenchServeCommand.class, BenchSftStepCommand.class})
public final class BenchCommand implements Runnable {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override public void run() { spec.commandLine().usage(System.out); }
}
