package ai.pulsemind.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * The {@code pulsemind} command line. Commands are thin: parse, build a config, call the library.
 * Errors print one line naming what went wrong (with {@code --stacktrace}, the whole trace) and exit non-zero.
 */
@Command(name = "pulsemind", mixinStandardHelpOptions = true, versionProvider = Main.Version.class,
        description = "PulseMind-J: multimodal medical consultation model, benchmark and CRPO training.",
        subcommands = {
                DoctorCommand.class,
                GenerateCommand.class,
                ChatCommand.class,
                BenchCommand.class,
                ai.pulsemind.cli.data.DataCommand.class,
                ai.pulsemind.cli.train.TrainCommand.class,
                ai.pulsemind.cli.model.ModelCommand.class,
                ai.pulsemind.cli.eval.EvalCommand.class,
                CommandLine.HelpCommand.class,
        })
public final class Main implements Runnable {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public void run() { spec.commandLine().usage(System.out); }

    public static void main(String[] args) {
        System.exit(run(args));
    }

    /** Runs the CLI and returns its exit code; used by tests and embedders that must not exit the JVM. */
    public static int run(String... args) {
        boolean trace = java.util.Arrays.asList(args).contains("--stacktrace");
        String[] rest = java.util.Arrays.stream(args).filter(a -> !a.equals("--stacktrace")).toArray(String[]::new);
        CommandLine cl = new CommandLine(new Main());
        cl.setExecutionExceptionHandler((ex, cmd, parse) -> {
            if (trace) ex.printStackTrace(cmd.getErr());
            else cmd.getErr().println("error: " + oneLine(ex));
            return 1;
        });
        return cl.execute(rest);
    }

    /** The innermost useful message: the exception's own, else its cause's, else its class name. */
    static String oneLine(Throwable ex) {
        Throwable t = ex;
        while (t.getMessage() == null && t.getCause() != null) t = t.getCause();
        return t.getMessage() != null ? t.getMessage() : t.getClass().getSimpleName();
    }

    static final class Version implements CommandLine.IVersionProvider {
        @Override public String[] getVersion() {
            String v = Main.class.getPackage().getImplementationVersion();
            return new String[] {"pulsemind " + (v != null ? v : "dev") + " (Java " + Runtime.version() + ")"};
        }
    }
}
